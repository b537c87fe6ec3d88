# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import routes
from ..oauth.client_metadata import MAX_BODY_BYTES
from ..provider.registration import management_answer, registration_answer
from .common import JSON_ENDPOINT, guarded

# Client metadata is a few hundred bytes; larger bodies get a JSON 413.
REGISTRATION_ENDPOINT = dict(JSON_ENDPOINT, max_content_length=MAX_BODY_BYTES)


class OAuth2RegistrationEndpoint(http.Controller):
    # Registering writes; auth="none" routes default to a read-only cursor.
    @http.route(routes.REGISTER, readonly=False, **REGISTRATION_ENDPOINT)
    def register(self, **_params):
        return guarded(
            ("POST",),
            lambda: registration_answer(request.env, request.httprequest),
        )

    @http.route(routes.REGISTRATION_MANAGEMENT, readonly=False, **REGISTRATION_ENDPOINT)
    def manage(self, client_id, **_params):
        return guarded(
            ("GET", "PUT", "DELETE"),
            lambda: management_answer(request.env, request.httprequest, client_id),
        )
