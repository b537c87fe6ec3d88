# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Older clients: the request forms of the orestapi and oregional_restapi
clients that came before this module, served while the setting
``accept_older_client_requests`` is on (the authorization path always).

Their support is this file, the setting and the older clients' paths of
``oauth/routes.py``: the endpoints know nothing of it.
"""

from odoo import http
from odoo.http import request

from ..models.res_config_settings import get_oauth2_setting
from ..oauth import routes
from ..oauth.constants import AUTHORIZATION_CODE
from ..oauth.responses import error_answer
from .authorize import OAuth2AuthorizationEndpoint
from .common import JSON_ENDPOINT, respond
from .token import OAuth2TokenEndpoint

# grant_type values older clients send, and the grant they mean
GRANT_TYPE_NAMES = {"code": AUTHORIZATION_CODE}


def _accepts_older_clients():
    return request.db and get_oauth2_setting(
        request.env, "accept_older_client_requests"
    )


class OlderClientsTokenEndpoint(OAuth2TokenEndpoint):
    @http.route(routes.OLDER_CLIENT_TOKEN_PATHS, readonly=False, **JSON_ENDPOINT)
    def older_clients_access_token(self, **_params):
        if request.db and not _accepts_older_clients():
            return respond(
                *error_answer(
                    "invalid_request",
                    "This token path of older clients is served only while their "
                    f"request forms are accepted (Settings); use {routes.TOKEN}.",
                    status=404,
                )
            )
        return self.access_token()

    def _request_forms(self):
        # GET with the parameters in the query, and grant_type=code
        if _accepts_older_clients():
            return ("POST", "GET"), GRANT_TYPE_NAMES
        return super()._request_forms()


class OlderClientsAuthorizationEndpoint(OAuth2AuthorizationEndpoint):
    @http.route(
        routes.OLDER_CLIENT_AUTHORIZE,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
    )
    def older_clients_authorize(self, **params):
        return self.authorize(**params)
