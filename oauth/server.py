"""Building the oauthlib server and translating HTTP requests and answers."""

import json
import re
from urllib.parse import urlencode

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749 import errors
from werkzeug.exceptions import HTTPException

from odoo.http import Response

from .secrets import generate_secret
from .validator import OdooRequestValidator

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
# RFC 7636 §4.1, §4.2: a code_verifier, and so a plain code_challenge, is 43 to
# 128 unreserved characters; an S256 challenge is a SHA-256 in unpadded
# base64url, 43 characters.
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PKCE_FORMAT = "43 to 128 characters among A-Z, a-z, 0-9, '-', '.', '_' and '~'"
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
S256_FORMAT = "43 characters of unpadded base64url"


def _description(error, description=None):
    return description or ERROR_DESCRIPTIONS.get(error, "The request failed.")


def _access_token_lifetime(request):
    return request.client._get_access_token_lifetime()


def _check_code_challenge(request):
    # oauthlib checks the challenge method only; a malformed challenge could
    # never be matched by a valid verifier.
    if request.code_challenge is None:
        return {}
    # RFC 7636 §4.3: a challenge without a method is plain.
    if (request.code_challenge_method or "plain") == "plain" and not (
        request.client.allow_pkce_plain
    ):
        raise errors.InvalidRequestError(
            description="This application accepts only code_challenge_method=S256 "
            "(RFC 9700 §2.1.1).",
            request=request,
        )
    pattern, expected = (PKCE_VALUE, PKCE_FORMAT)
    if request.code_challenge_method == "S256":
        pattern, expected = (S256_CHALLENGE, S256_FORMAT)
    if not pattern.fullmatch(request.code_challenge):
        raise errors.InvalidRequestError(
            description=f"code_challenge must be {expected} (RFC 7636 §4.2).",
            request=request,
        )
    return {}


def _check_code_verifier(request):
    if request.code_verifier is not None and not PKCE_VALUE.fullmatch(
        request.code_verifier
    ):
        raise errors.InvalidRequestError(
            description=f"code_verifier must be {PKCE_FORMAT} (RFC 7636 §4.1).",
            request=request,
        )


def _authorization_code(request):
    """oauthlib's code grant, with a code as strong as a token and of the
    shape the log filter masks."""
    grant = {"code": generate_secret()}
    if request.state:
        grant["state"] = request.state
    return grant


def oauth2_server(env, remote_addr=None):
    """The oauthlib server; ``remote_addr`` is the client's address, which failed
    client authentications are counted for."""
    server = Server(
        OdooRequestValidator(env, remote_addr),
        token_expires_in=_access_token_lifetime,
        token_generator=lambda request: generate_secret(),
        refresh_token_generator=lambda request: generate_secret(),
    )
    server.auth_grant.create_authorization_code = _authorization_code
    server.auth_grant.custom_validators.post_auth.append(_check_code_challenge)
    server.auth_grant.custom_validators.pre_token.append(_check_code_verifier)
    return server


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


def canonical_uri(httprequest):
    """The request URL with its query encoded again from the parsed parameters.

    oauthlib raises a bare ValueError on characters a client may well send
    unencoded; re-encoding keeps every parameter and gives it a valid URI.
    """
    query = urlencode(list(httprequest.args.items(multi=True)))
    return f"{httprequest.base_url}?{query}" if query else httprequest.base_url


def form_request_parts(httprequest):
    """``(uri, body, headers)`` for oauthlib from a werkzeug request, as sent:
    oauthlib refuses parameters in the URL of the endpoints that are not seed
    000's token endpoint, as RFC 7009 and RFC 7662 ask."""
    body = urlencode(list(httprequest.form.items(multi=True)))
    return canonical_uri(httprequest), body, dict(httprequest.headers)


def has_nul_character(httprequest):
    """Whether a parameter or the Authorization header holds a NUL character.

    PostgreSQL cannot store one, so no client_id, username or scope has it; the
    request is malformed, and the database must not be asked about it.
    """
    values = [httprequest.headers.get("Authorization", "")]
    for params in (httprequest.args, httprequest.form):
        for name, value in params.items(multi=True):
            values += [name, value]
    return any("\x00" in value for value in values)


def error_answer(error, description, status=400, headers=None):
    """``(headers, body, status)`` of an RFC 6749 §5.2 error."""
    body = json.dumps({"error": error, "error_description": description})
    return dict(JSON_HEADERS, **(headers or {})), body, status


def method_not_allowed(method, allowed):
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


def introspection_answer(env, httprequest):
    """RFC 7662 §2: the state of a token, for an authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    server = oauth2_server(env, httprequest.remote_addr)
    return token_answer(*server.create_introspect_response(uri, "POST", body, headers))


def revocation_answer(env, httprequest):
    """RFC 7009 §2: revoke a token of the authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    server = oauth2_server(env, httprequest.remote_addr)
    headers, body, status = server.create_revocation_response(
        uri, "POST", body, headers
    )
    return token_answer(headers, body or "{}", status)


class BearerTokenError(HTTPException):
    """The RFC 6750 §3 answer to a request that a bearer-protected resource
    refuses: a JSON body and a ``WWW-Authenticate: Bearer`` challenge."""

    def __init__(self, status, description, error=None, scope=None):
        challenge = [f'realm="{REALM}"']
        body = {"error_description": description}
        # §3.1: a request without any token gets a challenge without an error.
        if error:
            challenge += [f'error="{error}"', f'error_description="{description}"']
            body = {"error": error, **body}
        if scope:
            challenge.append(f'scope="{scope}"')
        response = Response(
            json.dumps(body),
            status=status,
            headers=dict(
                JSON_HEADERS, **{"WWW-Authenticate": "Bearer " + ", ".join(challenge)}
            ),
        )
        self.code = status
        super().__init__(description, response=response)


def _bearer_token_record(env, uri, method, body, headers, scopes):
    """``(valid, record)``: the live access token of the request, if any, and
    whether it carries ``scopes``."""
    valid, oauth_request = oauth2_server(env).verify_request(
        uri, method, body, headers, scopes=scopes
    )
    return valid, oauth_request.access_token_record


def authenticate_bearer(env, httprequest, scopes):
    """The live access token sent in the Authorization header (RFC 6750 §2.1)
    that carries ``scopes``; raises BearerTokenError otherwise."""
    if "access_token" in httprequest.args:
        # RFC 9700 §4.3.2: a token in a URL leaks through logs and history.
        raise BearerTokenError(
            400,
            "Send the access token in the Authorization header, not in the URL.",
            error="invalid_request",
        )
    authorization = httprequest.headers.get("Authorization", "")
    if authorization.partition(" ")[0].lower() != "bearer":
        raise BearerTokenError(
            401,
            "This resource needs an OAuth2 access token in an "
            "'Authorization: Bearer' header.",
        )
    valid, record = _bearer_token_record(
        env,
        httprequest.base_url,
        httprequest.method,
        None,
        {"Authorization": authorization},
        scopes,
    )
    if not record:
        raise BearerTokenError(
            401,
            "The access token is invalid, expired or revoked.",
            error="invalid_token",
        )
    if not valid:
        raise BearerTokenError(
            403,
            "The access token lacks a scope this resource needs.",
            error="insufficient_scope",
            scope=" ".join(scopes),
        )
    return record


def tokeninfo_answer(env, httprequest):
    """Seed 001's token verification: the token comes as ``access_token`` in the
    query or the form, or in an Authorization Bearer header."""
    uri, body, headers = token_request_parts(httprequest)
    authorization = headers.get("Authorization", "")
    bearer = authorization.partition(" ")[0].lower() == "bearer"
    _valid, record = _bearer_token_record(
        env,
        uri,
        "POST",
        body,
        {"Authorization": authorization} if bearer else {},
        [],
    )
    if not record:
        return error_answer(
            "invalid_token", "The access token is invalid, expired or revoked."
        )
    return dict(JSON_HEADERS), json.dumps(record._tokeninfo()), 200


def server_metadata(env):
    """RFC 8414 §2 metadata of this authorization server, whose issuer is
    Odoo's ``web.base.url``."""
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url").rstrip("/")
    endpoint = f"{base_url}/orestapi/oauth2/"
    # "none": public clients identify themselves by client_id alone, and may
    # then introspect or revoke only their own tokens.
    client_auth_methods = ["client_secret_basic", "client_secret_post", "none"]
    return {
        "issuer": base_url,
        "authorization_endpoint": endpoint + "authorize",
        "token_endpoint": endpoint + "access_token",
        "userinfo_endpoint": endpoint + "userinfo",
        "tokeninfo_endpoint": endpoint + "tokeninfo",
        "introspection_endpoint": endpoint + "introspect",
        "revocation_endpoint": endpoint + "revoke",
        "scopes_supported": env["oauth2.scope"]._all_names(),
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": [
            "authorization_code",
            "implicit",
            "password",
            "client_credentials",
            "refresh_token",
        ],
        "token_endpoint_auth_methods_supported": client_auth_methods,
        "introspection_endpoint_auth_methods_supported": client_auth_methods,
        "revocation_endpoint_auth_methods_supported": client_auth_methods,
        "code_challenge_methods_supported": env[
            "oauth2.application"
        ]._code_challenge_methods(),
    }
