# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..provider.server import introspection_answer
from .common import JSON_ENDPOINT, guarded


class OAuth2IntrospectionEndpoint(http.Controller):
    # readonly=False: a failed client authentication is recorded for throttling.
    @http.route(routes.INTROSPECT, readonly=False, **JSON_ENDPOINT)
    def introspect(self, **_params):
        return guarded(
            ("POST",), lambda: introspection_answer(request.env, request.httprequest)
        )
