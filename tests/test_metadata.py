# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The authorization server metadata (RFC 8414) and the endpoints it advertises."""

from odoo.exceptions import ValidationError

from .common import PREFIX, EndpointCase, basic_auth

METADATA_PATH = "/.well-known/oauth-authorization-server"


class TestServerMetadata(EndpointCase):
    def test_issuer_url_setting(self):
        """A configured Issuer URL names the server, whatever web.base.url
        says (Odoo rewrites that when an administrator logs in)."""
        settings = self.env["res.config.settings"].create(
            {"oauth2_issuer_url": "https://erp.example.com/"}
        )
        settings.execute()
        self.env["ir.config_parameter"].set_param(
            "web.base.url", "http://localhost:8069"
        )
        metadata = self.assertJson(
            self.opener.get(self.base_url() + METADATA_PATH, timeout=30)
        )
        self.assertEqual(metadata["issuer"], "https://erp.example.com")
        self.assertEqual(
            metadata["token_endpoint"], f"https://erp.example.com{PREFIX}access_token"
        )
        self.assertIs(metadata["authorization_response_iss_parameter_supported"], True)
        for invalid in (
            "erp.example.com",
            "http://erp.example.com",
            "https://erp.example.com/?tenant=1",
            "https://erp.example.com/#top",
            "https://erp.example.com/odoo",
            "https://erp.example.com:99999",
        ):
            with self.subTest(invalid), self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({"oauth2_issuer_url": invalid})
        self.env["res.config.settings"].create(
            {"oauth2_issuer_url": " http://127.0.0.1:8069/ "}
        )

    def test_head_and_options(self):
        """The metadata is public: HEAD and OPTIONS answer like for any
        document, and every origin may read it."""
        head = self.opener.head(self.base_url() + METADATA_PATH, timeout=30)
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.content, b"")
        self.assertTrue(head.headers["Content-Type"].startswith("application/json"))
        options = self.opener.options(self.base_url() + METADATA_PATH, timeout=30)
        self.assertEqual(options.status_code, 204)
        self.assertEqual(options.headers["Allow"], "GET, HEAD, OPTIONS")
        cross_origin = self.opener.get(
            self.base_url() + METADATA_PATH,
            headers={"Origin": "https://anywhere.example"},
            timeout=30,
        )
        self.assertEqual(cross_origin.headers["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("Access-Control-Allow-Credentials", cross_origin.headers)

    def test_metadata(self):
        response = self.opener.get(
            self.base_url() + "/.well-known/oauth-authorization-server", timeout=30
        )
        metadata = self.assertJson(response)
        issuer = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(metadata["issuer"], issuer)
        for name, path in {
            "authorization_endpoint": "authorize",
            "token_endpoint": "access_token",
            "userinfo_endpoint": "userinfo",
            "tokeninfo_endpoint": "tokeninfo",
            "introspection_endpoint": "introspect",
            "revocation_endpoint": "revoke",
        }.items():
            self.assertEqual(metadata[name], f"{issuer}{PREFIX}{path}")
        self.assertEqual(
            set(metadata["grant_types_supported"]),
            {
                "authorization_code",
                "implicit",
                "password",
                "client_credentials",
                "refresh_token",
            },
        )
        self.assertEqual(metadata["response_types_supported"], ["code", "token"])
        self.assertEqual(metadata["code_challenge_methods_supported"], ["S256"])
        # RFC 9700 §2.1.1: plain only once an application accepts it
        self.other_app.allow_pkce_plain = True
        metadata = self.assertJson(
            self.opener.get(
                self.base_url() + "/.well-known/oauth-authorization-server",
                timeout=30,
            )
        )
        self.assertEqual(
            metadata["code_challenge_methods_supported"], ["S256", "plain"]
        )
        self.assertIn(
            "client_secret_basic", metadata["token_endpoint_auth_methods_supported"]
        )
        self.assertLessEqual(
            {"read", "write", "rpc", "admin"}, set(metadata["scopes_supported"])
        )

    def test_advertised_endpoints_answer(self):
        metadata = self.opener.get(
            self.base_url() + "/.well-known/oauth-authorization-server", timeout=30
        ).json()
        _record, access_token, _refresh = self.issue_token()
        bearer = {"Authorization": f"Bearer {access_token}"}
        basic = {"Authorization": basic_auth(*self.integration)}
        for name, method, data, headers in (
            ("userinfo_endpoint", "GET", None, bearer),
            ("tokeninfo_endpoint", "GET", None, bearer),
            ("introspection_endpoint", "POST", {"token": access_token}, basic),
            ("revocation_endpoint", "POST", {"token": access_token}, basic),
        ):
            with self.subTest(endpoint=name):
                response = self.opener.request(
                    method, metadata[name], data=data, headers=headers, timeout=30
                )
                self.assertEqual(response.status_code, 200, response.text)
