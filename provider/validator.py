"""The oauthlib RequestValidator backed by the Odoo ORM."""

import base64
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote_plus, urlsplit

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid import RequestValidator  # OpenID's: it has get_id_token

from odoo import SUPERUSER_ID, fields
from odoo.api import Environment
from odoo.exceptions import AccessDenied
from odoo.models import BaseModel

from ..oauth import access_tokens, acr, oidc, routes
from ..oauth.client_assertions import InvalidClientAssertion, asserted_client_id
from ..oauth.client_metadata import CLIENT_SECRET_BASIC, CLIENT_SECRET_POST
from ..oauth.claims import (
    approved_only,
    dumps,
    loads,
    requested,
    requested_subject,
    scopes_of_claims,
)
from ..oauth.constants import (
    ACCESS_TOKEN,
    ALL_SCOPES,
    CLIENT_CREDENTIALS,
    DEVICE_CODE,
    IMPLICIT,
    OPENID_SCOPE,
    PASSWORD,
    REFRESH_TOKEN,
    TOKEN_EXCHANGE,
)
from ..oauth.dpop import DPOP_SCHEME
from ..oauth.http_adapter import has_nul
from ..oauth.jose import InvalidSignedToken
from ..oauth.redirect_uris import is_registered
from ..oauth.response_modes import RESPONSE_TYPES, TOKEN
from ..oauth.secrets import generate_secret
from ..series import authenticate
from .configuration import cross_origin, issuer

# The header under which an oauthlib request carries its OdooState: no HTTP
# header has a space in its name, so no client can send one.
ODOO_STATE = "odoo state"
# Where an authorization request keeps the dpop_jkt it binds its code to
# (RFC 9449 §10), once checked (:func:`~.checks.check_dpop_jkt`).
DPOP_JKT = "dpop_jkt"


@dataclass(frozen=True)
class OdooState:
    """What the validator needs of a request beside oauthlib's parameters.

    ``env`` is the superuser's: the authorization server owns its tables, and
    the client or user a request acts for is established by the validator,
    not by Odoo's session. ``remote_addr`` is the client's address, which
    failed client authentications are counted for. At the authorization
    endpoint, ``session_user`` is the user logged into Odoo in the browser
    (None when nobody is), ``auth_time`` the time of that login in seconds,
    ``amr`` how it was made (RFC 8176 values, oauth/acr.py), and ``sid`` the
    OpenID Connect session ID of that browser session;
    ``request_object_problem`` why the request object the request came with
    was refused (:func:`~.checks.check_request_object`). ``pushed`` says the
    authorization request came through the PAR endpoint (RFC 9126), and
    ``pushing`` that it is being pushed now: checked for everything but the
    user, whom no browser brings yet. At the token endpoint, ``dpop_jkt``
    is the thumbprint of the key of the request's valid DPoP proof (RFC
    9449), which the tokens are bound to.
    """

    env: Environment
    remote_addr: str | None = None
    session_user: BaseModel | None = None
    auth_time: int | None = None
    sid: str | None = None
    amr: tuple[str, ...] = ()
    request_object_problem: str | None = None
    pushed: bool = False
    pushing: bool = False
    dpop_jkt: str | None = None


class Login(NamedTuple):
    """The login a token or id_token is issued for: when (``auth_time``, in
    seconds), in which browser session (``sid``), and how (``acr``, ``amr``);
    each None or empty when unknown."""

    auth_time: int | None = None
    sid: str | None = None
    acr: str | None = None
    amr: tuple[str, ...] = ()


def with_odoo_state(headers, env, **state):
    """``headers`` for an oauthlib request that carries its :class:`OdooState`
    (oauthlib builds the request itself, from the headers it is given)."""
    odoo = OdooState(env(user=SUPERUSER_ID, su=True), **state)
    return dict(headers or {}, **{ODOO_STATE: odoo})


def odoo_state(request) -> OdooState:
    """The :class:`OdooState` an oauthlib request carries."""
    return request.headers[ODOO_STATE]


def set_by_server(request, name):
    """What this server set as ``name`` on the oauthlib ``request``, else
    None: for a name it has not set, oauthlib answers with the request's
    parameter of that name, which the client chose."""
    return vars(request).get(name)


def scopes_to_approve(request):
    """The scopes the user approves for the authorization ``request``: those
    it asks for and, for an OpenID request, the scopes of the claims it asks
    for by name (``oauth/claims.py``) that the application may obtain."""
    scopes = list(request.scopes)
    if OPENID_SCOPE not in scopes:
        return scopes
    claim_scopes = request.client._still_allowed(
        " ".join(scopes_of_claims(requested(request)))
    )
    return scopes + [scope for scope in claim_scopes if scope not in scopes]


class ClientThrottledError(errors.OAuth2Error):
    """Too many failed client authentications from this address or for this
    client_id: 429 with Retry-After instead of invalid_client."""

    error = "slow_down"
    status_code = 429

    def __init__(self, retry_after, request=None):
        super().__init__(
            description="Too many failed client authentications; retry in "
            f"{retry_after} seconds.",
            request=request,
        )
        self.retry_after = retry_after

    @property
    def headers(self):
        return {"Retry-After": str(self.retry_after)}


class OriginNotAllowedError(errors.OAuth2Error):
    """A page of an origin the application does not trust sent the request.

    Refused before anything runs: a browser hides the answer from such a
    page, so a refresh token rotated for it would be lost, and presented
    again, end the grant.
    """

    error = "unauthorized_client"
    status_code = 400


class OdooRequestValidator(RequestValidator):
    """Answers oauthlib's questions from the ``oauth2.*`` models.

    Holds nothing of a request: each carries its :class:`OdooState`
    (:func:`odoo_state`). The application of the request is kept on
    ``request.client``, the token pair a refresh presents on
    ``request.refresh_token_record`` and the code an exchange presents on
    ``request.authorization_code_record``. OpenID's RequestValidator, not
    OAuth2's: the OpenID grants the server runs ask ``get_id_token`` and
    ``refresh_id_token`` too.
    """

    # Client authentication (RFC 6749 §2.3), in the order Django OAuth Toolkit
    # uses: a client assertion (RFC 7523 §2.2) alone, else HTTP Basic, then
    # client_id/client_secret in the body, and a public client by its
    # client_id alone. Each application authenticates only with its
    # token_endpoint_auth_method (OAuth2ApplicationClient._authenticates_with).

    @staticmethod
    def _basic_credentials(request):
        """``(client_id, client_secret)`` from a Basic Authorization header; None
        when the request has no Basic header, and empty strings when it is
        malformed, so that it fails authentication."""
        scheme, _sep, param = (request.headers.get("Authorization") or "").partition(
            " "
        )
        if scheme.lower() != "basic":
            return None
        try:
            # ValueError covers bad base64, non-ASCII input and invalid UTF-8.
            decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
        except ValueError:
            return "", ""
        client_id, sep, client_secret = decoded.partition(":")
        # §2.3.1: both parts are form-urlencoded before being joined.
        client_id, client_secret = unquote_plus(client_id), unquote_plus(client_secret)
        if not sep or has_nul(client_id):
            return "", ""
        return client_id, client_secret

    def _load_application(self, client_id, request):
        if has_nul(client_id or ""):
            # no client_id holds one, and the database cannot be asked
            request.client = None
            return None
        loaded = set_by_server(request, "client")
        if not (loaded and loaded.client_id == client_id):
            applications = odoo_state(request).env["oauth2.application"]
            # a client_id that is the URL of a Client ID Metadata Document
            # fetches it here, in the authorization or token request
            request.client = applications._find_or_fetch_by_client_id(client_id) or None
        return request.client

    @staticmethod
    def _assertion(request):
        """``(client_assertion, client_assertion_type)`` of the request, each
        None when absent: oauthlib's request knows them only when sent."""
        return (
            getattr(request, "client_assertion", None),
            getattr(request, "client_assertion_type", None),
        )

    def _has_assertion(self, request):
        return self._assertion(request) != (None, None)

    def client_authentication_required(self, request, *args, **kwargs):
        if (
            self._basic_credentials(request) is not None
            or request.client_secret
            or self._has_assertion(request)
        ):
            return True
        application = self._load_application(request.client_id, request)
        return not application or application.client_type == "confidential"

    def authenticate_client(self, request, *args, **kwargs):
        if self._has_assertion(request):
            return self._authenticate_with_assertion(request)
        basic = self._basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
            method = CLIENT_SECRET_BASIC
            if request.client_id and request.client_id != client_id:
                return False
        else:
            client_id, client_secret = request.client_id, request.client_secret
            method = CLIENT_SECRET_POST
        application = self._load_application(client_id, request)
        if application and not application.client_secret_is_strong:
            # A secret stored before the strength rules may be guessable: it
            # waits out the throttle like a wrong one.
            self._raise_if_throttled(client_id, request)
        if not application or not application._check_client_secret(client_secret):
            return self._failed_authentication(client_id, request)
        if not application._authenticates_with(method):
            return self._refuse_client(
                client_id,
                request,
                "This application authenticates with "
                f"{application.token_endpoint_auth_method}, not with its secret.",
            )
        self._require_trusted_origin(application, request)
        request.client_id = application.client_id
        return True

    def _authenticate_with_assertion(self, request):
        """RFC 7523 §2.2 and §3: the client is the one the assertion names
        (``sub``), which the request's client_id, if any, must be, and
        proves it with the assertion alone."""
        assertion, assertion_type = self._assertion(request)
        client_id = request.client_id or asserted_client_id(assertion)
        if self._basic_credentials(request) is not None or request.client_secret:
            # RFC 6749 §2.3: one method per request
            return self._refuse_client(
                client_id,
                request,
                "A client authenticates with one method per request: a client "
                "assertion, or its secret.",
            )
        if {"client_assertion", "client_assertion_type"} & set(
            request.duplicate_params
        ):
            return self._refuse_client(
                client_id, request, "The client assertion is repeated."
            )
        application = self._load_application(client_id, request)
        if not application:
            return self._failed_authentication(client_id, request)
        try:
            application._verify_client_assertion(
                assertion,
                assertion_type,
                self._assertion_audiences(request),
            )
        except InvalidClientAssertion as error:
            return self._refuse_client(client_id, request, str(error))
        self._require_trusted_origin(application, request)
        request.client_id = application.client_id
        return True

    @staticmethod
    def _assertion_audiences(request):
        """What a client assertion's ``aud`` may be (RFC 7523 §3 and its
        revision, as node-oidc-provider accepts): this server's issuer, its
        token endpoint's URL at any endpoint, and the URL of the endpoint
        called (introspection, revocation...), as the issuer names it."""
        issuer_url = issuer(odoo_state(request).env)
        called = urlsplit(request.uri or "").path
        return {issuer_url, issuer_url + routes.TOKEN, issuer_url + called}

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        application = self._load_application(client_id, request)
        if not application or application.client_type != "public":
            return self._failed_authentication(client_id, request)
        self._require_trusted_origin(application, request)
        return True

    def _require_trusted_origin(self, application, request):
        origin = cross_origin(odoo_state(request).env, request.headers, request.uri)
        if origin and origin not in application._cors_origins():
            raise OriginNotAllowedError(
                description=f"This application does not accept requests from "
                f"pages of {origin}; an administrator can add the origin to its "
                "Allowed Origins.",
                request=request,
            )

    def _raise_if_throttled(self, client_id, request):
        odoo = odoo_state(request)
        retry_after = odoo.env["oauth2.client.auth.failure"]._retry_after(
            odoo.remote_addr, client_id
        )
        if retry_after:
            raise ClientThrottledError(retry_after, request=request)

    def _refuse_client(self, client_id, request, description):
        """A failed authentication (:meth:`_failed_authentication`) answered
        with why, as invalid_client (RFC 6749 §5.2)."""
        self._failed_authentication(client_id, request)
        raise errors.InvalidClientError(description=description, request=request)

    def _failed_authentication(self, client_id, request):
        """Count the failure; past the limit, answer 429 instead of 401.

        Only failures are slowed: a client presenting its right secret is
        answered even from an address, or for a client_id, that others made
        fail, since secrets are too strong to guess (256 generated bits, or at
        least 32 characters given by hand).
        """
        odoo = odoo_state(request)
        failures = odoo.env["oauth2.client.auth.failure"]
        retry_after = failures._retry_after(odoo.remote_addr, client_id)
        failures._record(odoo.remote_addr, client_id)
        if retry_after:
            raise ClientThrottledError(retry_after, request=request)
        return False

    # Grants and scopes

    def validate_grant_type(
        self, client_id, grant_type, client, request, *args, **kwargs
    ):
        if not client._allows_grant(grant_type):
            return False
        if grant_type == CLIENT_CREDENTIALS:
            self._require_acts_as_user(client, request)
        return True

    def _require_acts_as_user(self, client, request):
        """Refuse a client_credentials token that would be refused wherever
        it is used. RFC 6749 §5.2's unauthorized_client, not invalid_client:
        the client did authenticate, and a 401 would send its developers
        after a secret that is right (and count as a failed authentication
        towards the throttle); what it lacks is a user to act as."""
        if not client.user_id:
            description = (
                "This application acts as no user: an administrator must "
                "choose one in its Acts As field before it can obtain tokens "
                "with client_credentials."
            )
        elif not odoo_state(request).env["oauth2.token"]._works_for(client.user_id):
            description = (
                "The user this application acts as is archived, so its tokens "
                "would be refused: an administrator must restore that user or "
                "choose an active one in Acts As."
            )
        else:
            return
        raise errors.UnauthorizedClientError(description=description, request=request)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        # RFC 6749 §3.3: a request without scope gets the application's default.
        return list(request.client._default_scope_names())

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        resolved = client._resolve_scopes(scopes)
        if not resolved:
            return False
        if OPENID_SCOPE in resolved and request.grant_type == CLIENT_CREDENTIALS:
            # An id_token says that a user signed in: the application alone
            # is no user.
            raise errors.InvalidScopeError(
                description="The openid scope needs a user who signs in; "
                "client_credentials has none.",
                request=request,
            )
        request.scopes = resolved
        return True

    # Resource owner password credentials (RFC 6749 §4.3)

    def validate_user(self, username, password, client, request, *args, **kwargs):
        # Checked before the password so that a client that may not use this grant
        # learns nothing about the user's credentials.
        if not client._allows_grant(PASSWORD):
            raise errors.UnauthorizedClientError(request=request)
        users = odoo_state(request).env["res.users"]
        credential = {"type": "password", "login": username, "password": password}
        try:
            # Odoo's own login: cooldown after failures, active users only.
            auth_info = authenticate(users, credential, {"interactive": True})
        except AccessDenied:
            return False
        user = users.browse(auth_info["uid"])
        if auth_info.get("mfa") != "skip" and user._mfa_type():
            raise errors.InvalidGrantError(
                description="This user has two-factor authentication enabled, which "
                "the password grant cannot honour: use the authorization code grant.",
                request=request,
            )
        request.user = user
        return True

    # Refresh tokens (RFC 6749 §6)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        tokens = odoo_state(request).env["oauth2.token"]
        token = tokens._lock_by_refresh_token(refresh_token)
        if not token or token.application_id != client:
            return False
        if token.revoked:
            # RFC 9700 §4.14.2: a refresh token presented after it was rotated
            # or revoked may be a stolen copy; every token of its grant goes.
            token._revoke_family()
            return False
        if not tokens._works_for(token.user_id):
            raise errors.InvalidGrantError(
                description="The user of this refresh token is archived: their "
                "tokens are refused until an administrator restores them.",
                request=request,
            )
        if not token._is_live(REFRESH_TOKEN):
            return False
        self._require_scopes_left(
            token._effective_scopes(REFRESH_TOKEN), "refresh token", request
        )
        request.user = token.user_id
        request.refresh_token_record = token
        return True

    @staticmethod
    def _require_scopes_left(scopes, grant, request):
        if not scopes:
            raise errors.InvalidScopeError(
                description="The application may no longer obtain any scope this "
                f"{grant} was granted.",
                request=request,
            )

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        return request.refresh_token_record._effective_scopes(REFRESH_TOKEN)

    def is_within_original_scope(
        self, request_scopes, refresh_token, request, *args, **kwargs
    ):
        if request_scopes != [ALL_SCOPES]:
            return False
        request.scopes = self.get_original_scopes(refresh_token, request)
        return True

    # The authorization endpoint (RFC 6749 §4.1.1, §4.2.1)

    def validate_client_id(self, client_id, request, *args, **kwargs):
        return bool(self._load_application(client_id, request))

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return self._load_application(client_id, request)._default_redirect_uri()

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        application = self._load_application(client_id, request)
        return is_registered(redirect_uri, application._redirect_uri_list())

    def validate_response_type(
        self, client_id, response_type, client, request, *args, **kwargs
    ):
        if response_type not in RESPONSE_TYPES:
            # oauthlib hands any response type that contains "code" to the
            # code grant, in whatever order or company ("token code")
            raise errors.UnsupportedResponseTypeError(request=request)
        if client.dpop_bound_access_tokens and TOKEN in response_type.split():
            # RFC 9449 §5.2: a token from the authorization endpoint comes
            # with no proof, so it could not be bound
            return False
        return client._allows_response_type(response_type)

    def is_pkce_required(self, client_id, request):
        return self._load_application(client_id, request)._is_pkce_required()

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        odoo = odoo_state(request)
        login = self._session_login(request)
        record = odoo.env["oauth2.authorization.code"]._create_for_request(
            code["code"],
            request.client,
            request.user,
            request.scopes,
            # only a redirect_uri the client sent binds the token request
            None if request.using_default_redirect_uri else request.redirect_uri,
            request.code_challenge,
            request.code_challenge_method,
            nonce=request.nonce,
            auth_time=login.auth_time,
            sid=login.sid,
            acr=login.acr,
            amr=login.amr,
            claims=dumps(self._requested_claims(request)),
            dpop_jkt=set_by_server(request, DPOP_JKT),
        )
        # The hybrid flow's access token, saved just before its code, came
        # from that code's authorization: a replay of the code revokes it too
        # (RFC 6749 §4.1.2).
        issued = set_by_server(request, "front_channel_token_record")
        if issued:
            issued.authorization_code_id = record

    # The code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        env = odoo_state(request).env
        record = env["oauth2.authorization.code"]._lock_by_code(code)
        if not record or record.application_id != client:
            return False
        if record.used:
            record._revoke_issued_tokens()
            return False
        if not record._is_usable():
            return False
        if not env["oauth2.token"]._works_for(record.user_id):
            raise errors.InvalidGrantError(
                description="The user who approved this code has been archived "
                "since: their tokens are refused until an administrator restores "
                "them.",
                request=request,
            )
        if request.code_verifier and not record.code_challenge:
            # RFC 9700 §2.1.1: a verifier for a code issued without a challenge
            # means someone stripped the challenge from the authorization request.
            raise errors.InvalidGrantError(
                description="A code_verifier was sent for a code that was issued "
                "without code_challenge.",
                request=request,
            )
        scopes = record._effective_scopes()
        self._require_scopes_left(scopes, "code", request)
        request.user = record.user_id
        request.scopes = scopes
        request.authorization_code_record = record
        return True

    def get_code_challenge(self, code, request):
        return request.authorization_code_record.code_challenge or None

    def get_code_challenge_method(self, code, request):
        return request.authorization_code_record.code_challenge_method or None

    def confirm_redirect_uri(
        self, client_id, code, redirect_uri, client, request, *args, **kwargs
    ):
        bound = request.authorization_code_record.redirect_uri
        if bound:
            matches = not request.using_default_redirect_uri and redirect_uri == bound
        else:
            matches = is_registered(redirect_uri, client._redirect_uri_list())
        if not matches:
            # RFC 6749 §5.2 names this invalid_grant; oauthlib would say
            # invalid_request.
            raise errors.InvalidGrantError(
                description="The redirect_uri differs from the authorization request.",
                request=request,
            )
        return True

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        request.authorization_code_record.used = True

    # Token issuance

    def _login_of(self, request):
        """The :class:`Login` of the token or id_token the request is issued:
        how, when and in which browser session its user logged in to approve
        the authorization it comes from (OpenID Connect Core §12.2 for a
        refresh)."""
        if set_by_server(request, "refresh_token_record"):
            origin = request.refresh_token_record
        elif set_by_server(request, "subject_token_record"):
            # an exchanged token stands for the login of the one it came from
            origin = request.subject_token_record
        elif set_by_server(request, "authorization_code_record"):
            origin = request.authorization_code_record
        elif set_by_server(request, "device_authorization_record"):
            # no sid: the browser session that approved is not the device's,
            # and its logout is no reason to sign the device out
            record = request.device_authorization_record
            return Login(
                oidc.as_seconds(record.auth_time),
                None,
                record.acr or None,
                tuple((record.amr or "").split()),
            )
        elif request.grant_type == PASSWORD:
            # the user has just proved who they are, with their password
            return Login(
                oidc.as_seconds(fields.Datetime.now()),
                acr=acr.ACR_PASSWORD,
                amr=(acr.AMR_PASSWORD,),
            )
        elif request.grant_type == CLIENT_CREDENTIALS:
            return Login()
        else:
            return self._session_login(request)
        return Login(
            oidc.as_seconds(origin.auth_time),
            origin.sid or None,
            origin.acr or None,
            tuple((origin.amr or "").split()),
        )

    @staticmethod
    def _session_login(request):
        """The :class:`Login` of the browser session that approves an
        authorization request: its acr is the level that request asked for
        which the session's login meets, else the level it meets."""
        odoo = odoo_state(request)
        if not odoo.session_user:
            return Login()
        asked = request.client._acr_request(request.acr_values, requested(request))
        met = acr.session_acr(odoo.amr)
        return Login(odoo.auth_time, odoo.sid, acr.acr_claim(asked, met), odoo.amr)

    def _requested_claims(self, request):
        """The claims document (OpenID Connect Core §5.5) that the grant of
        the token or id_token the request is issued honours: the one its
        authorization request sent, without the claims of scopes the user was
        not asked to approve, kept by the code and the tokens; never a token
        request's own ``claims``."""
        if set_by_server(request, "refresh_token_record"):
            return loads(request.refresh_token_record.claims)
        if set_by_server(request, "authorization_code_record"):
            return loads(request.authorization_code_record.claims)
        if request.grant_type in (
            PASSWORD,
            CLIENT_CREDENTIALS,
            DEVICE_CODE,
            TOKEN_EXCHANGE,
        ):
            # a device authorization request has no claims parameter, nor has
            # a token exchange
            return {}
        if OPENID_SCOPE not in (request.scopes or ()):
            return {}
        return approved_only(requested(request), scopes_to_approve(request))

    def generate_access_token(self, request):
        """The server's token generator: an opaque token, or a signed JWT
        access token (RFC 9068) for an application that asks for them."""
        application = request.client
        subject = set_by_server(request, "subject_token_record")
        target = set_by_server(request, "target_resource")
        # an exchanged token is in its target's format; any other, in that of
        # the one resource it is for, else in the application's
        token_format = (
            target and target.access_token_format
        ) or application._access_token_format_for(request.audiences)
        if token_format != access_tokens.JWT:
            return generate_secret()
        user = None if request.grant_type == CLIENT_CREDENTIALS else request.user
        return application._jwt_access_token(
            user,
            request.scopes,
            request.expires_in,
            request.audiences,
            self._login_of(request),
            # RFC 8693 §4.1: the client acts for the subject token's user
            act=subject._act_claim(application) if subject else None,
            # never after the token it came from, whatever second it is now
            not_after=int(subject.expires_at.timestamp()) if subject else None,
            dpop_jkt=odoo_state(request).dpop_jkt,
        )

    def save_bearer_token(self, token, request, *args, **kwargs):
        application = request.client
        grant_type = request.grant_type or IMPLICIT
        refresh_scope = token.get("scope", "")
        authorization_code = set_by_server(request, "authorization_code_record")
        family = origin_grant_type = None
        login = self._login_of(request)
        if grant_type == REFRESH_TOKEN:
            previous = request.refresh_token_record
            refresh_scope = " ".join(previous._effective_scopes(REFRESH_TOKEN))
            authorization_code = previous.authorization_code_id
            family = previous.family
            origin_grant_type = previous.origin_grant_type
            previous._spend_refresh_token()
        if not application._issues_refresh_token(refresh_scope.split()):
            token.pop(REFRESH_TOKEN, None)
        user = application.user_id if grant_type == CLIENT_CREDENTIALS else request.user
        dpop_jkt = odoo_state(request).dpop_jkt
        if dpop_jkt:
            # RFC 9449 §5.1
            token["token_type"] = DPOP_SCHEME
        tokens = odoo_state(request).env["oauth2.token"]
        record = tokens._create_from_response(
            token,
            application,
            user,
            grant_type,
            refresh_scope,
            authorization_code=authorization_code,
            family=family,
            origin_grant_type=origin_grant_type,
            auth_time=oidc.as_datetime(login.auth_time),
            audiences=request.audiences,
            sid=login.sid,
            acr=login.acr,
            amr=login.amr,
            claims=dumps(self._requested_claims(request)),
            subject_token=set_by_server(request, "subject_token_record"),
            dpop_jkt=dpop_jkt,
        )
        if grant_type == IMPLICIT:
            # issued at the authorization endpoint: in the hybrid flow, its
            # code is saved next (save_authorization_code)
            request.front_channel_token_record = record

    # Introspection (RFC 7662) and revocation (RFC 7009); a bearer token is
    # checked without oauthlib (bearer.py)

    def _find_token(self, token, token_type_hint, request):
        """``(record, token_type)`` of ``token``, looked up as the hinted type
        first; RFC 7009 §2.1 and RFC 7662 §2.1 make the hint advisory."""
        token_types = [ACCESS_TOKEN, REFRESH_TOKEN]
        if token_type_hint == REFRESH_TOKEN:
            token_types.reverse()
        tokens = odoo_state(request).env["oauth2.token"]
        for token_type in token_types:
            record = tokens._find_by_token(token, token_type)
            if record:
                return record, token_type
        return tokens, None

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        record, token_type = self._find_token(token, token_type_hint, request)
        if (
            not record
            or not record._is_live(token_type)
            or record._lost_every_scope(token_type)
        ):
            return None
        if not record._introspectable_by(request.client):
            return None
        # a resource server introspects the token it was presented
        record._mark_used()
        return record._introspection_claims(token_type, request.client)

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        record, _token_type = self._find_token(token, token_type_hint, request)
        # Another client's token is answered like an unknown one (RFC 7009 §2.2:
        # 200), so the answer tells nothing about other clients' tokens. Either
        # token ends its whole grant (RFC 7009 §2.1), as Revoke does.
        if record.application_id == request.client:
            record._revoke_family()

    # OpenID Connect Core 1.0: oauthlib's openid grants ask these.

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        # Which grant handles a code exchange, asked before anything is
        # checked: the scopes say only whether it is an OpenID one.
        codes = odoo_state(request).env["oauth2.authorization.code"]
        record = codes._find_by_code(code)
        return (record.scope or "").split()

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        return request.authorization_code_record.nonce or None

    def finalize_id_token(self, id_token, token, token_handler, request):
        login = self._login_of(request)
        if login.sid and not set_by_server(request, "refresh_token_record"):
            # the application now holds a sign-in of this browser session:
            # it is told when the session ends
            sessions = odoo_state(request).env["oauth2.session"]
            sessions._record(login.sid, request.user, request.client)
        return request.client._id_token(
            id_token,
            request.user,
            request.scopes,
            login,
            requested_claims=self._requested_claims(request),
        )

    def validate_silent_login(self, request):
        # Another user than the hint's counts as nobody for prompt=none
        # (§3.1.2.1): login_required, before the consent is even looked at.
        odoo = odoo_state(request)
        if odoo.pushing:
            # prompt=none is answered when the browser brings the request
            return True
        return (
            bool(odoo.session_user)
            and not oidc.authenticated_too_long_ago(request, odoo.auth_time)
            and self._hint_names_session_user(request)
            and self._subject_asked_is_session_user(request)
        )

    def validate_silent_authorization(self, request):
        odoo = odoo_state(request)
        if odoo.pushing:
            return True
        return not odoo.env["oauth2.consent"]._is_needed(
            odoo.session_user, request.client, scopes_to_approve(request)
        )

    def validate_user_match(self, id_token_hint, scopes, claims, request):
        return self._hint_names_session_user(
            request
        ) and self._subject_asked_is_session_user(request)

    def _subject_asked_is_session_user(self, request):
        """OpenID Connect Core §5.5.1: a ``sub`` asked for with a ``value``
        in the id_token must be the session user's, since no id_token may be
        issued for another user; without a session, it is checked again once
        the user has logged in."""
        subject = requested_subject(requested(request))
        odoo = odoo_state(request)
        if subject is None or not odoo.session_user:
            return True
        return subject == odoo.session_user._oidc_subject(request.client)

    def _hint_names_session_user(self, request):
        """§3.1.2.2: the id_token_hint, when given, must be an id_token this
        server issued to the client, and name the user of the session (an
        expired one still names them); without a session, it is checked
        again once the user has logged in."""
        if not request.id_token_hint:
            return True
        odoo = odoo_state(request)
        try:
            hint = odoo.env["oauth2.signing.key"]._verify(
                request.id_token_hint, audience=request.client_id, verify_expiry=False
            )
        except InvalidSignedToken as error:
            raise errors.InvalidRequestError(
                description="The id_token_hint is not an id_token this server "
                f"issued to this client: {error}",
                request=request,
            ) from error
        if not odoo.session_user:
            return True
        return hint["sub"] == odoo.session_user._oidc_subject(request.client)
