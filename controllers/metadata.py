# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import cors, routes
from ..oauth.metadata import issuer, server_metadata
from ..oauth.responses import json_answer
from .common import guarded


class OAuth2MetadataEndpoint(http.Controller):
    @http.route(routes.METADATA, type="http", auth="none", csrf=False)
    def metadata(self, **_params):
        return guarded(
            ("GET", "HEAD"),
            lambda: json_answer(server_metadata(request.env, issuer(request.env))),
            cors.any_origin,
        )
