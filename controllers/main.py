# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..models.res_config_settings import get_oauth2_setting
from ..oauth.server import (
    error_answer,
    has_nul_character,
    method_not_allowed,
    oauth2_server,
    token_answer,
    token_request_parts,
)

TOKEN_ROUTE = "/orestapi/oauth2/access_token"


def respond(headers, body, status=200):
    return request.make_response(body, headers=list(headers.items()), status=status)


def refusal(allowed_methods):
    """The JSON error answer to a request that no OAuth2 endpoint can serve: no
    database selected, a method not in ``allowed_methods``, or a NUL character;
    None when the endpoint may go on."""
    if not request.db:
        return error_answer(
            "invalid_request",
            "No database is selected for this host; configure Odoo's dbfilter.",
        )
    httprequest = request.httprequest
    refused = method_not_allowed(httprequest.method, allowed_methods)
    if refused:
        return refused
    if has_nul_character(httprequest):
        return error_answer(
            "invalid_request", "A parameter or header holds a NUL character."
        )
    return None


class OAuth2Controller(http.Controller):
    # auth="none" and every method: without a database, or with a method the
    # route does not serve, the client still gets an OAuth2 JSON error rather
    # than Odoo's HTML pages. auth="none" routes default to a read-only cursor;
    # issuing tokens writes.
    @http.route(
        TOKEN_ROUTE,
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def access_token(self, **_params):
        return respond(*self._token_answer())

    def _token_answer(self):
        get_allowed = request.db and get_oauth2_setting(
            request.env, "allow_get_token_request"
        )
        refused = refusal(("POST", "GET") if get_allowed else ("POST",))
        if refused:
            return refused
        uri, body, headers = token_request_parts(request.httprequest)
        server = oauth2_server(request.env, request.httprequest.remote_addr)
        return token_answer(*server.create_token_response(uri, "POST", body, headers))
