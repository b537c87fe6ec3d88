# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The module's own checks of each grant, in the order they run.

oauthlib checks what RFC 6749 and RFC 7636 ask of a request (the client, its
redirect URI, response or grant type, scopes, PKCE method, code or refresh
token), asking :class:`~.validator.OdooRequestValidator`; around those it
runs each grant's custom validators, by stage:

* ``pre_auth``: at the authorization endpoint, once the client and its
  redirect URI are known, before anything else is checked;
* ``post_auth``: at the authorization endpoint, after oauthlib's checks
  (for an OpenID request, after OpenID's own: ``prompt=none``, the nonce of
  the implicit flow);
* ``pre_token``: at the token endpoint, before oauthlib authenticates the
  client;
* ``post_token``: at the token endpoint, after all of oauthlib's checks,
  before the tokens are made.

The tables below are those custom validators; :func:`~.server.oauth2_server`
registers them once. Each check takes the oauthlib request, raises an
``OAuth2Error`` to refuse it, and a ``pre_auth`` or ``post_auth`` one returns
what it adds to the request's information (oauthlib's contract).
"""

from typing import NamedTuple

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid.connect.core.exceptions import (
    InvalidRequestObject,
    LoginRequired,
)

from ..oauth import access_tokens, acr, dpop, oidc
from ..oauth.claims import check_claims_parameter, requested
from ..oauth.constants import (
    AUTHORIZATION_CODE,
    AUTHORIZATION_SERVER_SCOPES,
    CLIENT_CREDENTIALS,
    DEVICE_CODE,
    IMPLICIT,
    PASSWORD,
    REFRESH_TOKEN,
    TOKEN_EXCHANGE,
)
from ..oauth.oidc import (
    check_authentication_request,
    check_offline_access,
    check_redirect_uri_named,
)
from ..oauth.pkce import check_code_challenge, check_code_verifier
from ..oauth.response_modes import check_response_mode
from .dpop import check_proof_algorithm
from .validator import DPOP_JKT, odoo_state, set_by_server


def check_request_object(request):
    """RFC 9101 §6.3: a request object that was refused, and that the
    authorization endpoint took out of the request, refuses it with
    invalid_request_object, once its client and redirect URI (the query's)
    are known to be the client's."""
    problem = odoo_state(request).request_object_problem
    if problem:
        raise InvalidRequestObject(description=problem, request=request)
    return {}


def check_pushed_authorization_request(request):
    """RFC 9126 §6: an application that must push its authorization
    requests sends the user with a pushed request's request_uri alone."""
    if request.client._requires_pushed_authorization_requests() and not (
        odoo_state(request).pushed
    ):
        raise errors.InvalidRequestError(
            description="This application must push its authorization requests "
            "to the PAR endpoint (RFC 9126) and send the request_uri it gets.",
            request=request,
        )
    return {}


# Where check_acr leaves the level the user must step up to, for the
# authorization endpoint to ask for the second factor.
ACR_STEP_UP = "acr_step_up"


def check_acr(request):
    """OpenID Connect Core §5.5.1.1 and §3.1.2.1: the level of the user's
    login that the request, its essential acr claim or the application
    requires, and the one it wants. A required level that cannot be met is
    ``unmet_authentication_requirements``, a wanted one is just not met; a
    user who can give a second factor is asked for it (``ACR_STEP_UP``), which
    ``prompt=none`` forbids. Without a session, checked once the user has
    logged in."""
    asked = request.client._acr_request(request.acr_values, requested(request))
    if asked.unmeetable:
        raise acr.UnmetAuthenticationRequirements(
            description="The essential acr claim names no authentication level "
            "of this server.",
            request=request,
        )
    odoo = odoo_state(request)
    if not odoo.session_user:
        return {}
    met = acr.session_acr(odoo.amr)
    target = acr.level_to_reach(asked)
    if acr.meets(met, target):
        return {}
    required_met = acr.meets(met, asked.required)
    if not odoo.session_user._oauth2_can_step_up():
        if required_met:
            return {}
        raise acr.UnmetAuthenticationRequirements(
            description="The user has not enabled the two-factor authentication "
            "this request requires.",
            request=request,
        )
    if oidc.PROMPT_NONE in oidc.prompts(request):
        if required_met:
            return {}
        raise LoginRequired(
            description="The user must give a second factor first.", request=request
        )
    request.__dict__[ACR_STEP_UP] = target
    return {}


def check_minimum_acr(request):
    """The application's minimum level of the user's login holds at the token
    endpoint too: a password grant's login is the password alone, and a
    refresh carries the level of the login its grant came from (a token from
    before levels were recorded, the password's)."""
    required = request.client.minimum_acr
    if not required:
        return
    previous = set_by_server(request, "refresh_token_record")
    if not previous:
        if acr.meets(acr.ACR_PASSWORD, required):
            return
        raise errors.UnauthorizedClientError(
            description="The application requires a two-factor login, which "
            "the password grant cannot give.",
            request=request,
        )
    if not acr.meets(previous.acr or acr.ACR_PASSWORD, required):
        raise errors.InvalidGrantError(
            description="The application requires a stronger login than this "
            "grant's: the user must sign in again.",
            request=request,
        )


def check_resource(request):
    """RFC 8707 §2: the audiences of the token asked for, the resources the
    request names when the application may obtain tokens for them. A refresh
    that names none keeps those of the token it refreshes. At the
    authorization endpoint it checks the request's resources; the token
    request's own decide the code's tokens."""
    resources = access_tokens.requested_resources(request)
    for resource in resources:
        if not access_tokens.is_resource_uri(resource):
            raise access_tokens.InvalidTargetError(
                description="A resource must be an absolute URI without a fragment.",
                request=request,
            )
    registry = request.client.env["oauth2.resource"]
    if registry._mixes_odoo_with_others(resources):
        raise access_tokens.InvalidTargetError(
            description="A token for Odoo's APIs is for them alone: ask for "
            "a separate token for each other resource.",
            request=request,
        )
    previous = set_by_server(request, "refresh_token_record")
    if not resources and previous and previous.audience:
        # the resources of the token refreshed, as they are now: archived or
        # taken out of the application's Audiences since, refused; Odoo's APIs
        # by the issuer they have now
        resources = registry._current_audiences(
            previous.audience.split(), request.client.client_id
        )
    audiences = request.client._access_token_audiences(resources)
    if audiences is None:
        raise access_tokens.InvalidTargetError(
            description="The resource it names is not registered on this "
            "server, or this application may not obtain tokens for it.",
            request=request,
        )
    request.audiences = audiences
    _narrow_scopes_to_resources(request)
    return {}


def _narrow_scopes_to_resources(request):
    """A token for protected resources carries only the scopes they all
    accept (``oauth2.resource``): the request's scopes are narrowed before
    the user is asked to approve them, and again for the token. When only
    the authorization server's own scopes would be left, invalid_scope."""
    scopes = list(request.scopes or ())
    resources = request.client.env["oauth2.resource"]._for_audiences(request.audiences)
    narrowed = resources._accepted_scopes(scopes)
    if narrowed == scopes:
        return
    if not [name for name in narrowed if name not in AUTHORIZATION_SERVER_SCOPES]:
        raise errors.InvalidScopeError(
            description="The resource the token is for accepts none of the "
            "scopes asked for.",
            request=request,
        )
    request.scopes = narrowed


def check_dpop_jkt(request):
    """RFC 9449 §10: the ``dpop_jkt`` of an authorization request, the
    thumbprint of the key whose proof alone may exchange the code; kept for
    :meth:`~.validator.OdooRequestValidator.save_authorization_code`."""
    given = [
        value
        for name, value in (*request.uri_query_params, *(request.decoded_body or []))
        if name == DPOP_JKT
    ]
    if len(given) > 1:
        raise errors.InvalidRequestError(
            description="dpop_jkt is given more than once.", request=request
        )
    if given and not dpop.is_thumbprint(given[0]):
        raise errors.InvalidRequestError(
            description="dpop_jkt is not a JWK SHA-256 thumbprint (RFC 7638).",
            request=request,
        )
    request.__dict__[DPOP_JKT] = given[0] if given else None
    return {}


def check_dpop_binding(request):
    """RFC 9449: a proof signed with an algorithm the application may use; a
    token request of an application whose tokens are DPoP-bound carries a
    proof (§5.2); a code bound to a key by its
    authorization request (§10), and the refresh token of a public client
    (§5), are used only with a proof of the same key. The key of a
    confidential client's refresh may differ: its new access token is bound
    to that one."""
    jkt = odoo_state(request).dpop_jkt
    if jkt:
        check_proof_algorithm(
            request.client, dpop.proof_algorithm(request.headers[dpop.DPOP_HEADER])
        )
    if not jkt and request.client.dpop_bound_access_tokens:
        raise errors.InvalidRequestError(
            description="This application's access tokens are DPoP-bound: "
            "send a DPoP proof with the token request.",
            request=request,
        )
    code = set_by_server(request, "authorization_code_record")
    if code and code.dpop_jkt and code.dpop_jkt != jkt:
        raise errors.InvalidGrantError(
            description="This code is bound to another DPoP key than the "
            "proof's (dpop_jkt).",
            request=request,
        )
    previous = set_by_server(request, "refresh_token_record")
    if (
        previous
        and previous.dpop_jkt
        and previous.application_id.client_type == "public"
        and previous.dpop_jkt != jkt
    ):
        raise errors.InvalidGrantError(
            description="This refresh token is bound to another DPoP key than "
            "the proof's.",
            request=request,
        )


class GrantChecks(NamedTuple):
    """A grant's checks, by the stage oauthlib runs them at."""

    pre_auth: tuple = ()
    post_auth: tuple = ()
    pre_token: tuple = ()
    post_token: tuple = ()


# What every authorization request is checked for once oauthlib accepts it:
# an id_token only for openid, OpenID's prompt, max_age and nonce, no
# request_uri; a response mode the response type allows; the resources; the
# level of the user's login.
AUTHORIZATION_REQUEST_CHECKS = (
    check_authentication_request,
    check_response_mode,
    check_resource,
    check_acr,
)

GRANT_CHECKS = {
    AUTHORIZATION_CODE: GrantChecks(
        # pushed when the application must push; a refused request object; an
        # OpenID request names its redirect_uri; offline_access only with
        # prompt=consent, else ignored; a well-formed claims
        pre_auth=(
            check_pushed_authorization_request,
            check_request_object,
            check_redirect_uri_named,
            check_offline_access,
            check_claims_parameter,
        ),
        # a well-formed code_challenge, plain only where the application
        # allows it; a well-formed dpop_jkt
        post_auth=(
            check_code_challenge,
            check_dpop_jkt,
            *AUTHORIZATION_REQUEST_CHECKS,
        ),
        # a well-formed code_verifier; a proof of the key of the code, if bound
        pre_token=(check_code_verifier,),
        post_token=(check_resource, check_dpop_binding),
    ),
    IMPLICIT: GrantChecks(
        # offline_access is always ignored: no code, so no refresh token
        pre_auth=(
            check_pushed_authorization_request,
            check_request_object,
            check_redirect_uri_named,
            check_offline_access,
            check_claims_parameter,
        ),
        post_auth=AUTHORIZATION_REQUEST_CHECKS,
    ),
    # the application's minimum level of the user's login
    PASSWORD: GrantChecks(
        post_token=(check_resource, check_minimum_acr, check_dpop_binding)
    ),
    CLIENT_CREDENTIALS: GrantChecks(post_token=(check_resource, check_dpop_binding)),
    # a public client's refresh token, with a proof of its key
    REFRESH_TOKEN: GrantChecks(
        post_token=(check_resource, check_minimum_acr, check_dpop_binding)
    ),
    # the application's minimum level was checked when the user approved
    DEVICE_CODE: GrantChecks(post_token=(check_resource, check_dpop_binding)),
    # its own checks are in the grant (provider/token_exchange.py)
    TOKEN_EXCHANGE: GrantChecks(post_token=(check_dpop_binding,)),
}


def register_checks(grant, checks):
    """Add ``checks`` to the custom validators of the oauthlib ``grant``."""
    for stage, stage_checks in checks._asdict().items():
        if stage_checks:
            # a grant without the stage has an empty tuple for it
            getattr(grant.custom_validators, stage).extend(stage_checks)
