"""The module's URLs: the controllers route them, and the metadata documents
them from this one table."""

PREFIX = "/orestapi/oauth2"
TOKEN = f"{PREFIX}/access_token"
# The token paths of older orestapi clients, under the module's first path
# segment (where those clients put a workspace) and at the root; served only
# while their request forms are accepted.
OLDER_TOKEN_PATHS = [
    f"{base}{path}"
    for base in ("/orestapi", "")
    for path in ("/oauth/token", "/oauth2/token", "/oauth/2/token")
]
AUTHORIZE = f"{PREFIX}/authorize"
# the path of the older oregional_restapi module, kept for its clients
AUTHORIZE_LEGACY = f"{PREFIX}/authorization"
USERINFO = f"{PREFIX}/userinfo"
TOKENINFO = f"{PREFIX}/tokeninfo"
INTROSPECT = f"{PREFIX}/introspect"
REVOKE = f"{PREFIX}/revoke"
CONNECTED_APPS = f"{PREFIX}/apps"
# RFC 8414 §3
METADATA = "/.well-known/oauth-authorization-server"

# The endpoints that answer in JSON, even when the database cannot be reached
# (controllers/common.py); authorize and the connected apps are HTML pages.
JSON_ENDPOINTS = frozenset(
    {TOKEN, *OLDER_TOKEN_PATHS, USERINFO, TOKENINFO, INTROSPECT, REVOKE, METADATA}
)
