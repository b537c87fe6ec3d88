"""RFC 8414 authorization server metadata."""

from . import routes
from .constants import GRANT_TYPES

# "none": public clients identify themselves by client_id alone, and may then
# introspect or revoke only their own tokens.
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def server_metadata(env):
    """RFC 8414 §2 metadata of this authorization server, whose issuer is
    Odoo's ``web.base.url``."""
    issuer = env["ir.config_parameter"].sudo().get_param("web.base.url").rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + routes.AUTHORIZE,
        "token_endpoint": issuer + routes.TOKEN,
        "userinfo_endpoint": issuer + routes.USERINFO,
        "tokeninfo_endpoint": issuer + routes.TOKENINFO,
        "introspection_endpoint": issuer + routes.INTROSPECT,
        "revocation_endpoint": issuer + routes.REVOKE,
        "scopes_supported": env["oauth2.scope"]._all_names(),
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "code_challenge_methods_supported": env[
            "oauth2.application"
        ]._code_challenge_methods(),
    }
