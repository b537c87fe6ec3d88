"""JWT access tokens (RFC 9068), and the audiences a client names for its
tokens with resource indicators (RFC 8707); apart from the ORM."""

import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from .secrets import generate_secret

# The application's Access Token Format
OPAQUE = "opaque"
JWT = "jwt"
ACCESS_TOKEN_FORMATS = [(OPAQUE, "Opaque"), (JWT, "JWT (RFC 9068)")]
# RFC 8707 §2: the parameter naming the resource server a token is for
RESOURCE = "resource"


class InvalidTargetError(errors.OAuth2Error):
    """RFC 8707 §2: a resource that is malformed, or that the application may
    not obtain tokens for."""

    error = "invalid_target"
    status_code = 400


def is_resource_uri(value: str | None) -> bool:
    """RFC 8707 §2: an absolute URI without a fragment; printable ASCII, as
    every identifier this server compares exactly."""
    if not value or "#" in value or " " in value:
        return False
    if not (value.isascii() and value.isprintable()):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


def requested_resources(request: Request) -> list[str]:
    """The resource parameters of an oauthlib request, from its query and its
    form, each once, in the order sent."""
    pairs = [*request.uri_query_params, *(request.decoded_body or [])]
    return list(dict.fromkeys(value for name, value in pairs if name == RESOURCE))


def audience_claim(audiences: Sequence[str]) -> str | list[str]:
    """RFC 7519 §4.1.3: a string for one audience, an array for several."""
    return audiences[0] if len(audiences) == 1 else list(audiences)


def access_token_claims(
    issuer: str,
    subject: str,
    audiences: Sequence[str],
    client_id: str,
    scopes: Iterable[str],
    lifetime: int,
    auth_time: float | None = None,
    sid: str | None = None,
    acr: str | None = None,
    amr: Sequence[str] = (),
    act: dict[str, Any] | None = None,
    not_after: int | None = None,
    dpop_jkt: str | None = None,
) -> dict[str, Any]:
    """The claims of a JWT access token (RFC 9068 §2.2): ``subject`` is the
    user's, or the client_id when no user is involved (client_credentials);
    ``auth_time`` (seconds) when the user logged in, the OpenID Connect
    ``sid`` of the browser session they did it in, where there was one, and
    ``acr`` and ``amr``, how (§2.2.1); ``act``, for a token obtained by
    exchange, the client acting for the user (RFC 8693 §4.1); ``not_after``
    (seconds), when given, the latest it may expire: the clock may have
    turned a second since ``lifetime`` was counted; ``dpop_jkt``, the
    thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1)."""
    now = int(time.time())
    expires = now + lifetime if not_after is None else min(now + lifetime, not_after)
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": audience_claim(audiences),
        "exp": expires,
        "iat": now,
        # unique, and of the generated secrets' strength: the row is found by
        # a keyed hash of it
        "jti": generate_secret(),
        "client_id": client_id,
        "scope": " ".join(scopes),
    }
    if auth_time is not None:
        claims["auth_time"] = int(auth_time)
    if sid:
        claims["sid"] = sid
    if acr:
        claims["acr"] = acr
    if amr:
        claims["amr"] = list(amr)
    if act:
        claims["act"] = act
    if dpop_jkt:
        claims["cnf"] = {"jkt": dpop_jkt}
    return claims
