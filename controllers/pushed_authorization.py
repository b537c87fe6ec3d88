# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..provider.pushed_authorization import pushed_authorization_answer
from .common import JSON_ENDPOINT, applications_policy, guarded


class OAuth2PushedAuthorizationEndpoint(http.Controller):
    # Storing the pushed request writes; auth="none" routes default to a
    # read-only cursor. Browser applications push as they call the token
    # endpoint, from the origins they trust.
    @http.route(routes.PUSHED_AUTHORIZATION_REQUEST, readonly=False, **JSON_ENDPOINT)
    def pushed_authorization_request(self, **_params):
        return guarded(
            ("POST",),
            lambda: pushed_authorization_answer(request.env, request.httprequest),
            applications_policy(),
        )
