# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The device authorization grant (RFC 8628): its device authorization
endpoint (§3.1, §3.2) and its grant at the token endpoint (§3.4, §3.5).

Our own grant class rather than oauthlib's: oauthlib 3.2 has none, and 4.0's
``DeviceCodeGrant`` asks the validator for a status and skips the checks the
module runs on every grant (duplicate device_code, the custom validators'
stages, the token modifiers that add an id_token). Both versions run this
one, built on the base class they share."""

import json
from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors, utils
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase
from oauthlib.openid.connect.core.grant_types.base import (
    GrantTypeBase as OpenIDGrantTypeBase,
)

from ..oauth import routes
from ..oauth.constants import DEVICE_CODE
from ..oauth.device_flow import (
    AUTHORIZED,
    DENIED,
    DEVICE_CODE_LIFETIME,
    EXPIRED,
    PENDING,
    SLOW_DOWN,
)
from ..oauth.responses import json_answer
from .checks import check_resource
from .configuration import issuer
from .validator import odoo_state


class AuthorizationPendingError(errors.OAuth2Error):
    error = PENDING


class SlowDownError(errors.OAuth2Error):
    error = SLOW_DOWN


class TooManyPendingError(errors.OAuth2Error):
    """At the device authorization endpoint, which RFC 8628 gives no error
    of its own for this: its slow_down, with RFC 6585's 429 and when to try
    again."""

    error = SLOW_DOWN
    status_code = 429

    def __init__(self, retry_after, **kwargs):
        super().__init__(**kwargs)
        self.retry_after = retry_after

    @property
    def headers(self):
        return {"Retry-After": str(self.retry_after)}


class ExpiredTokenError(errors.OAuth2Error):
    error = EXPIRED


class DeviceAccessDeniedError(errors.OAuth2Error):
    # RFC 8628 §3.5's access_denied at the token endpoint: a 400 like the
    # section's other errors, not oauthlib's redirect-bound AccessDeniedError
    error = DENIED


POLL_ERRORS = {
    PENDING: (
        AuthorizationPendingError,
        "The user has not approved the request yet; poll again after the interval.",
    ),
    SLOW_DOWN: (
        SlowDownError,
        "Polled too soon: wait 5 seconds more between polls from now on.",
    ),
    EXPIRED: (
        ExpiredTokenError,
        "The device code expired; ask for a new one.",
    ),
    DENIED: (DeviceAccessDeniedError, "The user denied the request."),
}


def authenticate(validator, request):
    """RFC 6749 §3.2.1, as the token endpoint does: a confidential client
    with its secret, a public one by its client_id (RFC 8628 §3.1)."""
    if validator.client_authentication_required(request):
        if not validator.authenticate_client(request):
            raise errors.InvalidClientError(request=request)
    elif not validator.authenticate_client_id(request.client_id, request):
        raise errors.InvalidClientError(request=request)


def refuse_duplicates(request, names):
    for name in names:
        if name in request.duplicate_params:
            raise errors.InvalidRequestError(
                description=f"Duplicate {name} parameter.", request=request
            )


class DeviceCodeGrant(GrantTypeBase):
    """RFC 8628 §3.4: the device polls with its device_code until the user
    approved or denied the request, or it expired."""

    def create_token_response(self, request, token_handler):
        headers = self._get_default_headers()
        try:
            self.validate_token_request(request)
        except errors.OAuth2Error as error:
            headers.update(error.headers)
            return headers, error.json, error.status_code
        token = token_handler.create_token(request, refresh_token=self.refresh_token)
        for modifier in self._token_modifiers:
            token = modifier(token, token_handler, request)
        self.request_validator.save_token(token, request)
        return headers, json.dumps(token), 200

    def validate_token_request(self, request):
        for validator in self.custom_validators.pre_token:
            validator(request)
        refuse_duplicates(request, ("grant_type", "device_code", "client_id"))
        # oauthlib 3.2's request knows no device_code: set only when sent
        device_code = getattr(request, "device_code", None)
        if not device_code:
            raise errors.InvalidRequestError(
                description="Missing device_code parameter.", request=request
            )
        authenticate(self.request_validator, request)
        if not self.request_validator.validate_grant_type(
            request.client_id, request.grant_type, request.client, request
        ):
            raise errors.UnauthorizedClientError(request=request)
        self._validate_device_code(device_code, request)
        for validator in self.custom_validators.post_token:
            validator(request)

    def _validate_device_code(self, device_code, request):
        env = odoo_state(request).env
        record = env["oauth2.device.authorization"]._lock_by_device_code(device_code)
        # another client's device code is answered like an unknown one
        status = record._poll() if record.application_id == request.client else None
        if status in POLL_ERRORS:
            error_class, description = POLL_ERRORS[status]
            raise error_class(description=description, request=request)
        if status != AUTHORIZED:
            raise errors.InvalidGrantError(
                description="The device code is unknown, or was already used.",
                request=request,
            )
        if not env["oauth2.token"]._works_for(record.user_id):
            raise errors.InvalidGrantError(
                description="The user who approved this device has been archived "
                "since.",
                request=request,
            )
        scopes = record._effective_scopes()
        if not scopes:
            raise errors.InvalidScopeError(
                description="The application may no longer obtain any scope this "
                "device was granted.",
                request=request,
            )
        request.user = record.user_id
        request.scopes = scopes
        request.device_authorization_record = record


class OpenIDDeviceCodeGrant(OpenIDGrantTypeBase):
    """The device grant with an id_token when its scopes include openid
    (OpenID Connect Core §3.1.3.3 asks nothing more of a grant that is no
    authorization request: no nonce)."""

    def __init__(self, request_validator=None, **kwargs):
        self.proxy_target = DeviceCodeGrant(
            request_validator=request_validator, **kwargs
        )
        self.register_token_modifier(self.add_id_token)


def device_authorization_answer(env, validator, uri, body, headers, remote_addr):
    # ``headers`` carry the request's OdooState (validator.with_odoo_state)
    """RFC 8628 §3.2: the device code, the user code and where the user
    types it, for an authenticated client allowed the grant; §3.2's error
    answers (RFC 6749 §5.2) otherwise."""
    request = Request(uri, "POST", body, headers)
    try:
        refuse_duplicates(request, ("client_id", "scope"))
        authenticate(validator, request)
        application = request.client
        if not application._allows_grant(DEVICE_CODE):
            raise errors.UnauthorizedClientError(
                description="This application may not use the device "
                "authorization grant; an administrator can allow it.",
                request=request,
            )
        scopes = utils.scope_to_list(request.scope) or validator.get_default_scopes(
            request.client_id, request
        )
        if not validator.validate_scopes(
            request.client_id, scopes, application, request
        ):
            raise errors.InvalidScopeError(request=request)
        # RFC 8707: refused now if the application may not have them; the
        # token request's own resources decide the tokens' audiences
        check_resource(request)
        wait = env["oauth2.device.authorization"]._pending_cap_wait(
            application, remote_addr
        )
        if wait:
            raise TooManyPendingError(
                wait,
                description="Too many device requests are waiting for their "
                "user; try again later.",
                request=request,
            )
    except errors.OAuth2Error as error:
        return dict(error.headers), error.json, error.status_code
    record, device_code, user_code = env[
        "oauth2.device.authorization"
    ]._create_for_request(application, request.scopes, remote_addr)
    verification_uri = issuer(env) + routes.DEVICE_VERIFICATION
    return json_answer(
        {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": f"{verification_uri}?"
            + urlencode({"user_code": user_code}),
            "expires_in": DEVICE_CODE_LIFETIME,
            "interval": record.interval,
        }
    )
