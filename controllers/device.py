# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""RFC 8628: the device authorization endpoint (§3.1), and the page where a
signed-in user types the code their device shows, then approves or denies
it (§3.3)."""

from odoo import http
from odoo.http import request

from ..oauth import acr, oidc, routes
from ..oauth.http_adapter import posted
from ..oauth.page_headers import NO_FRAMING, NOT_KEPT
from ..provider.server import device_authorization_endpoint_answer
from .common import JSON_ENDPOINT, guarded, posted_from_this_session

# The fields of the page's forms
USER_CODE = "user_code"
DECISION = "decision"
ALLOW = "allow"
DENY = "deny"


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
        remote_addr = httprequest.remote_addr
        retry_after = devices._user_code_retry_after(remote_addr)
        if retry_after:
            return self._code_page(
                "",
                request.env._(
                    "Too many wrong codes: try again in %(seconds)s seconds.",
                    seconds=retry_after,
                ),
                status=429,
            )
        typed = posted(httprequest, USER_CODE) or ""
        code = devices._normalize_user_code(typed)
        device = devices._find_pending_by_user_code(code)
        if not device:
            devices._record_wrong_user_code(remote_addr)
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
            return self._code_page(
                "",
                request.env._(
                    "%(application)s requires a two-factor login: log in again "
                    "with your second factor, then type the code.",
                    application=application.name,
                ),
                status=403,
            )
        if decision == ALLOW:
            device._approve(user, self._auth_time(user), met, amr)
            return self._done_page(device, approved=True)
        return self._consent_page(device, code)

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
                "device_user_code": code,
                "hidden_fields": [(USER_CODE, code)],
            },
        )

    def _done_page(self, device, approved):
        return self._render(
            "orestapi_oauth2.oauth2_device_done_page",
            {"application": device.application_id, "approved": approved},
        )
