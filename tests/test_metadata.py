# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The authorization server metadata (RFC 8414) and the endpoints it advertises."""

import unittest

from odoo.exceptions import ValidationError

from ..oauth import routes
from ..oauth.metadata import (
    issuer_from,
    protected_resource_metadata,
    protected_resource_metadata_url,
    server_metadata,
)
from ..oauth.responses import PUBLIC_CACHE_SECONDS
from .common import PREFIX, EndpointCase, basic_auth

METADATA_PATH = routes.METADATA
WELL_KNOWN = routes.PROTECTED_RESOURCE_METADATA


class TestServerMetadata(EndpointCase):
    def fetch(self, path=METADATA_PATH):
        """The metadata at ``path``, checked to be a public, cacheable JSON
        document: the same for every client, unlike the token answers."""
        response = self.opener.get(self.base_url() + path, timeout=30)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(
            response.headers["Cache-Control"],
            f"public, max-age={PUBLIC_CACHE_SECONDS}",
        )
        return response.json()

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
        metadata = self.fetch()
        self.assertEqual(metadata["issuer"], "https://erp.example.com")
        self.assertEqual(
            metadata["token_endpoint"], f"https://erp.example.com{PREFIX}access_token"
        )
        self.assertIs(metadata["authorization_response_iss_parameter_supported"], True)
        # Odoo's APIs are known by the issuer, and so is their metadata
        self.assertEqual(metadata["protected_resources"], ["https://erp.example.com"])
        resource = self.fetch(routes.PROTECTED_RESOURCE_METADATA)
        self.assertEqual(resource["resource"], "https://erp.example.com")
        self.assertEqual(resource["authorization_servers"], ["https://erp.example.com"])
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
        for path in (
            METADATA_PATH,
            routes.OPENID_CONFIGURATION,
            routes.PROTECTED_RESOURCE_METADATA,
        ):
            with self.subTest(path=path):
                head = self.opener.head(self.base_url() + path, timeout=30)
                self.assertEqual(head.status_code, 200)
                self.assertEqual(head.content, b"")
                self.assertTrue(
                    head.headers["Content-Type"].startswith("application/json")
                )
                self.assertEqual(
                    head.headers["Cache-Control"],
                    f"public, max-age={PUBLIC_CACHE_SECONDS}",
                )
                options = self.opener.options(self.base_url() + path, timeout=30)
                self.assertEqual(options.status_code, 204)
                self.assertEqual(options.headers["Allow"], "GET, HEAD, OPTIONS")
                cross_origin = self.opener.get(
                    self.base_url() + path,
                    headers={"Origin": "https://anywhere.example"},
                    timeout=30,
                )
                self.assertEqual(
                    cross_origin.headers["Access-Control-Allow-Origin"], "*"
                )
                self.assertNotIn(
                    "Access-Control-Allow-Credentials", cross_origin.headers
                )

    def test_metadata(self):
        metadata = self.fetch()
        issuer = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(metadata["issuer"], issuer)
        for name, path in {
            "authorization_endpoint": "authorize",
            "token_endpoint": "access_token",
            "userinfo_endpoint": "userinfo",
            "tokeninfo_endpoint": "tokeninfo",
            "introspection_endpoint": "introspect",
            "revocation_endpoint": "revoke",
            "device_authorization_endpoint": "device_authorization",
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
                "urn:ietf:params:oauth:grant-type:device_code",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            },
        )
        self.assertEqual(metadata["code_challenge_methods_supported"], ["S256"])
        # RFC 9700 §2.1.1: plain only once an application accepts it
        self.other_app.allow_pkce_plain = True
        metadata = self.fetch()
        self.assertEqual(
            metadata["code_challenge_methods_supported"], ["S256", "plain"]
        )
        self.assertIn(
            "client_secret_basic", metadata["token_endpoint_auth_methods_supported"]
        )
        self.assertLessEqual(
            {"read", "write", "rpc", "admin"}, set(metadata["scopes_supported"])
        )
        # workers keep the scope names: a new scope shows at once
        self.env["oauth2.scope"].create({"name": "newly-made"})
        self.assertIn("newly-made", self.fetch()["scopes_supported"])
        # RFC 9728 §4: the resources it issues tokens for, Odoo's APIs first;
        # an archived one no more
        self.assertEqual(metadata["protected_resources"], [issuer])
        mcp = self.env["oauth2.resource"].create(
            {"name": "MCP", "identifier": "https://mcp.example.com/mcp"}
        )
        self.assertEqual(
            self.fetch()["protected_resources"], [issuer, "https://mcp.example.com/mcp"]
        )
        mcp.active = False
        self.assertEqual(self.fetch()["protected_resources"], [issuer])

    def test_registration_endpoint_only_while_registration_is_on(self):
        """RFC 8414 §2: registration_endpoint names where clients register
        themselves (RFC 7591), only while they may; off by default."""
        self.assertNotIn("registration_endpoint", self.fetch())
        issuer = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for mode in ("token", "open"):
            with self.subTest(mode=mode):
                self.set_param("client_registration", mode)
                for path in (METADATA_PATH, routes.OPENID_CONFIGURATION):
                    self.assertEqual(
                        self.fetch(path)["registration_endpoint"],
                        f"{issuer}{PREFIX}register",
                    )
        for mode in ("off", "anything else"):
            with self.subTest(mode=mode):
                self.set_param("client_registration", mode)
                self.assertNotIn("registration_endpoint", self.fetch())

    def test_openid_configuration_is_the_same_document(self):
        """OpenID Connect Discovery 1.0 §4 and RFC 8414 §3 at their own
        addresses, with one issuer: a relying party and an OAuth client that
        compare them find no difference."""
        self.assertEqual(
            self.fetch(routes.OPENID_CONFIGURATION), self.fetch(METADATA_PATH)
        )

    def test_openid_provider_metadata(self):
        metadata = self.fetch(routes.OPENID_CONFIGURATION)
        issuer = metadata["issuer"]
        self.assertEqual(metadata["jwks_uri"], issuer + routes.JWKS)
        self.assertEqual(metadata["end_session_endpoint"], issuer + routes.END_SESSION)
        self.assertEqual(metadata["userinfo_endpoint"], issuer + routes.USERINFO)
        self.assertEqual(
            metadata["id_token_signing_alg_values_supported"], ["RS256", "ES256"]
        )
        self.assertEqual(metadata["subject_types_supported"], ["public", "pairwise"])
        self.assertLessEqual(
            {"code", "token", "id_token", "id_token token"}
            | {"code id_token", "code token", "code id_token token"},
            set(metadata["response_types_supported"]),
        )
        self.assertLessEqual(
            {"query", "fragment", "form_post"},
            set(metadata["response_modes_supported"]),
        )
        self.assertLessEqual(
            {"openid", "profile", "email", "phone", "address", "offline_access"},
            set(metadata["scopes_supported"]),
        )
        self.assertLessEqual(
            {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name"}
            | {"email", "email_verified", "phone_number", "address", "locale"},
            set(metadata["claims_supported"]),
        )
        self.assertLessEqual(
            {"none", "login", "consent"}, set(metadata["prompt_values_supported"])
        )
        self.assertIs(metadata["claims_parameter_supported"], True)
        self.assertIs(metadata["request_parameter_supported"], True)
        # what it says is not supported, a relying party must not send
        self.assertIs(metadata["request_uri_parameter_supported"], False)
        # the keys it names verify the tokens the provider signs
        jwks = self.opener.get(metadata["jwks_uri"], timeout=30).json()
        self.assertEqual(
            {jwk["alg"] for jwk in jwks["keys"]},
            set(metadata["id_token_signing_alg_values_supported"]),
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


class TestMetadataDocument(unittest.TestCase):
    """oauth/metadata.py alone: the document from the values it is given."""

    def test_document_of_the_given_issuer_scopes_and_methods(self):
        issuer = "https://sso.example.com"
        document = server_metadata(issuer, ("openid", "read"), ("S256",))
        self.assertEqual(document["issuer"], issuer)
        self.assertEqual(document["token_endpoint"], issuer + routes.TOKEN)
        self.assertEqual(document["jwks_uri"], issuer + routes.JWKS)
        self.assertEqual(document["scopes_supported"], ["openid", "read"])
        self.assertEqual(document["code_challenge_methods_supported"], ["S256"])
        self.assertIn("refresh_token", document["grant_types_supported"])
        self.assertEqual(document["protected_resources"], [])
        document = server_metadata(
            issuer, (), (), protected_resources=[issuer, "https://mcp.example"]
        )
        self.assertEqual(
            document["protected_resources"], [issuer, "https://mcp.example"]
        )

    def test_protected_resource_metadata_and_its_address(self):
        """RFC 9728 §2 and §3.1: the well-known path goes between the host and
        the identifier's path and query, less a terminating slash."""
        for identifier, url in (
            ("https://erp.example.com", "https://erp.example.com" + WELL_KNOWN),
            ("https://erp.example.com/", "https://erp.example.com" + WELL_KNOWN),
            (
                "https://mcp.example.com/tenant/mcp/",
                f"https://mcp.example.com{WELL_KNOWN}/tenant/mcp",
            ),
            (
                "https://mcp.example.com:8443/mcp?tenant=1",
                f"https://mcp.example.com:8443{WELL_KNOWN}/mcp?tenant=1",
            ),
        ):
            with self.subTest(identifier=identifier):
                self.assertEqual(protected_resource_metadata_url(identifier), url)
        document = protected_resource_metadata(
            "https://mcp.example.com/mcp", "https://sso.example.com", "MCP", ["read"]
        )
        self.assertEqual(
            document,
            {
                "resource": "https://mcp.example.com/mcp",
                "authorization_servers": ["https://sso.example.com"],
                "scopes_supported": ["read"],
                "bearer_methods_supported": ["header"],
                "resource_name": "MCP",
                "dpop_bound_access_tokens_required": False,
                "dpop_signing_alg_values_supported": [
                    "ES256",
                    "PS256",
                    "RS256",
                    "EdDSA",
                ],
                "tls_client_certificate_bound_access_tokens": False,
            },
        )

    def test_issuer_is_the_setting_else_the_base_url_without_a_slash(self):
        self.assertEqual(
            issuer_from(" https://sso.example.com/ ", "http://localhost:8069"),
            "https://sso.example.com",
        )
        self.assertEqual(
            issuer_from(None, "http://localhost:8069/"), "http://localhost:8069"
        )
        self.assertEqual(
            issuer_from("", "http://localhost:8069"), "http://localhost:8069"
        )
