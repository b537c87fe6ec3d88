# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes


class OAuth2ConnectedApps(http.Controller):
    """The applications a user approved, for portal and internal users alike."""

    @http.route(routes.CONNECTED_APPS, type="http", auth="user", methods=["GET"])
    def connected_apps(self):
        return request.render(
            "orestapi_oauth2.oauth2_connected_apps_page",
            {"consents": request.env.user.oauth2_consent_ids},
        )

    @http.route(
        f"{routes.CONNECTED_APPS}/<int:consent_id>/revoke",
        type="http",
        auth="user",
        methods=["POST"],
    )
    def revoke_connected_app(self, consent_id):
        request.env["oauth2.consent"].browse(consent_id).action_revoke()
        return request.redirect(routes.CONNECTED_APPS)
