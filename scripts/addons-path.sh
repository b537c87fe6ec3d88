# Sourced by scripts/test and scripts/demo. Checks the prerequisites (Odoo 18.0 or 19.0
# in python3, PostgreSQL; see requirements.sh), then, since Odoo finds an addon
# by its directory name and a checkout may be named anything, links the
# checkout as orestapi_oauth2 into a private addons directory and exports that
# directory as ADDONS_PATH. The caller removes it (trap).
source "$(dirname "${BASH_SOURCE[0]}")/requirements.sh"
require_odoo
require_postgres

MODULE_ROOT="$REPO_ROOT"
ADDONS_PATH="$(mktemp -d -t orestapi_oauth2-addons.XXXXXX)"
ln -s "$MODULE_ROOT" "$ADDONS_PATH/orestapi_oauth2"
export MODULE_ROOT ADDONS_PATH
