# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The authorization server metadata (RFC 8414) and the endpoints it advertises."""

from .common import PREFIX, EndpointCase, basic_auth


class TestServerMetadata(EndpointCase):
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
