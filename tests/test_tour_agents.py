# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The administration screens for agents and resources, clicked through in a
browser (static/tests/tours/agents.js) by a Settings administrator: protected
resources, initial access tokens, the token exchange and device code grants,
a self-registered application suspended, and the registration settings; then
what each click did on the server."""

from odoo import fields
from odoo.tests import tagged

from ..models.res_config_settings import METADATA_DOCUMENTS_OFF, METADATA_DOCUMENTS_ON
from ..oauth.constants import (
    CLIENT_ID_METADATA_DOCUMENTS_PARAM,
    CLIENT_REGISTRATION_PARAM,
    REGISTRATION_OFF,
    REGISTRATION_TOKEN,
)
from .common import HttpCase, OAuth2TestMixin

RESOURCE_IDENTIFIER = "https://mcp.example.com/mcp"


@tagged("post_install", "-at_install")
class TestAgentsTour(OAuth2TestMixin, HttpCase):
    def setUp(self):
        super().setUp()
        apps = self.env["oauth2.application"]
        self.gateway = apps.create(
            {"name": "Tour Agent Gateway", "client_type": "confidential"}
        )
        self.self_registered = apps.create(
            {
                "name": "Tour Self-Registered Agent",
                "client_type": "public",
                "registration_source": "dynamic",
                "registered_at": fields.Datetime.now(),
                "registered_from": "192.0.2.10",
                "redirect_uris": "http://127.0.0.1:33418/callback",
            }
        )
        self.token_of_agent = self.issue_token(self.self_registered, refresh=False)[0]
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(CLIENT_REGISTRATION_PARAM, REGISTRATION_OFF)
        params.set_param(CLIENT_ID_METADATA_DOCUMENTS_PARAM, METADATA_DOCUMENTS_OFF)

    def test_agents_tour(self):
        self.assertFalse(self.gateway.grant_token_exchange)
        self.assertFalse(self.gateway.grant_device_code)
        self.assertFalse(self.token_of_agent.revoked)

        self.start_tour("/odoo", "orestapi_oauth2_agents", login="admin")

        resource = self.env["oauth2.resource"].search(
            [("identifier", "=", RESOURCE_IDENTIFIER)]
        )
        self.assertEqual(resource.name, "Tour MCP Server")
        self.assertEqual(resource.scope_ids.mapped("name"), ["read"])
        self.assertFalse(resource.is_odoo)

        token = self.env["oauth2.registration.token"].search(
            [("name", "=", "Tour agents")]
        )
        self.assertEqual(len(token), 1)
        self.assertTrue(token.sudo().token_hash)
        self.assertFalse(token.token, "the token is never read back")
        # the token the form showed once registered an agent
        self.assertEqual(token.use_count, 1)
        self.assertEqual(token.application_ids.name, "Tour Registered Agent")
        self.assertEqual(token.application_ids.registration_source, "dynamic")

        self.assertTrue(self.gateway.grant_token_exchange)
        self.assertTrue(self.gateway.grant_device_code)

        self.assertFalse(self.self_registered.active)
        self.assertTrue(self.self_registered.suspended)
        self.assertTrue(self.token_of_agent.revoked, "its tokens stopped")

        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            params.get_param(CLIENT_REGISTRATION_PARAM), REGISTRATION_TOKEN
        )
        self.assertEqual(
            params.get_param(CLIENT_ID_METADATA_DOCUMENTS_PARAM), METADATA_DOCUMENTS_ON
        )
