"""RFC 8414 authorization server metadata."""

from urllib.parse import urlsplit

from . import routes
from .constants import GRANT_TYPES, ISSUER_URL_PARAM
from .oidc import provider_metadata
from .redirect_uris import LOOPBACK_HOSTS
from .response_modes import RESPONSE_MODES, RESPONSE_TYPES

# "none": public clients identify themselves by client_id alone, and may then
# introspect or revoke only their own tokens.
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def issuer(env):
    """The URL that names this server to its clients (RFC 8414 §2, RFC 9207):
    the configured Issuer URL, else Odoo's ``web.base.url``."""
    parameters = env["ir.config_parameter"].sudo()
    url = parameters.get_param(ISSUER_URL_PARAM) or parameters.get_param("web.base.url")
    return url.strip().rstrip("/")


def is_valid_issuer(url):
    """RFC 8414 §2: an issuer is an https URL without query or fragment; plain
    http is allowed on a loopback host, for development. No path either: the
    metadata is served at the root (§3.1 would look for it under the path)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        # reading the port raises ValueError on one out of range or not a number
        port = parts.port
    except ValueError:
        return False
    if not host or port == 0 or parts.query or parts.fragment:
        return False
    if "@" in parts.netloc or parts.path not in ("", "/"):
        return False
    return parts.scheme == "https" or (
        parts.scheme == "http" and host in LOOPBACK_HOSTS
    )


def server_metadata(env, issuer):
    """RFC 8414 §2 metadata of this authorization server, known as
    ``issuer``, which is also its OpenID Connect Discovery 1.0 §3 metadata:
    one document at both addresses, so that they never disagree."""
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + routes.AUTHORIZE,
        "token_endpoint": issuer + routes.TOKEN,
        "userinfo_endpoint": issuer + routes.USERINFO,
        "tokeninfo_endpoint": issuer + routes.TOKENINFO,
        "introspection_endpoint": issuer + routes.INTROSPECT,
        "revocation_endpoint": issuer + routes.REVOKE,
        "scopes_supported": env["oauth2.scope"]._all_names(),
        "response_types_supported": list(RESPONSE_TYPES),
        "response_modes_supported": list(RESPONSE_MODES),
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        # RFC 9207: every authorization response names its issuer, so that a
        # client talking to several servers cannot be fooled by another one's.
        "authorization_response_iss_parameter_supported": True,
        "code_challenge_methods_supported": env[
            "oauth2.application"
        ]._code_challenge_methods(),
        **provider_metadata(issuer),
    }
