# Sourced by scripts/test, scripts/demo, scripts/check-wheel and .ci/lint.
# Checks the prerequisites (Odoo 18.0 or 19.0 in python3, PostgreSQL) and installs
# what is missing of the rest; whatever cannot be done stops the calling
# script with one sentence on stderr saying what to do.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fail() {
    echo "error: $*" >&2
    exit 1
}

# The Odoo series this module supports (series.py holds their differences).
SUPPORTED_ODOO_SERIES="18.0 19.0"

require_odoo() {
    local series
    series="$(python3 -c 'import odoo.release; print(odoo.release.serie)' 2>/dev/null)" || true
    if [ -z "$series" ]; then
        fail "python3 cannot import Odoo (python3 -c 'import odoo'): Odoo 18.0 or 19.0 is a prerequisite, install it into this python3 first, or put the bin directory of the Python that has it first on PATH (README.rst, Prerequisites)."
    fi
    case " $SUPPORTED_ODOO_SERIES " in
    *" $series "*) ;;
    *) fail "python3 imports Odoo $series, which this module does not support: it runs on Odoo $SUPPORTED_ODOO_SERIES." ;;
    esac
    ODOO_SERIES="$series"
    # The Odoo series' differences for the scripts (series.py has the
    # module's): 19.0 loads demo data into a new database only when asked.
    case "$series" in
    18.0) WITH_DEMO=() ;;
    *) WITH_DEMO=(--with-demo) ;;
    esac
    if ! command -v odoo >/dev/null; then
        fail "python3 imports Odoo but there is no odoo command on PATH: put the bin directory of Odoo's python3 first on PATH (README.rst, Prerequisites)."
    fi
}

require_postgres() {
    if ! command -v pg_isready >/dev/null || ! command -v dropdb >/dev/null; then
        fail "PostgreSQL's client commands (pg_isready, dropdb) are not on PATH: PostgreSQL is a prerequisite (README.rst, Prerequisites)."
    fi
    if ! pg_isready -q; then
        fail "PostgreSQL does not answer (pg_isready): start it, e.g. pg_ctlcluster 15 main start, and run this again."
    fi
}

# pip_install_missing WHAT FILE...: unless python3 already satisfies the
# requirements files, install them with pip, never changing a package python3
# already has (such as Odoo's pinned ones): a requirement that would need
# another version of one fails the install instead.
pip_install_missing() {
    local what="$1" file args=() constraints rc=0
    shift
    for file; do args+=(-r "$file"); done
    if python3 "$REPO_ROOT/scripts/requirements_satisfied.py" "$@" >/dev/null; then
        return 0
    fi
    echo "Installing $what ($*) into $(python3 -c 'import sys; print(sys.prefix)')"
    constraints="$(mktemp)"
    python3 -m pip list --format=freeze --disable-pip-version-check >"$constraints" 2>/dev/null
    python3 -m pip install --quiet --disable-pip-version-check "${args[@]}" \
        -c "$constraints" || rc=$?
    rm -f "$constraints"
    if [ "$rc" != 0 ]; then
        fail "pip could not install $what from $*, see above: it needs PyPI (network), and fails when a requirement would change a package python3 already has."
    fi
}

# The browser test drives Debian's chromium (or CHROMIUM_PATH).
ensure_chromium() {
    if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        fail "the browser test needs Debian's chromium, which only root can install: run 'apt-get install chromium' as root (or set CHROMIUM_PATH to a Chromium), then run this again."
    fi
    echo "Installing Debian's chromium for the browser test (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
        fail "apt-get could not install chromium for the browser test, see above (no network, or no Debian package source?)."
    fi
    if ! command -v chromium >/dev/null; then
        fail "apt-get installed chromium but there is no chromium command on PATH: set CHROMIUM_PATH to the browser, then run this again."
    fi
}

# npm_ci_if_stale: install node_modules/ from package-lock.json (npm ci) unless
# it already holds exactly the locked versions. Needs Node.js 20 or newer
# (playwright-core's minimum) with npm.
npm_ci_if_stale() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        fail "Node.js 20 or newer with npm is needed (for prettier and the browser test) and node or npm is not on PATH: install them, then run this again."
    fi
    if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
        fail "Node.js 20 or newer is needed (playwright-core), and node is $(node --version): install a newer one, then run this again."
    fi
    if (cd "$REPO_ROOT" && node -e '
        const fs = require("fs");
        const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
        for (const [path, locked] of Object.entries(lock.packages)) {
            if (!path) continue;
            if (locked.optional && !fs.existsSync(path)) continue;
            const pkg = JSON.parse(fs.readFileSync(path + "/package.json", "utf8"));
            if (pkg.version !== locked.version) process.exit(1);
        }' 2>/dev/null); then
        return 0
    fi
    echo "Installing the npm packages of package-lock.json into node_modules/ (npm ci)"
    if ! (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error); then
        fail "npm ci could not install the npm packages of package-lock.json, see above (no network?)."
    fi
}

# mcp_venv_if_stale: the test-only MCP clients (the official MCP Python SDK,
# tests/clients/mcp/) need packages that Odoo's python3 must not get, so they
# live in a virtual environment of their own under the cache directory, built
# from tests/clients/mcp/requirements.lock (every package pinned with its
# hashes) and rebuilt whenever the lock or python3's version changes: its name
# carries their hash. Exports ORESTAPI_MCP_PYTHON, its interpreter, for the
# tests (tests/test_mcp_agents.py).
mcp_venv_if_stale() {
    local lock="$REPO_ROOT/tests/clients/mcp/requirements.lock" key venv
    key="$( (cat "$lock"; python3 -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
    venv="${XDG_CACHE_HOME:-$HOME/.cache}/orestapi_oauth2/mcp-venv-$key"
    if [ ! -x "$venv/bin/python" ] || [ ! -e "$venv/.complete" ]; then
        echo "Installing the MCP Python SDK of tests/clients/mcp/requirements.lock into $venv"
        rm -rf "$venv"
        mkdir -p "$(dirname "$venv")"
        if ! { python3 -m venv "$venv" &&
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
                --require-hashes --no-deps --only-binary=:all: -r "$lock"; }; then
            rm -rf "$venv"
            fail "pip could not build the MCP clients' virtual environment from $lock, see above (no network, or python3 without the venv module: apt-get install python3-venv)."
        fi
        touch "$venv/.complete"
    fi
    export ORESTAPI_MCP_PYTHON="$venv/bin/python"
}
