# Sourced by the other scripts. Odoo finds an addon by its directory name, and a
# checkout may be named anything, so link it as orestapi_oauth2 into a private
# addons directory and export that directory as ADDONS_PATH.
MODULE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDONS_PATH="$(mktemp -d -t orestapi_oauth2-addons.XXXXXX)"
ln -s "$MODULE_ROOT" "$ADDONS_PATH/orestapi_oauth2"
export MODULE_ROOT ADDONS_PATH

if ! python3 -c 'import odoo' 2>/dev/null; then
    echo "error: python3 cannot import odoo. Install Odoo 18.0 into this python3 first (see README.rst, Prerequisites)." >&2
    exit 1
fi
