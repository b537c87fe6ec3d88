# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..models.res_config_settings import get_oauth2_setting
from ..oauth import routes
from ..oauth.http_adapter import token_request_parts
from ..oauth.responses import token_answer
from ..oauth.server import oauth2_server
from .common import JSON_ENDPOINT, guarded


class OAuth2TokenEndpoint(http.Controller):
    # Issuing tokens writes; auth="none" routes default to a read-only cursor.
    @http.route(routes.TOKEN, readonly=False, **JSON_ENDPOINT)
    def access_token(self, **_params):
        get_allowed = request.db and get_oauth2_setting(
            request.env, "allow_get_token_request"
        )
        return guarded(("POST", "GET") if get_allowed else ("POST",), self._answer)

    def _answer(self):
        uri, body, headers = token_request_parts(request.httprequest)
        server = oauth2_server(request.env, request.httprequest.remote_addr)
        return token_answer(*server.create_token_response(uri, "POST", body, headers))
