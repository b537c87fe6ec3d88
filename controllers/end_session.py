# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from ..oauth import end_session, oidc, routes
from ..oauth.http_adapter import posted
from ..oauth.page_headers import NO_FRAMING, NOT_KEPT
from .common import posted_from_this_session
from .logout import after_logout

# Where "Stay logged in" goes when the application named no return address.
HOME = "/odoo"


class OAuth2EndSessionEndpoint(http.Controller):
    @http.route(
        routes.END_SESSION,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        # Relying parties may POST the logout request from their own pages
        # (§2), which cannot hold this session's CSRF token; the confirmation
        # form, the only POST that may log out a user the request is not
        # tied to, is checked for it below.
        csrf=False,
    )
    def end_session(self, **_params):
        """OpenID Connect RP-Initiated Logout 1.0: log the user out, at once
        when the request's id_token_hint names them, else once they confirm
        on this server's page, then send them to the application's registered
        post-logout redirect URI, or to the logged-out page.

        A visitor nobody is logged in as goes to that URI at once only with an
        id_token_hint, as Keycloak does: otherwise any link could bounce them
        there through this server, and they confirm on the same page."""
        values = request.httprequest.values
        self._use_ui_locales(values.get("ui_locales"))
        user = request.env.user
        anonymous = user._is_public()
        try:
            logout_request = end_session.LogoutRequest.from_values(values)
            ending = request.env["oauth2.application"]._end_session(logout_request)
            decision = posted(request.httprequest, "decision")
            if decision is not None:
                self._check_confirmation(decision)
                if decision == end_session.STAY:
                    return self._redirect(ending.location or HOME)
            elif anonymous:
                if ending.location and ending.subject is None:
                    return self._confirmation_page(logout_request, ending, None)
                # nobody is logged in: nothing to confirm
                return self._leave(ending, logout_request, logged_out=False)
            elif not (
                ending.application
                and ending.names(user._oidc_subject(ending.application))
            ):
                # Anyone can make a browser ask for this URL: only a request
                # that names the user logs them out unasked.
                return self._confirmation_page(logout_request, ending, user)
        except end_session.InvalidLogoutRequest as error:
            return self._error_page(error)
        if not anonymous:
            request.session.logout(keep_db=True)
        return self._leave(ending, logout_request, logged_out=not anonymous)

    @staticmethod
    def _use_ui_locales(ui_locales):
        lang = oidc.odoo_lang(
            ui_locales,
            [code for code, _name in request.env["res.lang"].get_installed()],
        )
        if lang:
            request.update_context(lang=lang)

    @staticmethod
    def _check_confirmation(decision):
        if decision not in end_session.DECISIONS or not posted_from_this_session():
            raise end_session.UnconfirmedLogout()

    @staticmethod
    def _redirect(location):
        response = request.redirect(location, code=302, local=False)
        response.headers.update(NOT_KEPT)
        return response

    def _leave(self, ending, logout_request, logged_out):
        """Where the user goes once logged out: the application's return
        address, else the logged-out page; after a logout, that page comes
        from a request of its own, so that it is rendered for nobody, and
        reloading it posts nothing again. A logout goes by way of the
        front-channel logout page when it has frames to load."""
        if ending.location:
            response = self._redirect(ending.location)
        elif logged_out:
            page = routes.END_SESSION
            if logout_request.ui_locales:
                page += "?" + urlencode({"ui_locales": logout_request.ui_locales})
            response = request.redirect(page, code=303)
            response.headers.update(NOT_KEPT)
        else:
            return self._page("orestapi_oauth2.oauth2_logged_out_page", {})
        return after_logout(response) if logged_out else response

    def _confirmation_page(self, logout_request, ending, user):
        return self._page(
            "orestapi_oauth2.oauth2_logout_confirmation_page",
            {
                "application": ending.application,
                "user": user,
                "action_url": routes.END_SESSION,
                "parameters": logout_request.as_form(),
                "log_out": end_session.LOG_OUT,
                "stay": end_session.STAY,
            },
        )

    def _error_page(self, error):
        messages = {
            end_session.MalformedLogoutRequest: request.env._(
                "The logout request is malformed: a parameter is repeated or "
                "holds a forbidden character."
            ),
            end_session.InvalidIdTokenHint: request.env._(
                "The logout request comes with an ID token that this server did "
                "not issue, or that was altered."
            ),
            end_session.ClientMismatch: request.env._(
                "The logout request names another application than its ID token."
            ),
            end_session.UnidentifiedClient: request.env._(
                "The logout request does not say which application asks, so it "
                "cannot return to it."
            ),
            end_session.UnknownClient: request.env._(
                "This application is unknown or disabled."
            ),
            end_session.UnregisteredPostLogoutRedirectUri: request.env._(
                "The return address is not registered for this application."
            ),
            end_session.UnconfirmedLogout: request.env._(
                "This logout form has expired or was not sent from this server's "
                "page."
            ),
        }
        return self._page(
            "orestapi_oauth2.oauth2_logout_error_page",
            {"message": messages[type(error)]},
            status=400,
        )

    @staticmethod
    def _page(template, values, status=200):
        # The confirmation page holds the id_token_hint: neither cached nor
        # named in a Referer; no page of this endpoint may be framed, where a
        # click on it could be taken.
        response = request.render(template, values, status=status)
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response
