"""Building the oauthlib server and translating HTTP requests and answers."""

import json
from urllib.parse import urlencode

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import Server

from .secrets import generate_secret
from .validator import OdooRequestValidator

JSON_HEADERS = {
    # RFC 6749 §5.1: token answers must never be cached.
    "Content-Type": "application/json;charset=UTF-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}
BASIC_CHALLENGE = 'Basic realm="orestapi_oauth2"'
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


def _access_token_lifetime(request):
    return request.client._get_access_token_lifetime()


def oauth2_server(env):
    return Server(
        OdooRequestValidator(env),
        token_expires_in=_access_token_lifetime,
        token_generator=lambda request: generate_secret(),
        refresh_token_generator=lambda request: generate_secret(),
    )


def token_request_parts(httprequest):
    """``(uri, body, headers)`` for oauthlib from a werkzeug request.

    Parameters sent in the query string are moved into the body, because seed
    000's clients send them there and oauthlib refuses them in a POST URL. A
    parameter given in both places stays twice, so oauthlib reports it as
    duplicated instead of one copy silently winning.
    """
    params = list(httprequest.args.items(multi=True))
    params += list(httprequest.form.items(multi=True))
    return httprequest.base_url, urlencode(params), dict(httprequest.headers)


def error_answer(error, description, status=400, headers=None):
    """``(headers, body, status)`` of an RFC 6749 §5.2 error."""
    body = json.dumps({"error": error, "error_description": description})
    return dict(JSON_HEADERS, **(headers or {})), body, status


def token_answer(headers, body, status):
    """Normalize an oauthlib token answer to this endpoint's contract."""
    headers = dict(headers, **JSON_HEADERS)
    if status >= 400:
        error = json.loads(body)
        if not error.get("error_description"):
            error["error_description"] = _description(error.get("error"))
            body = json.dumps(error)
    if status == 401:
        # oauthlib answers with a Bearer challenge; a token endpoint authenticates
        # clients with Basic (RFC 6749 §5.2, invalid_client).
        headers["WWW-Authenticate"] = BASIC_CHALLENGE
    return headers, body, status


def error_location(error):
    """Where an authorization error redirects: the client's redirect URI with
    the error in the query, or in the fragment for the implicit grant."""
    error.description = _description(error.error, error.description)
    return add_params_to_uri(
        error.redirect_uri, error.twotuples, fragment=error.response_type == "token"
    )
