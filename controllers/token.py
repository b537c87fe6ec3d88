# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..models.res_config_settings import get_oauth2_setting
from ..oauth import routes
from ..oauth.responses import error_answer
from ..provider.server import token_endpoint_answer
from .common import JSON_ENDPOINT, applications_policy, guarded, respond


class OAuth2TokenEndpoint(http.Controller):
    # Issuing tokens writes; auth="none" routes default to a read-only cursor.
    @http.route(routes.TOKEN, readonly=False, **JSON_ENDPOINT)
    def access_token(self, **_params):
        return self._serve(older_path=False)

    @http.route(routes.OLDER_TOKEN_PATHS, readonly=False, **JSON_ENDPOINT)
    def older_access_token(self, **_params):
        return self._serve(older_path=True)

    def _serve(self, older_path):
        older_forms = request.db and get_oauth2_setting(
            request.env, "accept_older_client_requests"
        )
        if older_path and request.db and not older_forms:
            return respond(
                *error_answer(
                    "invalid_request",
                    "This token path of older clients is served only while their "
                    f"request forms are accepted (Settings); use {routes.TOKEN}.",
                    status=404,
                )
            )
        return guarded(
            ("POST", "GET") if older_forms else ("POST",),
            lambda: token_endpoint_answer(
                request.env, request.httprequest, older_grant_types=older_forms
            ),
            applications_policy(),
        )
