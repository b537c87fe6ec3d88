from . import test_oauth2_application
from . import test_oauth2_token
from . import test_oauth2_validator
from . import test_token_endpoint
from . import test_token_endpoint_clients
from . import test_database_selection
from . import test_authorization_endpoint
from . import test_connected_apps
from . import test_browser_and_client_flows
from . import test_bearer_routes
from . import test_token_endpoints
from . import test_rpc_with_token
from . import test_roles
from . import test_token_lifecycle
from . import test_token_cleanup
from . import test_translations
from . import test_security
from . import test_fuzzing
from . import test_log_masking

from .. import post_load

# pytest-odoo imports the addon to collect its tests, before the registry loads
# it, so Odoo's loader finds it imported and never calls its post_load hook.
post_load()
