# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..provider.server import revocation_answer
from .common import JSON_ENDPOINT, applications_policy, guarded


class OAuth2RevocationEndpoint(http.Controller):
    @http.route(routes.REVOKE, readonly=False, **JSON_ENDPOINT)
    def revoke(self, **_params):
        return guarded(
            ("POST",),
            lambda: revocation_answer(request.env, request.httprequest),
            applications_policy(),
        )
