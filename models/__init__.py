from . import oauth2_scope
from . import oauth2_application
from . import oauth2_application_secret
from . import oauth2_token
from . import oauth2_authorization_code
from . import oauth2_consent
from . import res_users
from . import res_config_settings
