from . import token
from . import authorize
from . import connected_apps
from . import userinfo
from . import tokeninfo
from . import introspection
from . import revocation
from . import metadata
