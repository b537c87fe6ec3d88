# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""RFC 8628: the device authorization endpoint (§3.1), and the page where a
signed-in user types the code their device shows, then approves or denies
it (§3.3)."""

import re

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..oauth import acr, oidc, routes
from ..oauth.device_flow import display_user_code
from ..oauth.http_adapter import posted
from ..oauth.page_headers import NO_FRAMING, NOT_KEPT
from ..provider.server import device_authorization_endpoint_answer
from .common import JSON_ENDPOINT, guarded, posted_from_this_session

# The fields of the page's forms
USER_CODE = "user_code"
DECISION = "decision"
ALLOW = "allow"
DENY = "deny"
# the second factor page's decision and field, as at the authorization
# endpoint
SECOND_FACTOR = "second_factor"
SECOND_FACTOR_CODE = "totp_token"


class OAuth2DeviceAuthorization(http.Controller):
    # Issuing codes writes; auth="none" routes default to a read-only cursor.
    # No CORS: devices are no web pages.
    @http.route(routes.DEVICE_AUTHORIZATION, readonly=False, **JSON_ENDPOINT)
    def device_authorization(self, **_params):
        return guarded(
            ("POST",),
            lambda: device_authorization_endpoint_answer(
                request.env, request.httprequest
            ),
        )

    @http.route(
        routes.DEVICE_VERIFICATION,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        # checked here, to answer with this page rather than Odoo's 400
        csrf=False,
        readonly=False,
        sitemap=False,
    )
    def device_verification(self, **_params):
        """GET shows the form to type the code, filled in from
        ``verification_uri_complete``'s query, which the user still confirms
        (§5.4: a link alone must not approve anything). Every decision is a
        POST with this session's CSRF token: the code typed, then allow or
        deny."""
        user = request.env.user
        if user._is_public():
            return_to = request.httprequest.full_path.rstrip("?")
            if request.httprequest.method != "GET":
                return_to = routes.DEVICE_VERIFICATION
            return request.redirect(oidc.login_url(return_to))
        httprequest = request.httprequest
        if httprequest.method == "GET":
            return self._code_page(httprequest.args.get(USER_CODE, ""))
        if not posted_from_this_session():
            return self._code_page(
                "",
                request.env._("The form expired; type the code again."),
                status=400,
            )
        devices = request.env["oauth2.device.authorization"]
        typed = posted(httprequest, USER_CODE) or ""
        device, retry_after = devices._find_typed_user_code(
            typed, httprequest.remote_addr, user
        )
        if retry_after:
            return self._code_page(
                "",
                request.env._(
                    "Too many wrong codes: try again in %(seconds)s seconds.",
                    seconds=retry_after,
                ),
                status=429,
            )
        code = devices._normalize_user_code(typed)
        if not device:
            return self._code_page(
                typed if len(typed) <= 64 else "",
                request.env._(
                    "This code is wrong, or has expired: check it on your device."
                ),
            )
        decision = posted(httprequest, DECISION)
        if decision == DENY:
            device._deny(user)
            return self._done_page(device, approved=False)
        application = device.application_id
        amr = tuple(request.session.get(oidc.SESSION_AMR) or ())
        met = acr.session_acr(amr)
        if not acr.meets(met, application.minimum_acr or None):
            if not user._oauth2_can_step_up():
                return self._code_page(
                    "",
                    request.env._(
                        "%(application)s requires a two-factor login, which "
                        "you have not enabled.",
                        application=application.name,
                    ),
                    status=403,
                )
            if decision != SECOND_FACTOR:
                return self._second_factor_page(device, code)
            error = self._check_second_factor(user)
            if error:
                return self._second_factor_page(device, code, error)
            # the user gave it now: the consent screen follows
            return self._consent_page(device, code)
        if decision == ALLOW:
            device._approve(user, self._auth_time(user), met, amr)
            return self._done_page(device, approved=True)
        return self._consent_page(device, code)

    @staticmethod
    def _check_second_factor(user):
        """The authenticator code posted, checked as the authorization
        endpoint does (Odoo's login cooldown); when right, the session's
        login has a second factor. The error to show, else None."""
        typed = re.sub(r"\s", "", posted(request.httprequest, SECOND_FACTOR_CODE) or "")
        if not re.fullmatch(r"[0-9]{6}", typed):
            return request.env._("Invalid authentication code format.")
        try:
            user._oauth2_check_second_factor(int(typed))
        except AccessDenied as denied:
            return str(denied)
        request.session[oidc.SESSION_AMR] = acr.with_second_factor(
            request.session.get(oidc.SESSION_AMR) or ()
        )
        return None

    def _second_factor_page(self, device, code, error=None):
        return self._render(
            "orestapi_oauth2.oauth2_second_factor_page",
            {
                "application": device.application_id,
                "action_url": routes.DEVICE_VERIFICATION,
                "error": error,
                "hidden_fields": [(USER_CODE, code)],
            },
        )

    @staticmethod
    def _auth_time(user):
        return request.session.get(oidc.SESSION_AUTH_TIME) or oidc.as_seconds(
            user.sudo().login_date
        )

    def _render(self, template, values, status=200):
        response = request.render(template, values, status=status)
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _code_page(self, user_code, error=None, status=200):
        return self._render(
            "orestapi_oauth2.oauth2_device_code_page",
            {
                "action_url": routes.DEVICE_VERIFICATION,
                # the form is filled in, never submitted, from a link
                "user_code": (user_code or "")[:64],
                "error": error,
            },
            status=status,
        )

    def _consent_page(self, device, code):
        application = device.application_id
        return self._render(
            "orestapi_oauth2.oauth2_consent_page",
            {
                "application": application,
                "scopes": request.env["oauth2.scope"]._by_names(
                    device._effective_scopes()
                ),
                "action_url": routes.DEVICE_VERIFICATION,
                "destination": None,
                "device_user_code": display_user_code(code),
                "device_requested": device._requested_note(),
                "hidden_fields": [(USER_CODE, code)],
            },
        )

    def _done_page(self, device, approved):
        return self._render(
            "orestapi_oauth2.oauth2_device_done_page",
            {"application": device.application_id, "approved": approved},
        )
