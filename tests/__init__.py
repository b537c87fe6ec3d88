from . import test_application
from . import test_token
from . import test_validator
from . import test_token_endpoint
from . import test_grant_client_credentials
from . import test_grant_password
from . import test_grant_refresh_token
from . import test_grant_authorization_code
from . import test_grant_implicit
from . import test_authorize
from . import test_authorize_decisions
from . import test_end_session
from . import test_backchannel_logout
from . import test_outbound
from . import test_connected_apps
from . import test_userinfo
from . import test_tokeninfo
from . import test_introspection
from . import test_jwt_access_tokens
from . import test_revocation
from . import test_metadata
from . import test_signing_keys
from . import test_jwks
from . import test_bearer_routes
from . import test_rpc
from . import test_no_database
from . import test_database_outage
from . import test_roles
from . import test_audit_trail
from . import test_usage
from . import test_last_used
from . import test_client_auth_throttle
from . import test_token_lifecycle
from . import test_cleanup
from . import test_security
from . import test_oversized_requests
from . import test_log_masking
from . import test_layout
from . import test_schema
from . import test_fuzzing
from . import test_browser
from . import test_translations
from . import test_auth_oauth
from . import test_cors
from . import test_openid_connect
from . import test_openid_connect_clients
from . import test_portal
from . import test_screenshots
from . import test_test_modules
from . import test_tour_administrator
from . import test_tour_manager
from . import test_tour_users

from .. import post_load

# pytest-odoo imports the addon to collect its tests, before the registry loads
# it, so Odoo's loader finds it imported and never calls its post_load hook.
post_load()
