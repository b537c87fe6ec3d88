# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint.

A resource server (an MCP server) is presented an access token this server
issued for it; to call another resource (Odoo's APIs) as that token's user,
it must not pass the token on. It trades it here instead, authenticating as
its own client: it gets a token of the same user for the other resource,
with no more scopes than the token it was given, which lives no longer than
that token and ends when it is revoked.

:meth:`TokenExchangeGrant.validate_token_request` holds every check, in the
order it runs; the validator authenticates the client (and counts its
failures towards the throttle) and saves the token as for any other grant.
"""

import json
import logging

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase

from ..oauth import acr
from ..oauth.access_tokens import InvalidTargetError, is_resource_uri
from ..oauth.constants import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_TYPE_URI,
    AUTHORIZATION_SERVER_SCOPES,
    TOKEN_EXCHANGE,
)
from .validator import odoo_state

_logger = logging.getLogger(__name__)

# RFC 8693 §2.1's parameters; each names one value, but for the targets.
SUBJECT_TOKEN = "subject_token"
SUBJECT_TOKEN_TYPE = "subject_token_type"
ACTOR_TOKEN = "actor_token"
ACTOR_TOKEN_TYPE = "actor_token_type"
REQUESTED_TOKEN_TYPE = "requested_token_type"
RESOURCE = "resource"
AUDIENCE = "audience"
SINGLE_VALUED = (
    "grant_type",
    "scope",
    SUBJECT_TOKEN,
    SUBJECT_TOKEN_TYPE,
    ACTOR_TOKEN,
    ACTOR_TOKEN_TYPE,
    REQUESTED_TOKEN_TYPE,
)
# Longer than any token this server issues (a JWT access token with every
# claim is well under this): refused before a hash or a signature is computed.
MAX_SUBJECT_TOKEN_LENGTH = 8192
# What the request object carries once the checks passed: the token
# presented and the resource the new token is for.
SUBJECT_TOKEN_RECORD = "subject_token_record"
TARGET_RESOURCE = "target_resource"


def parameter_values(request, name):
    """Every value of the parameter ``name`` the request sent, in order (the
    token endpoint moves those of the query into the body)."""
    pairs = [*request.uri_query_params, *(request.decoded_body or [])]
    return [value for key, value in pairs if key == name]


def parameter(request, name):
    """The one value of ``name``, or None; repeats are refused first."""
    values = parameter_values(request, name)
    return values[0] if values else None


def invalid_request(request, description):
    return errors.InvalidRequestError(description=description, request=request)


class TokenExchangeGrant(GrantTypeBase):
    """RFC 8693's grant: an access token of this server, issued for a
    resource whose own client asks, traded for one of the same user for
    another registered resource."""

    def create_token_response(self, request, token_handler):
        headers = self._get_default_headers()
        try:
            self.validate_token_request(request)
        except errors.OAuth2Error as error:
            headers.update(error.headers)
            return headers, error.json, error.status_code
        # §2.2.1: no refresh token; the exchange is repeated with the
        # subject token while that lives
        token = token_handler.create_token(request, refresh_token=False)
        token["issued_token_type"] = ACCESS_TOKEN_TYPE_URI
        for modifier in self._token_modifiers:
            token = modifier(token)
        self.request_validator.save_token(token, request)
        _logger.info(
            "Token exchange: %s obtained a token for %s (user %s)",
            request.client.client_id,
            request.target_resource.identifier,
            request.user.id,
        )
        return headers, json.dumps(token), 200

    def validate_token_request(self, request):
        for validator in self.custom_validators.pre_token:
            validator(request)
        if request.grant_type != TOKEN_EXCHANGE:
            raise errors.UnsupportedGrantTypeError(request=request)
        # 1. one value per parameter, but for the targets (below)
        for name in SINGLE_VALUED:
            if name in request.duplicate_params:
                raise invalid_request(request, f"Duplicate {name} parameter.")
        # 2. §2.1: the client authenticates; only a confidential one can
        self._authenticate_confidential_client(request)
        # 3. the application may exchange tokens at all
        self.validate_grant_type(request)
        # 4. what is asked for: an access token, for the client itself
        if parameter(request, ACTOR_TOKEN) or parameter(request, ACTOR_TOKEN_TYPE):
            raise invalid_request(
                request,
                "actor_token is not supported: the authenticated client is the "
                "actor of the token it obtains.",
            )
        requested_type = parameter(request, REQUESTED_TOKEN_TYPE)
        if requested_type and requested_type != ACCESS_TOKEN_TYPE_URI:
            raise invalid_request(
                request,
                f"requested_token_type must be {ACCESS_TOKEN_TYPE_URI}: only "
                "access tokens are issued by exchange.",
            )
        # 5. the subject token: an access token of this server, live, issued
        # for a resource of which this client is the server
        subject = self._subject_token(request)
        # 6. the login behind it meets the client's minimum level
        self._require_minimum_acr(request, subject)
        # 7. the target: a registered active resource other than the client's
        target = self._target_resource(request)
        # 8. scopes: those the subject token has that the target accepts, the
        # client may obtain, and the request asks for
        scopes = self._scopes(request, subject, target)
        request.user = subject.user_id
        request.scopes = scopes
        # Odoo's APIs are known by the issuer as it is now
        request.audiences = [
            target._odoo_identifier() if target.is_odoo else target.identifier
        ]
        request.__dict__[SUBJECT_TOKEN_RECORD] = subject
        request.__dict__[TARGET_RESOURCE] = target
        for validator in self.custom_validators.post_token:
            validator(request)

    def _authenticate_confidential_client(self, request):
        """§2.1: client authentication, always (a public client has no
        secret, so fails it); the validator counts failures for the
        throttle."""
        if not self.request_validator.authenticate_client(request):
            raise errors.InvalidClientError(request=request)
        if request.client.client_type != "confidential":
            raise errors.UnauthorizedClientError(
                description="Only a confidential client may exchange tokens.",
                request=request,
            )
        request.client_id = request.client.client_id

    def _subject_token(self, request):
        """The token record of the subject token, refused with invalid_request
        (§2.2.2) when it is of another type, unknown, no longer usable or not
        meant for this client."""
        token = parameter(request, SUBJECT_TOKEN)
        token_type = parameter(request, SUBJECT_TOKEN_TYPE)
        if not token or not token_type:
            raise invalid_request(
                request, "subject_token and subject_token_type are required."
            )
        if token_type != ACCESS_TOKEN_TYPE_URI:
            raise invalid_request(
                request,
                f"subject_token_type must be {ACCESS_TOKEN_TYPE_URI}: only access "
                "tokens this server issued are exchanged.",
            )
        if len(token) > MAX_SUBJECT_TOKEN_LENGTH or "\x00" in token:
            raise invalid_request(request, "The subject_token is malformed.")
        env = odoo_state(request).env
        tokens = env["oauth2.token"]
        subject = tokens._find_by_token(token, ACCESS_TOKEN)
        if (
            not subject
            or not subject._is_live(ACCESS_TOKEN)
            or subject._lost_every_scope(ACCESS_TOKEN)
            or subject._expires_in() < 1
        ):
            raise invalid_request(
                request,
                "The subject_token is not an access token of this server that "
                "can be used now: unknown, expired or revoked.",
            )
        if not subject._exchangeable_by(request.client):
            raise invalid_request(
                request,
                "The subject_token was not issued for a resource of which this "
                "client is the resource server.",
            )
        return subject

    def _require_minimum_acr(self, request, subject):
        """The acting application's minimum level of the user's login holds
        for the login the subject token came from, as at a refresh."""
        required = request.client.minimum_acr
        if required and not acr.meets(subject.acr or acr.ACR_PASSWORD, required):
            raise invalid_request(
                request,
                "This client requires a stronger login than the one the "
                "subject_token came from: the user must sign in again.",
            )

    def _target_resource(self, request):
        """The resource the token is for: the one ``resource`` or
        ``audience`` names (RFC 8693 §2.1 allows either), else Odoo's APIs;
        refused with invalid_target (§2.2.2)."""
        named = list(
            dict.fromkeys(
                parameter_values(request, RESOURCE)
                + parameter_values(request, AUDIENCE)
            )
        )
        if len(named) > 1:
            raise InvalidTargetError(
                description="Name one target resource per exchange.",
                request=request,
            )
        resources = odoo_state(request).env["oauth2.resource"]
        if not named:
            target = resources._odoo_resource()
        elif not is_resource_uri(named[0]):
            raise InvalidTargetError(
                description="A resource must be an absolute URI without a fragment.",
                request=request,
            )
        else:
            target = resources._find_by_identifier(named[0])
        if (
            not target
            or not target.active
            or (
                target.is_odoo
                and target._current_identifier() not in resources._odoo_identifiers()
            )
        ):
            raise InvalidTargetError(
                description="The target is not a resource registered with this "
                "server.",
                request=request,
            )
        if target.application_id == request.client:
            raise InvalidTargetError(
                description="A client cannot exchange a token for a token for "
                "its own resource.",
                request=request,
            )
        # the acting application's Audiences narrow what it may obtain, by
        # exchange as by any other grant
        if (
            request.client._access_token_audiences([target._current_identifier()])
            is None
        ):
            raise InvalidTargetError(
                description="This client may not obtain tokens for the target "
                "resource.",
                request=request,
            )
        return target

    def _scopes(self, request, subject, target):
        """The scopes of the new token, in the subject token's order; none
        left is invalid_scope."""
        scopes = subject._effective_scopes(ACCESS_TOKEN)
        scopes = target._accepted_scopes(scopes)
        allowed = request.client._allowed_scope_names()
        scopes = [scope for scope in scopes if scope in allowed]
        asked = (parameter(request, "scope") or "").split()
        if asked:
            scopes = [scope for scope in scopes if scope in asked]
        # as check_resource: asking the authorization server for an id_token
        # or a refresh token is no access to the target
        if not [scope for scope in scopes if scope not in AUTHORIZATION_SERVER_SCOPES]:
            raise errors.InvalidScopeError(
                description="None of the scopes asked for is granted by the "
                "subject_token, accepted by the target resource and allowed to "
                "this client.",
                request=request,
            )
        return scopes
