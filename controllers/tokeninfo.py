# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..provider.bearer import tokeninfo_answer
from .common import JSON_ENDPOINT, guarded


class OAuth2TokeninfoEndpoint(http.Controller):
    """Token verification in the style of Google's and Amazon's token-info
    endpoints, for anyone holding the token."""

    @http.route(routes.TOKENINFO, **JSON_ENDPOINT)
    def tokeninfo(self, **_params):
        return guarded(
            ("GET", "POST"),
            lambda: tokeninfo_answer(request.env, request.httprequest),
        )
