"""The module's URLs: the controllers route them, and the metadata documents
them from this one table."""

PREFIX = "/orestapi/oauth2"
TOKEN = f"{PREFIX}/access_token"
# The token paths of older clients (controllers/older_clients.py), under the
# module's first path segment (where those clients put a workspace) and at
# the root; served only while their request forms are accepted.
OLDER_CLIENT_TOKEN_PATHS = [
    f"{base}{path}"
    for base in ("/orestapi", "")
    for path in ("/oauth/token", "/oauth2/token", "/oauth/2/token")
]
AUTHORIZE = f"{PREFIX}/authorize"
# the authorization endpoint's path for older clients, that of the
# oregional_restapi module
OLDER_CLIENT_AUTHORIZE = f"{PREFIX}/authorization"
# RFC 9126 §2: the pushed authorization request endpoint, which answers in
# JSON
PUSHED_AUTHORIZATION_REQUEST = f"{PREFIX}/par"
USERINFO = f"{PREFIX}/userinfo"
TOKENINFO = f"{PREFIX}/tokeninfo"
INTROSPECT = f"{PREFIX}/introspect"
REVOKE = f"{PREFIX}/revoke"
CONNECTED_APPS = f"{PREFIX}/apps"
# RFC 8628: the device authorization endpoint (§3.1), which answers in JSON,
# and the page where the user types the device's code (§3.3)
DEVICE_AUTHORIZATION = f"{PREFIX}/device_authorization"
DEVICE_VERIFICATION = f"{PREFIX}/device"
# Dynamic Client Registration (RFC 7591 §3) and the clients' management of
# their registration (RFC 7592 §2), at REGISTER/<client_id>
REGISTER = f"{PREFIX}/register"
REGISTRATION_MANAGEMENT = f"{REGISTER}/<string:client_id>"
# OpenID Connect: the JWK Set (RFC 7517 §5) and RP-initiated logout 1.0
JWKS = f"{PREFIX}/jwks"
END_SESSION = f"{PREFIX}/logout"
# RFC 8414 §3, and OpenID Connect Discovery 1.0 §4
METADATA = "/.well-known/oauth-authorization-server"
OPENID_CONFIGURATION = "/.well-known/openid-configuration"
# RFC 9728 §3: the metadata of a protected resource, Odoo's APIs at the root;
# a resource whose identifier has a path, with that path after it (§3.1)
PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource"

# The endpoints that answer in JSON, even when the database cannot be reached
# (controllers/common.py); authorize and the connected apps are HTML pages.
JSON_ENDPOINTS = frozenset(
    {
        TOKEN,
        DEVICE_AUTHORIZATION,
        PUSHED_AUTHORIZATION_REQUEST,
        *OLDER_CLIENT_TOKEN_PATHS,
        USERINFO,
        TOKENINFO,
        INTROSPECT,
        REVOKE,
        METADATA,
        OPENID_CONFIGURATION,
        PROTECTED_RESOURCE_METADATA,
        JWKS,
        REGISTER,
        REGISTRATION_MANAGEMENT,
    }
)
