"""The oauthlib server of every endpoint, and the endpoints oauthlib answers
whole: token (RFC 6749 §3.2), introspection (RFC 7662) and revocation
(RFC 7009)."""

from oauthlib.openid import Server
from oauthlib.openid.connect.core.grant_types import RefreshTokenGrant

from ..oauth.http_adapter import (
    earns_basic_challenge,
    form_request_parts,
    token_request_parts,
    token_request_problem,
)
from ..oauth.oidc import check_authentication_request
from ..oauth.pkce import check_code_challenge, check_code_verifier
from ..oauth.response_modes import RESPONSE_TYPES, check_response_mode
from ..oauth.responses import error_answer, token_answer
from ..oauth.secrets import generate_secret
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


def oauth2_server(env, remote_addr=None, session_user=None, auth_time=None, sid=None):
    """The oauthlib server, OpenID Provider included; ``remote_addr`` is the
    client's address, which failed client authentications are counted for;
    ``session_user``, ``auth_time`` and ``sid`` are for the authorization
    endpoint (see :class:`~.validator.OdooRequestValidator`)."""
    validator = OdooRequestValidator(env, remote_addr, session_user, auth_time, sid)
    server = Server(
        validator,
        token_expires_in=_access_token_lifetime,
        token_generator=validator.generate_access_token,
        refresh_token_generator=lambda request: generate_secret(),
    )
    # oauthlib 3.2's server refreshes without an id_token (OpenID Connect
    # Core §12.2 asks for one when the grant has openid); 4.0's does this.
    server.refresh_grant = RefreshTokenGrant(validator)
    server.grant_types["refresh_token"] = server.refresh_grant
    # Access tokens are the module's bearer tokens only, opaque or JWT, which
    # validator.generate_access_token makes: oauthlib's OpenID server would
    # also take any request for a JWT bearer token of its own.
    server.tokens.pop("JWT", None)
    # Neither the hybrid flow nor oauthlib's "none" response type is served.
    for response_type in list(server.response_types):
        if response_type not in RESPONSE_TYPES:
            del server.response_types[response_type]
    # The OpenID grants run oauthlib's OAuth2 grant they wrap, with its own
    # validators: each OAuth2 grant gets ours.
    code_grants = (server.auth_grant, server.openid_connect_auth.proxy_target)
    implicit_grants = (
        server.implicit_grant,
        server.openid_connect_implicit.proxy_target,
    )
    for grant in code_grants:
        grant.create_authorization_code = _authorization_code
        grant.custom_validators.post_auth.append(check_code_challenge)
        grant.custom_validators.pre_token.append(check_code_verifier)
    for grant in (*code_grants, *implicit_grants):
        grant.custom_validators.post_auth.append(check_authentication_request)
        grant.custom_validators.post_auth.append(check_response_mode)
        # a resource of the authorization request is checked there; the
        # token request's own decides the code's tokens
        grant.custom_validators.post_auth.append(validator.validate_resource)
    token_grants = (
        *code_grants,
        server.password_grant,
        server.credentials_grant,
        server.refresh_grant,
    )
    for grant in token_grants:
        grant.custom_validators.post_token.append(validator.validate_resource)
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
