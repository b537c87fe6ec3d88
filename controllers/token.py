# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..provider.server import token_endpoint_answer
from .common import JSON_ENDPOINT, applications_policy, guarded


class OAuth2TokenEndpoint(http.Controller):
    # Issuing tokens writes; auth="none" routes default to a read-only cursor.
    @http.route(routes.TOKEN, readonly=False, **JSON_ENDPOINT)
    def access_token(self, **_params):
        methods, grant_type_names = self._request_forms()
        return guarded(
            methods,
            lambda: token_endpoint_answer(
                request.env, request.httprequest, grant_type_names
            ),
            applications_policy(),
        )

    def _request_forms(self):
        """``(methods, grant_type_names)``: the methods served, and the other
        names of grant types taken (see older_clients.py)."""
        return ("POST",), None
