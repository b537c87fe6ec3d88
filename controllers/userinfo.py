# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..oauth.responses import json_answer
from .common import JSON_ENDPOINT, MAX_REQUEST_SIZE, guarded, refusal, respond


class OAuth2UserinfoEndpoint(http.Controller):
    @http.route(
        routes.USERINFO,
        type="http",
        auth="oauth2",
        # OpenID Connect Core §5.3.1: relying parties may POST the token in
        # the body, as pyoidc does by default
        oauth2_form_body_token=True,
        csrf=False,
        save_session=False,
        readonly=True,
        max_content_length=MAX_REQUEST_SIZE,
    )
    def userinfo(self, **_params):
        return guarded(
            ("GET", "POST"), lambda: json_answer(request.oauth2_token._userinfo())
        )

    # Without a database Odoo serves only the auth="none" routes of its
    # server-wide modules, so this route answers there in JSON, rather than
    # Odoo's 404 page; models/ir_http.py keeps it out of the databases' routes.
    @http.route(routes.USERINFO, oauth2_nodb_only=True, **JSON_ENDPOINT)
    def userinfo_without_database(self, **_params):
        return respond(*refusal(("GET", "POST")))
