# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Where a browser goes once its user has logged out: OpenID Connect
Front-Channel Logout 1.0's page, when the session signed into applications
that take it, on the way; for Odoo's own logout route as for this module's."""

from markupsafe import Markup

from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.session import Session

from ..oauth import frontchannel_logout


def after_logout(redirect):
    """``redirect``, the answer sending the user on after a logout in this
    request; or, when the ended session had signed into applications that
    registered a front-channel logout URI, a page that loads each in a
    hidden frame and then goes where ``redirect`` goes (§4: the OP renders
    the frames, then may redirect)."""
    frame_uris = getattr(request, "oauth2_frontchannel_logout_uris", None)
    if not frame_uris:
        return redirect
    if request.env.uid is None:
        # auth="none" routes (Odoo's logout): rendered for nobody
        request.env["ir.http"]._auth_method_public()
    response = request.render(
        "orestapi_oauth2.oauth2_frontchannel_logout_page",
        {
            "doctype": Markup("<!DOCTYPE html>"),
            "frame_uris": frame_uris,
            "location": frontchannel_logout.continue_location(
                redirect.headers["Location"]
            ),
            "continue_id": frontchannel_logout.CONTINUE_ID,
            "script": Markup(frontchannel_logout.FRAMES_SCRIPT),
        },
    )
    response.headers.update(frontchannel_logout.page_headers(frame_uris))
    return response


class OAuth2OdooLogout(Session):
    @http.route()
    def logout(self, redirect="/odoo"):
        """Odoo's logout, by way of the front-channel logout page when the
        session signed into applications that take it."""
        return after_logout(super().logout(redirect=redirect))
