"""The answers of the OAuth endpoints: RFC 6749 §5.1 JSON, §5.2 errors, and
the redirects of §4.1.2.1 and §4.2.2.1."""

import json
from collections.abc import Collection, Mapping
from typing import Any

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from .cors import ANY_ORIGIN, response_headers
from .response_modes import FRAGMENT, response_mode

JSON_HEADERS = {
    # RFC 6749 §5.1: token answers must never be cached.
    "Content-Type": "application/json;charset=UTF-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}
REALM = "orestapi_oauth2"
BASIC_CHALLENGE = f'Basic realm="{REALM}"'
# oauthlib leaves error_description out of several errors; clients get one always.
ERROR_DESCRIPTIONS = {
    "invalid_request": "The request is missing a parameter or is malformed.",
    "invalid_client": "Client authentication failed.",
    "invalid_grant": "The grant or refresh token is invalid, expired, revoked or "
    "was issued to another client.",
    "unauthorized_client": "This client may not use this grant type.",
    "unsupported_grant_type": "This grant type is not supported.",
    "invalid_scope": "The requested scope is invalid or not allowed for this "
    "application.",
    "unsupported_response_type": "This response type is not supported.",
    "access_denied": "The user denied the request.",
}


def _description(error, description=None):
    return description or ERROR_DESCRIPTIONS.get(error, "The request failed.")


def json_answer(payload: dict[str, Any]) -> tuple[dict[str, str], str, int]:
    """``(headers, body, status)`` of a successful JSON answer."""
    return dict(JSON_HEADERS), json.dumps(payload), 200


# Public documents (metadata, keys) that every client fetches: cached for a
# few minutes, so that a rotated key or a changed setting shows soon, and
# relying parties refetch the keys when a token names one they do not know.
PUBLIC_CACHE_SECONDS = 300


def public_json_answer(payload: dict[str, Any]) -> tuple[dict[str, str], str, int]:
    """``(headers, body, status)`` of a public JSON document, cacheable."""
    headers = {
        "Content-Type": "application/json;charset=UTF-8",
        "Cache-Control": f"public, max-age={PUBLIC_CACHE_SECONDS}",
    }
    return headers, json.dumps(payload), 200


def error_answer(
    error: str,
    description: str,
    status: int = 400,
    headers: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], str, int]:
    """``(headers, body, status)`` of an RFC 6749 §5.2 error."""
    body = json.dumps({"error": error, "error_description": description})
    return dict(JSON_HEADERS, **(headers or {})), body, status


# RFC 9110 §10.2.3: how long a client should wait before it asks again. A
# database restart takes seconds; a longer wait would only delay the clients.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_DESCRIPTION = (
    "The database cannot be reached at the moment; retry after the number of "
    "seconds in Retry-After."
)


def unavailable_answer() -> tuple[dict[str, str], str, int]:
    """``(headers, body, status)`` of the answer while the database cannot be
    reached: 503, a temporary condition the client may retry after
    ``Retry-After`` (RFC 9110 §15.6.4), with ``temporarily_unavailable``, the
    code RFC 6749 §4.1.2.1 defines for a server temporarily unable to handle a
    request (§5.2's list for the token endpoint has none), in §5.2's JSON shape.
    Unlike Odoo's 404 or 500 page, a client does not read it as a missing
    endpoint or a refusal of its credentials."""
    return error_answer(
        "temporarily_unavailable",
        UNAVAILABLE_DESCRIPTION,
        status=503,
        # Any page may read it: it says nothing but "retry later".
        headers={
            "Retry-After": str(RETRY_AFTER_SECONDS),
            **response_headers(ANY_ORIGIN),
        },
    )


def method_not_allowed(
    method: str, allowed: Collection[str]
) -> tuple[dict[str, str], str, int] | None:
    """The 405 answer, in the endpoints' JSON shape, to a method not in
    ``allowed``; None when ``method`` is allowed."""
    if method in allowed:
        return None
    return error_answer(
        "invalid_request",
        f"This endpoint does not accept {method} requests.",
        status=405,
        headers={"Allow": ", ".join(allowed)},
    )


def token_answer(
    headers: Mapping[str, str], body: str, status: int, challenge: bool = False
) -> tuple[dict[str, str], str, int]:
    """Normalize an oauthlib token answer to this endpoint's contract. A
    failed client authentication is 401 with a Basic ``challenge`` where
    :func:`~.http_adapter.earns_basic_challenge`, else 400 (RFC 6749 §5.2;
    RFC 9110 §15.5.2 allows no 401 without a challenge)."""
    headers = dict(headers, **JSON_HEADERS)
    if status >= 400:
        error = json.loads(body)
        if not error.get("error_description"):
            error["error_description"] = _description(error.get("error"))
            body = json.dumps(error)
    # oauthlib answers with a Bearer challenge; a token endpoint authenticates
    # clients with Basic. A client that sent its secret in the body would
    # read a challenge as "authenticate with Basic" instead of invalid_client.
    headers.pop("WWW-Authenticate", None)
    if status == 401:
        if challenge:
            headers["WWW-Authenticate"] = BASIC_CHALLENGE
        else:
            status = 400
    return headers, body, status


def error_location(error: OAuth2Error) -> str:
    """Where an authorization error redirects: the client's redirect URI with
    the error where the response would have been (the query for a code,
    else the fragment, unless the request asked otherwise)."""
    error.description = _description(error.error, error.description)
    return add_params_to_uri(
        error.redirect_uri,
        error.twotuples,
        fragment=response_mode(error) == FRAGMENT,
    )


def with_issuer(location: str, issuer: str) -> str:
    """The redirect of an authorization response, success or error, naming
    the issuer (RFC 9207 §2) beside its other parameters: in the fragment for
    the implicit grant, else in the query."""
    return add_params_to_uri(location, [("iss", issuer)], fragment="#" in location)
