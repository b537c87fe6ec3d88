# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..oauth import routes
from ..oauth.page_headers import NO_FRAMING

# The portal's name of the page, which its breadcrumbs are chosen by, and of
# the count of the user's connected apps that /my asks for its card.
PAGE_NAME = "oauth2_connected_apps"
COUNTER = "oauth2_consent_count"


class OAuth2ConnectedApps(CustomerPortal):
    """The applications a user approved, for portal and internal users alike:
    a page of the portal, a card on its *My Account* home."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if COUNTER in counters:
            values[COUNTER] = len(request.env["oauth2.consent"]._own())
        return values

    @http.route(
        routes.CONNECTED_APPS, type="http", auth="user", methods=["GET"], website=True
    )
    def connected_apps(self):
        values = self._prepare_portal_layout_values()
        # Portal users may read their consents, not the applications and
        # scopes: the page shows of those what the consent page showed them.
        values.update(
            {
                "page_name": PAGE_NAME,
                "consents_sudo": request.env["oauth2.consent"]._own().sudo(),
            }
        )
        response = request.render("orestapi_oauth2.oauth2_connected_apps_page", values)
        # its Revoke buttons must not be clicked through another site's frame
        response.headers.update(NO_FRAMING)
        return response

    @http.route(
        f"{routes.CONNECTED_APPS}/<int:consent_id>/revoke",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def revoke_connected_app(self, consent_id, **_post):
        # Only the user's own: another's consent, or one that does not exist,
        # is alike not found here, whoever asks (managers revoke others' in
        # the backend).
        consents = request.env["oauth2.consent"]
        consent = consents._own(consent_id)
        if not consent:
            raise NotFound()
        consent.action_revoke()
        # /my remembers for the session which cards have records, and shows
        # those without asking again: the last app revoked hides it again.
        counters = request.session.get("portal_counters")
        if counters and counters.get(COUNTER) and not consents._own():
            request.session["portal_counters"] = dict(counters, **{COUNTER: False})
        response = request.redirect(routes.CONNECTED_APPS)
        response.headers.update(NO_FRAMING)
        return response
