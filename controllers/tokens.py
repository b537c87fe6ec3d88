# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.http import request

from ..oauth.server import (
    JSON_HEADERS,
    introspection_answer,
    revocation_answer,
    server_metadata,
    tokeninfo_answer,
)
from .main import refusal, respond

PREFIX = "/orestapi/oauth2"


def _json(payload):
    return respond(JSON_HEADERS, json.dumps(payload))


class OAuth2TokenController(http.Controller):
    """Endpoints for token holders and resource servers. Every method is routed
    so that a wrong one gets a JSON 405 rather than Odoo's HTML 404."""

    @http.route(
        f"{PREFIX}/userinfo",
        type="http",
        auth="oauth2",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def userinfo(self, **_params):
        refused = refusal(("GET", "POST"))
        return (
            respond(*refused) if refused else _json(request.env.user._oauth2_userinfo())
        )

    @http.route(f"{PREFIX}/tokeninfo", type="http", auth="none", csrf=False)
    def tokeninfo(self, **_params):
        refused = refusal(("GET", "POST"))
        return respond(*(refused or tokeninfo_answer(request.env, request.httprequest)))

    # readonly=False: a failed client authentication is recorded for throttling.
    @http.route(
        f"{PREFIX}/introspect",
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def introspect(self, **_params):
        refused = refusal(("POST",))
        return respond(
            *(refused or introspection_answer(request.env, request.httprequest))
        )

    @http.route(
        f"{PREFIX}/revoke",
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def revoke(self, **_params):
        refused = refusal(("POST",))
        return respond(
            *(refused or revocation_answer(request.env, request.httprequest))
        )

    @http.route(
        "/.well-known/oauth-authorization-server", type="http", auth="none", csrf=False
    )
    def metadata(self, **_params):
        refused = refusal(("GET",))
        return respond(*refused) if refused else _json(server_metadata(request.env))
