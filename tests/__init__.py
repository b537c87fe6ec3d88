from . import test_oauth2_application
from . import test_oauth2_token
from . import test_oauth2_validator
from . import test_token_endpoint
from . import test_token_endpoint_clients
from . import test_database_selection
from . import test_authorization_endpoint
from . import test_browser_and_client_flows
