# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OAuth2 JSON answers from a server that selects no database."""

import unittest

import requests

from .common import TOKEN_PATH, start_odoo


class TestNoDatabaseSelected(unittest.TestCase):
    """A server whose dbfilter picks no database still answers in OAuth2 JSON.

    That needs the module among Odoo's server-wide modules (README.rst); this
    starts such a server in its own process.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url = start_odoo(
            cls,
            "--load=base,web,orestapi_oauth2",
            "--db-filter=^orestapi-no-such-database$",
            "--log-level=warn",
        )

    def assertNoDatabaseAnswer(self, response):
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.json()["error"], "invalid_request")
        self.assertIn("database", response.json()["error_description"])

    def test_token_request_without_database(self):
        self.assertNoDatabaseAnswer(
            requests.post(
                self.url + TOKEN_PATH,
                data={"grant_type": "client_credentials"},
                timeout=10,
            )
        )

    def test_every_endpoint_without_database(self):
        for method, path in [
            ("GET", "/orestapi/oauth2/userinfo"),
            ("GET", "/orestapi/oauth2/tokeninfo?access_token=x"),
            ("POST", "/orestapi/oauth2/introspect"),
            ("POST", "/orestapi/oauth2/revoke"),
            ("GET", "/.well-known/oauth-authorization-server"),
            ("GET", "/.well-known/oauth-protected-resource"),
            ("GET", "/.well-known/oauth-protected-resource/mcp"),
        ]:
            with self.subTest(path=path):
                self.assertNoDatabaseAnswer(
                    requests.request(
                        method,
                        self.url + path,
                        data={"token": "x"} if method == "POST" else None,
                        timeout=10,
                    )
                )
