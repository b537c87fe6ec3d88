# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..oauth.responses import json_answer
from .common import guarded


class OAuth2UserinfoEndpoint(http.Controller):
    @http.route(
        routes.USERINFO,
        type="http",
        auth="oauth2",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def userinfo(self, **_params):
        return guarded(
            ("GET", "POST"), lambda: json_answer(request.env.user._oauth2_userinfo())
        )
