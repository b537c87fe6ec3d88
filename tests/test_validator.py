# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The oauthlib request validator: client authentication and scopes."""

import json

from oauthlib.common import Request

from odoo.tests import TransactionCase

from ..provider.server import oauth2_server
from ..provider.validator import OdooRequestValidator, with_odoo_state
from .common import OAuth2TestMixin, basic_auth


class TestOdooRequestValidator(OAuth2TestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.validator = OdooRequestValidator()
        # characters that Basic credentials must carry form-urlencoded
        cls.odd_secret = "p@ss:word+with spaces/and%, long enough"
        cls.odd_app = cls.env["oauth2.application"].create(
            {"name": "Odd", "client_id": "odd id+1", "client_secret": cls.odd_secret}
        )

    def _request(self, headers=None, **params):
        return Request(
            "https://odoo.test/token",
            "POST",
            params,
            with_odoo_state(headers, self.env),
        )

    def _token(self, **params):
        headers, body, status = oauth2_server().create_token_response(
            "https://odoo.test/token",
            "POST",
            list(params.items()),
            with_odoo_state({}, self.env),
        )
        return status, json.loads(body)

    def test_basic_credentials_are_form_urlencoded(self):
        request = self._request(
            {"Authorization": basic_auth("odd id+1", self.odd_secret)}
        )
        self.assertTrue(self.validator.client_authentication_required(request))
        self.assertTrue(self.validator.authenticate_client(request))
        self.assertEqual(request.client, self.odd_app)
        self.assertEqual(request.client_id, "odd id+1")

    def test_malformed_basic_fails(self):
        for header in ("Basic !!!notbase64", "Basic " + "bm9jb2xvbg==", "Basic "):
            request = self._request({"Authorization": header})
            self.assertFalse(self.validator.authenticate_client(request), header)

    def test_basic_and_body_client_id_must_agree(self):
        request = self._request(
            {"Authorization": basic_auth("integration", self.secret)}, client_id="other"
        )
        self.assertFalse(self.validator.authenticate_client(request))

    def test_body_credentials(self):
        request = self._request(client_id="integration", client_secret=self.secret)
        self.assertTrue(self.validator.authenticate_client(request))
        request = self._request(client_id="integration", client_secret="wrong")
        self.assertFalse(self.validator.authenticate_client(request))

    def test_oauth_header_without_credentials_is_ignored(self):
        request = self._request(
            {"Authorization": "OAuth"},
            client_id="integration",
            client_secret=self.secret,
        )
        self.assertTrue(self.validator.authenticate_client(request))

    def test_public_client_authenticates_by_id_only(self):
        request = self._request(client_id="browser-app")
        self.assertFalse(self.validator.client_authentication_required(request))
        self.assertTrue(self.validator.authenticate_client_id("browser-app", request))
        request = self._request(client_id="integration")
        self.assertTrue(self.validator.client_authentication_required(request))
        self.assertFalse(self.validator.authenticate_client_id("integration", request))

    def test_archived_application_is_unknown(self):
        self.app.active = False
        request = self._request(client_id="integration", client_secret=self.secret)
        self.assertFalse(self.validator.authenticate_client(request))

    def test_refresh_keeps_original_scope_for_the_next_refresh(self):
        # single use, so that each refresh also revokes the pair it presents
        self.app.refresh_token_policy = "rotate"
        status, first = self._token(
            grant_type="client_credentials",
            client_id="integration",
            client_secret=self.secret,
        )
        self.assertEqual((status, first["scope"]), (200, "read write"))
        self.assertNotIn("refresh_token", first, "RFC 6749 §4.4.3")
        token = self.env["oauth2.token"]._create_from_response(
            {
                "access_token": "a",
                "refresh_token": "r",
                "expires_in": 60,
                "scope": "read write",
            },
            self.app,
            self.user,
            "password",
            "read write",
        )
        status, narrowed = self._token(
            grant_type="refresh_token",
            refresh_token="r",
            scope="read",
            client_id="integration",
            client_secret=self.secret,
        )
        self.assertEqual((status, narrowed["scope"]), (200, "read"))
        self.assertEqual(token.state, "revoked")
        status, again = self._token(
            grant_type="refresh_token",
            refresh_token=narrowed["refresh_token"],
            scope="read write",
            client_id="integration",
            client_secret=self.secret,
        )
        self.assertEqual((status, again["scope"]), (200, "read write"))
        status, star = self._token(
            grant_type="refresh_token",
            refresh_token=again["refresh_token"],
            scope="*",
            client_id="integration",
            client_secret=self.secret,
        )
        self.assertEqual((status, star["scope"]), (200, "read write"))
