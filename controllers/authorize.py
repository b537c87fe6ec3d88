# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from oauthlib.oauth2.rfc6749 import errors

from odoo import _, http
from odoo.http import request

from ..oauth import routes
from ..oauth.http_adapter import canonical_uri
from ..oauth.metadata import issuer
from ..oauth.redirect_uris import destination
from ..oauth.responses import error_location, with_issuer
from ..oauth.server import oauth2_server

# Clickjacking protection for the consent page (RFC 6749 §10.13).
NO_FRAMING = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
# The consent page and the redirect carrying a code or token: neither kept in
# a cache nor named to the next site in a Referer (RFC 9700 §4.2.4).
NOT_KEPT = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class OAuth2AuthorizationEndpoint(http.Controller):
    @http.route(
        [routes.AUTHORIZE, routes.AUTHORIZE_LEGACY],
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    def authorize(self, decision=None, **_params):
        """GET asks the user (or answers at once when consent is on file); the
        consent form POSTs the decision to the same URL, query string included."""
        server = oauth2_server(request.env)
        uri = canonical_uri(request.httprequest)
        try:
            scopes, info = server.validate_authorization_request(uri)
        except errors.FatalClientError as error:
            # never redirect to a URI that is not registered (RFC 6749 §4.1.2.1)
            return self._error_page(error)
        except errors.OAuth2Error as error:
            return self._redirect(error_location(error))
        application = info["request"].client
        user = request.env.user
        if request.httprequest.method == "POST":
            if decision != "allow":
                denied = errors.AccessDeniedError(request=info["request"])
                return self._redirect(error_location(denied))
            request.env["oauth2.consent"]._grant(user, application, scopes)
        elif request.env["oauth2.consent"]._is_needed(user, application, scopes):
            return self._consent_page(application, scopes, uri, info["redirect_uri"])
        headers, _body, _status = server.create_authorization_response(
            uri, scopes=scopes, credentials={"user": user}
        )
        return self._redirect(headers["Location"])

    def _redirect(self, location):
        location = with_issuer(location, issuer(request.env))
        response = request.redirect(location, local=False)
        response.headers.update(NOT_KEPT)
        return response

    def _consent_page(self, application, scopes, uri, redirect_uri):
        response = request.render(
            "orestapi_oauth2.oauth2_consent_page",
            {
                "application": application,
                "scopes": request.env["oauth2.scope"]._by_names(scopes),
                "action_url": uri,
                "destination": destination(redirect_uri),
            },
        )
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _error_page(self, error):
        not_registered = _("The return address is not registered for this application.")
        messages = {
            errors.MissingClientIdError: _(
                "The request does not say which application asks."
            ),
            errors.InvalidClientIdError: _("This application is unknown or disabled."),
            errors.MissingRedirectURIError: _(
                "The request does not say where to return, and the application has "
                "no single registered address."
            ),
            errors.InvalidRedirectURIError: not_registered,
            errors.MismatchingRedirectURIError: not_registered,
        }
        # Otherwise a parameter is repeated or cannot be parsed.
        message = messages.get(
            type(error), _("The authorization request is malformed.")
        )
        response = request.render(
            "orestapi_oauth2.oauth2_error_page", {"message": message}, status=400
        )
        response.headers.update(NO_FRAMING)
        return response
