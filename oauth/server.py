"""The oauthlib server of every endpoint, and the endpoints oauthlib answers
whole: token (RFC 6749 §3.2), introspection (RFC 7662) and revocation
(RFC 7009)."""

from oauthlib.oauth2 import Server

from .http_adapter import (
    earns_basic_challenge,
    form_request_parts,
    token_request_parts,
    token_request_problem,
)
from .pkce import check_code_challenge, check_code_verifier
from .responses import error_answer, token_answer
from .secrets import generate_secret
from .validator import OdooRequestValidator


def _access_token_lifetime(request):
    return request.client._get_access_token_lifetime()


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
    server.auth_grant.custom_validators.post_auth.append(check_code_challenge)
    server.auth_grant.custom_validators.pre_token.append(check_code_verifier)
    return server


def token_endpoint_answer(env, httprequest, older_grant_types=False):
    """RFC 6749 §3.2: tokens for an authenticated client; ``older_grant_types``
    accepts the grant names of older orestapi clients."""
    problem = token_request_problem(httprequest)
    if problem:
        return error_answer("invalid_request", problem)
    uri, body, headers = token_request_parts(httprequest, older_grant_types)
    server = oauth2_server(env, httprequest.remote_addr)
    return token_answer(
        *server.create_token_response(uri, "POST", body, headers),
        challenge=earns_basic_challenge(httprequest),
    )


def introspection_answer(env, httprequest):
    """RFC 7662 §2: the state of a token, for an authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    server = oauth2_server(env, httprequest.remote_addr)
    return token_answer(
        *server.create_introspect_response(uri, "POST", body, headers),
        challenge=earns_basic_challenge(httprequest),
    )


def revocation_answer(env, httprequest):
    """RFC 7009 §2: revoke a token of the authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    server = oauth2_server(env, httprequest.remote_addr)
    headers, body, status = server.create_revocation_response(
        uri, "POST", body, headers
    )
    return token_answer(
        headers, body or "{}", status, challenge=earns_basic_challenge(httprequest)
    )
