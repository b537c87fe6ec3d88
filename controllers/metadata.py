# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.http import request

from ..oauth import cors, routes
from ..oauth.responses import error_answer, public_json_answer
from ..provider.configuration import server_metadata
from .common import guarded


class OAuth2MetadataEndpoint(http.Controller):
    @http.route(
        [routes.METADATA, routes.OPENID_CONFIGURATION],
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def metadata(self, **_params):
        """RFC 8414 §3 and OpenID Connect Discovery 1.0 §4: one document."""
        return guarded(
            ("GET", "HEAD"),
            lambda: public_json_answer(server_metadata(request.env)),
            cors.any_origin,
        )

    @http.route(
        routes.JWKS,
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def jwks(self, **_params):
        """RFC 7517 §5: the public keys that verify the id_tokens."""
        return guarded(
            ("GET", "HEAD"),
            lambda: public_json_answer(request.env["oauth2.signing.key"]._jwks()),
            cors.any_origin,
        )

    @http.route(
        [
            routes.PROTECTED_RESOURCE_METADATA,
            f"{routes.PROTECTED_RESOURCE_METADATA}/<path:_resource_path>",
        ],
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def protected_resource_metadata(self, **_params):
        """RFC 9728 §3: the metadata of Odoo's APIs, and of the resources on
        this server's origin whose identifier has a path (§3.1)."""
        return guarded(
            ("GET", "HEAD"),
            lambda: self._protected_resource_answer(request.httprequest.path),
            cors.any_origin,
        )

    @staticmethod
    def _protected_resource_answer(path):
        resource = request.env["oauth2.resource"]._served_at(path)
        if not resource:
            return error_answer(
                "not_found",
                "No protected resource of this server is known at this address.",
                status=404,
            )
        return public_json_answer(resource._protected_resource_metadata())
