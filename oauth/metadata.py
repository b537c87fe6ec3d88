"""RFC 8414 authorization server metadata."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import dpop, routes
from .client_assertions import ALL_SIGNING_ALGORITHMS
from .client_metadata import AUTH_METHODS
from .constants import GRANT_TYPES
from .oidc import provider_metadata
from .redirect_uris import LOOPBACK_HOSTS
from .response_modes import RESPONSE_MODES, RESPONSE_TYPES

# "none": public clients identify themselves by client_id alone, and may then
# introspect or revoke only their own tokens.
CLIENT_AUTH_METHODS = list(AUTH_METHODS)
# RFC 8414 §2: the algorithms of client_secret_jwt and private_key_jwt
# assertions, the same at every endpoint that authenticates clients.
CLIENT_AUTH_SIGNING_ALGORITHMS = list(ALL_SIGNING_ALGORITHMS)


def issuer_from(issuer_url: str | None, base_url: str) -> str:
    """The URL that names this server to its clients (RFC 8414 §2, RFC 9207):
    the configured Issuer URL, else Odoo's ``web.base.url``."""
    return (issuer_url or base_url).strip().rstrip("/")


def is_valid_issuer(url: str) -> bool:
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


def server_metadata(
    issuer: str,
    scopes: Iterable[str],
    code_challenge_methods: Iterable[str],
    *,
    registration: bool = False,
    client_id_metadata_documents: bool = False,
    protected_resources: Iterable[str] = (),
) -> dict[str, Any]:
    """RFC 8414 §2 metadata of this authorization server, known as
    ``issuer``, which is also its OpenID Connect Discovery 1.0 §3 metadata:
    one document at both addresses, so that they never disagree. ``scopes``
    and ``code_challenge_methods`` are those the server offers;
    ``registration`` whether clients may register themselves (RFC 7591);
    ``client_id_metadata_documents`` whether it serves clients whose
    client_id is the URL of their metadata; ``protected_resources`` the
    identifiers of the resources it issues tokens for (RFC 9728 §4)."""
    registration_endpoint = (
        {"registration_endpoint": issuer + routes.REGISTER} if registration else {}
    )
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": issuer + routes.AUTHORIZE,
        "token_endpoint": issuer + routes.TOKEN,
        "userinfo_endpoint": issuer + routes.USERINFO,
        "tokeninfo_endpoint": issuer + routes.TOKENINFO,
        "introspection_endpoint": issuer + routes.INTROSPECT,
        "revocation_endpoint": issuer + routes.REVOKE,
        # RFC 8628 §4
        "device_authorization_endpoint": issuer + routes.DEVICE_AUTHORIZATION,
        # RFC 9126 §5: pushing is required per application, not server-wide
        "pushed_authorization_request_endpoint": issuer
        + routes.PUSHED_AUTHORIZATION_REQUEST,
        "require_pushed_authorization_requests": False,
        "scopes_supported": list(scopes),
        "response_types_supported": list(RESPONSE_TYPES),
        "response_modes_supported": list(RESPONSE_MODES),
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": (
            CLIENT_AUTH_SIGNING_ALGORITHMS
        ),
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": (
            CLIENT_AUTH_SIGNING_ALGORITHMS
        ),
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": (
            CLIENT_AUTH_SIGNING_ALGORITHMS
        ),
        # RFC 9207: every authorization response names its issuer, so that a
        # client talking to several servers cannot be fooled by another one's.
        "authorization_response_iss_parameter_supported": True,
        "code_challenge_methods_supported": list(code_challenge_methods),
        # RFC 9449 §5.1
        "dpop_signing_alg_values_supported": list(dpop.ALGORITHMS),
        **registration_endpoint,
        # RFC 9728 §4: the resources this server issues tokens for
        "protected_resources": list(protected_resources),
        **provider_metadata(issuer),
    }
    if client_id_metadata_documents:
        # draft-ietf-oauth-client-id-metadata-document §5: so that a client
        # sends no user to a server that would not know it
        metadata["client_id_metadata_document_supported"] = True
    return metadata


# RFC 9728 §2: how Odoo's APIs take a token; RFC 6750 §2.1's header, which all
# of them read (a form body only some: userinfo, routes that opt in).
BEARER_METHODS = ["header"]


def protected_resource_metadata_url(identifier: str) -> str:
    """RFC 9728 §3.1: where the metadata of the resource known as
    ``identifier`` is, the well-known path inserted between its host and its
    path and query, less the path's terminating slash."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            routes.PROTECTED_RESOURCE_METADATA + path,
            parts.query,
            "",
        )
    )


def protected_resource_metadata(
    identifier: str, issuer: str, name: str, scopes: Iterable[str]
) -> dict[str, Any]:
    """RFC 9728 §2 metadata of the protected resource known as
    ``identifier``, named ``name``, that accepts ``scopes`` and the tokens of
    this authorization server, known as ``issuer``."""
    return {
        "resource": identifier,
        "authorization_servers": [issuer],
        "scopes_supported": list(scopes),
        "bearer_methods_supported": BEARER_METHODS,
        "resource_name": name,
        # §2: no token needs to be bound to a DPoP key or a certificate
        "dpop_bound_access_tokens_required": False,
        "dpop_signing_alg_values_supported": list(dpop.ALGORITHMS),
        "tls_client_certificate_bound_access_tokens": False,
    }


def bearer_challenge_parameters(
    metadata_url: str, scopes: Iterable[str] = ()
) -> list[str]:
    """The parameters of a ``WWW-Authenticate: Bearer`` challenge that point a
    client to the resource's metadata (RFC 9728 §5.1) and name the scopes a
    token needs (RFC 6750 §3), quoted."""
    # RFC 9110 §5.6.4: no quote or backslash inside a quoted value
    quoted = metadata_url.replace('"', "%22").replace("\\", "%5C")
    parameters = [f'resource_metadata="{quoted}"']
    scope = " ".join(scopes)
    if scope:
        parameters.append(f'scope="{scope}"')
    return parameters
