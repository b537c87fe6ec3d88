"""The oauthlib server of every endpoint, and the endpoints oauthlib answers
whole: token (RFC 6749 §3.2), introspection (RFC 7662) and revocation
(RFC 7009); the authorization endpoint's validation and response."""

import functools

from oauthlib.openid import Server
from oauthlib.openid.connect.core.grant_types import RefreshTokenGrant

from ..oauth import dpop
from ..oauth.constants import (
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    DEVICE_CODE,
    IMPLICIT,
    PASSWORD,
    REFRESH_TOKEN,
    TOKEN_EXCHANGE,
)
from ..oauth.http_adapter import (
    FORM_TYPES,
    earns_basic_challenge,
    form_request_parts,
    token_request_parts,
    token_request_problem,
)
from ..oauth.response_modes import RESPONSE_TYPES
from ..oauth.responses import error_answer, token_answer
from ..oauth.secrets import generate_secret
from .checks import GRANT_CHECKS, register_checks
from .device_code import OpenIDDeviceCodeGrant, device_authorization_answer
from .dpop import check_request_proof, nonce_headers
from .token_exchange import SUBJECT_TOKEN_RECORD, TokenExchangeGrant
from .validator import (
    OdooRequestValidator,
    scopes_to_approve,
    set_by_server,
    with_odoo_state,
)

# Where an authorization request keeps what validating it gave, by grant
# (:func:`_validated_once`).
VALIDATED = "validated_authorization"


def _access_token_lifetime(request):
    lifetime = request.client._get_access_token_lifetime()
    subject = set_by_server(request, SUBJECT_TOKEN_RECORD)
    if subject:
        # RFC 8693: an exchanged token never outlives the one it came from
        lifetime = min(lifetime, subject._expires_in())
    return lifetime


def _authorization_code(request):
    """oauthlib's code grant, with a code as strong as a token and of the
    shape the log filter masks."""
    grant = {"code": generate_secret()}
    if request.state:
        grant["state"] = request.state
    return grant


def _validated_once(grant, validate):
    """``grant``'s validation of an authorization request, run once per
    request: the endpoint validates the request before it asks the user, and
    issues the response from that same request, which oauthlib would
    validate again. Kept by grant: the response may be issued by another
    grant (an OpenID one when the default scopes bring openid), whose own
    checks must run."""

    @functools.wraps(validate)
    def validate_once(request):
        validated = set_by_server(request, VALIDATED)
        if validated is None:
            validated = request.__dict__[VALIDATED] = {}
        if grant not in validated:
            validated[grant] = validate(request)
        return validated[grant]

    return validate_once


@functools.cache
def oauth2_server():
    """The oauthlib server, OpenID Provider included, assembled once per
    worker: it holds no state of a request or a database (each request
    carries its own, :func:`~.validator.with_odoo_state`), so every
    database's requests share it."""
    validator = OdooRequestValidator()
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
    # oauthlib's "none" response type is not served.
    for response_type in list(server.response_types):
        if response_type not in RESPONSE_TYPES:
            del server.response_types[response_type]
    # The OpenID grants run oauthlib's OAuth2 grant they wrap, with its own
    # validators: each OAuth2 grant gets the checks. The hybrid flow's is a
    # code grant that adds the tokens to the code (Core §3.3): it issues a
    # code, so it is checked as the code grant is.
    code_grants = (
        server.auth_grant,
        server.openid_connect_auth.proxy_target,
        server.openid_connect_hybrid.proxy_target,
    )
    implicit_grants = (
        server.implicit_grant,
        server.openid_connect_implicit.proxy_target,
    )
    for grant in code_grants:
        grant.create_authorization_code = _authorization_code
        grant.validate_authorization_request = _validated_once(
            grant, grant.validate_authorization_request
        )
        register_checks(grant, GRANT_CHECKS[AUTHORIZATION_CODE])
    for grant in implicit_grants:
        # the implicit grant validates an authorization request as a token
        # request, since it answers with the token
        grant.validate_token_request = _validated_once(
            grant, grant.validate_token_request
        )
        register_checks(grant, GRANT_CHECKS[IMPLICIT])
    register_checks(server.password_grant, GRANT_CHECKS[PASSWORD])
    register_checks(server.credentials_grant, GRANT_CHECKS[CLIENT_CREDENTIALS])
    register_checks(server.refresh_grant, GRANT_CHECKS[REFRESH_TOKEN])
    # RFC 8628: the token endpoint dispatches by grant_type, this one included
    server.device_code_grant = OpenIDDeviceCodeGrant(validator)
    server.grant_types[DEVICE_CODE] = server.device_code_grant
    register_checks(server.device_code_grant.proxy_target, GRANT_CHECKS[DEVICE_CODE])
    # RFC 8693: its checks are in the grant (provider/token_exchange.py), but
    # for the DPoP binding every grant shares
    server.grant_types[TOKEN_EXCHANGE] = TokenExchangeGrant(validator)
    register_checks(server.grant_types[TOKEN_EXCHANGE], GRANT_CHECKS[TOKEN_EXCHANGE])
    return server


def validate_authorization_request(
    env,
    uri,
    session_user,
    auth_time,
    sid,
    amr=(),
    request_object_problem=None,
    pushed=False,
    pushing=False,
):
    """``(scopes, oauth_request)`` of the authorization request at ``uri``
    (RFC 6749 §4.1.1, §4.2.1), checked for the browser session of
    ``session_user`` (see :class:`~.validator.OdooState`), ``scopes`` being
    those the user approves (:func:`~.validator.scopes_to_approve`); raises
    oauthlib's errors. ``uri`` holds the parameters of the request object, if
    any, unpacked; ``request_object_problem`` says why one was refused.
    ``pushed``: the request came through the PAR endpoint; ``pushing``: it
    is being pushed now (see :class:`~.validator.OdooState`)."""
    headers = with_odoo_state(
        {},
        env,
        session_user=session_user,
        auth_time=auth_time,
        sid=sid,
        amr=tuple(amr),
        request_object_problem=request_object_problem,
        pushed=pushed,
        pushing=pushing,
    )
    _scopes, info = oauth2_server().validate_authorization_request(uri, headers=headers)
    return scopes_to_approve(info["request"]), info["request"]


def authorization_response(oauth_request, user):
    """``(headers, body, status)`` of the authorization response to
    ``oauth_request``, which :func:`validate_authorization_request` gave and
    ``user`` approved: oauthlib's ``create_authorization_response`` on that
    request, so that it is not validated a second time."""
    server = oauth2_server()
    oauth_request.user = user
    handler = server.response_types.get(
        oauth_request.response_type, server.default_response_type_handler
    )
    response_mode = oauth_request.response_mode
    answer = handler.create_authorization_response(
        oauth_request, server.default_token_type
    )
    # oauthlib puts its own in place of a mode it does not know, form_post,
    # which the endpoint answers itself
    oauth_request.response_mode = response_mode
    return answer


def token_endpoint_answer(env, httprequest, grant_type_names=None):
    """RFC 6749 §3.2: tokens for an authenticated client; ``grant_type_names``
    maps other names of grant types to theirs."""
    problem = token_request_problem(httprequest)
    if problem:
        return error_answer("invalid_request", problem)
    dpop_jkt = None
    if dpop.DPOP_HEADER in httprequest.headers:
        # RFC 9449 §5: checked before the client, which it says nothing of
        try:
            dpop_jkt = check_request_proof(env, httprequest).jkt
        except dpop.InvalidProof as refusal:
            return error_answer(refusal.error, str(refusal), headers=nonce_headers(env))
    uri, body, headers = token_request_parts(httprequest, grant_type_names)
    headers = with_odoo_state(
        headers, env, remote_addr=httprequest.remote_addr, dpop_jkt=dpop_jkt
    )
    headers, body, status = token_answer(
        *oauth2_server().create_token_response(uri, "POST", body, headers),
        challenge=earns_basic_challenge(httprequest),
    )
    if dpop_jkt:
        # §8: the nonce the client's next proof may carry
        headers.update(nonce_headers(env))
    return headers, body, status


def device_authorization_endpoint_answer(env, httprequest):
    """RFC 8628 §3.1: a device code and a user code, for an authenticated
    client allowed the device grant."""
    if httprequest.content_length and httprequest.mimetype not in FORM_TYPES:
        return error_answer(
            "invalid_request",
            "Device authorization requests are form-encoded "
            "(application/x-www-form-urlencoded).",
        )
    uri, body, headers = form_request_parts(httprequest)
    headers = with_odoo_state(headers, env, remote_addr=httprequest.remote_addr)
    server = oauth2_server()
    return token_answer(
        *device_authorization_answer(
            env,
            server.device_code_grant.request_validator,
            uri,
            body,
            headers,
            httprequest.remote_addr,
        ),
        challenge=earns_basic_challenge(httprequest),
    )


def introspection_answer(env, httprequest):
    """RFC 7662 §2: the state of a token, for an authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    headers = with_odoo_state(headers, env, remote_addr=httprequest.remote_addr)
    return token_answer(
        *oauth2_server().create_introspect_response(uri, "POST", body, headers),
        challenge=earns_basic_challenge(httprequest),
    )


def revocation_answer(env, httprequest):
    """RFC 7009 §2: revoke a token of the authenticated client."""
    uri, body, headers = form_request_parts(httprequest)
    headers = with_odoo_state(headers, env, remote_addr=httprequest.remote_addr)
    headers, body, status = oauth2_server().create_revocation_response(
        uri, "POST", body, headers
    )
    return token_answer(
        headers, body or "{}", status, challenge=earns_basic_challenge(httprequest)
    )
