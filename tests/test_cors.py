# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Browser applications: CORS on the endpoints they call, for the origins
their applications trust, and nothing for the others."""

import unittest

from odoo.exceptions import ValidationError

from ..oauth import cors
from .common import EndpointCase

SPA_ORIGIN = "http://127.0.0.1:5173"
TRUSTED_ORIGIN = "https://app.example.com"
STRANGER = "https://evil.example"


class TestCrossOrigin(EndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public_app.redirect_uris = f"{SPA_ORIGIN}/callback"
        cls.app.allowed_origins = TRUSTED_ORIGIN

    def preflight(self, endpoint, origin, method="POST"):
        return self.call(
            "OPTIONS",
            endpoint,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )

    def assertReadableBy(self, response, origin):
        self.assertEqual(response.headers.get("Access-Control-Allow-Origin"), origin)
        self.assertIn("Origin", response.headers["Vary"])
        self.assertIn(
            "WWW-Authenticate", response.headers["Access-Control-Expose-Headers"]
        )
        # clients authenticate every request: the session cookie is never sent
        self.assertNotIn("Access-Control-Allow-Credentials", response.headers)

    def test_preflight_is_answered_without_authentication(self):
        for endpoint, method in (
            ("access_token", "POST"),
            ("revoke", "POST"),
            ("userinfo", "GET"),
        ):
            for origin in (SPA_ORIGIN, TRUSTED_ORIGIN):
                with self.subTest(endpoint=endpoint, origin=origin):
                    response = self.preflight(endpoint, origin, method)
                    self.assertEqual(response.status_code, 204, response.text)
                    self.assertReadableBy(response, origin)
                    self.assertIn(
                        method, response.headers["Access-Control-Allow-Methods"]
                    )
                    self.assertIn(
                        "Authorization",
                        response.headers["Access-Control-Allow-Headers"],
                    )
                    self.assertEqual(response.headers["Access-Control-Max-Age"], "600")
            with self.subTest(endpoint=endpoint, origin=STRANGER):
                response = self.preflight(endpoint, STRANGER, method)
                self.assertEqual(response.status_code, 204)
                self.assertNotIn("Access-Control-Allow-Origin", response.headers)

    def test_introspection_stays_server_to_server(self):
        response = self.preflight("introspect", TRUSTED_ORIGIN)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.headers["Allow"], "POST, OPTIONS")
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)
        _record, access_token, _refresh = self.issue_token()
        response = self.call(
            "POST",
            "introspect",
            data={"token": access_token},
            headers={"Origin": TRUSTED_ORIGIN},
            auth=self.integration,
        )
        self.assertTrue(self.assertJson(response)["active"])
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)

    def test_token_request_from_a_trusted_origin(self):
        response = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            headers={"Origin": TRUSTED_ORIGIN},
            auth=self.integration,
        )
        self.assertJson(response)
        self.assertReadableBy(response, TRUSTED_ORIGIN)

    def test_untrusted_origin_is_refused_before_anything_runs(self):
        """A page the application does not trust cannot read the answer, so
        the request must not run: a rotated refresh token would be lost."""
        pair = self.password_pair()
        tokens = self.env["oauth2.token"].search_count([])
        # trusted by another application, so the browser would let it read
        for origin in (SPA_ORIGIN, STRANGER):
            with self.subTest(origin=origin):
                response = self.call(
                    "POST",
                    "access_token",
                    data={
                        "grant_type": "refresh_token",
                        "refresh_token": pair["refresh_token"],
                    },
                    headers={"Origin": origin},
                    auth=self.integration,
                )
                body = self.assertOAuthError(response, "unauthorized_client")
                self.assertIn(origin, body["error_description"])
        self.assertEqual(self.env["oauth2.token"].search_count([]), tokens)
        self.assertJson(self.refresh(pair["refresh_token"]))

    def test_rotating_refresh_token_survives_an_untrusted_page(self):
        """A public client's refresh tokens are single use: one refreshed for a
        page that cannot read the answer would be gone."""
        _record, _access, refresh_token = self.issue_token(application=self.public_app)
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        data["client_id"] = "browser-app"
        refused = self.call(
            "POST", "access_token", data=data, headers={"Origin": TRUSTED_ORIGIN}
        )
        self.assertOAuthError(refused, "unauthorized_client")
        refreshed = self.call(
            "POST", "access_token", data=data, headers={"Origin": SPA_ORIGIN}
        )
        self.assertJson(refreshed)
        self.assertReadableBy(refreshed, SPA_ORIGIN)

    def test_same_origin_pages_need_no_permission(self):
        own_origin = self.base_url()
        response = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            headers={"Origin": own_origin},
            auth=self.integration,
        )
        self.assertJson(response)
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)

    def test_userinfo_and_revocation_from_a_browser(self):
        _record, access_token, _refresh = self.issue_token()
        bearer = {"Authorization": f"Bearer {access_token}"}
        response = self.call(
            "GET", "userinfo", headers=dict(bearer, Origin=TRUSTED_ORIGIN)
        )
        self.assertJson(response)
        self.assertReadableBy(response, TRUSTED_ORIGIN)
        refused = self.call("GET", "userinfo", headers=dict(bearer, Origin=SPA_ORIGIN))
        self.assertEqual(refused.status_code, 400, refused.text)
        self.assertEqual(refused.json()["error"], "invalid_request")
        # a page may read why its token is refused, and refresh it
        expired = self.call(
            "GET",
            "userinfo",
            headers={"Authorization": "Bearer unknown", "Origin": TRUSTED_ORIGIN},
        )
        self.assertEqual(expired.status_code, 401)
        self.assertReadableBy(expired, TRUSTED_ORIGIN)
        response = self.call(
            "POST",
            "revoke",
            data={"token": access_token},
            headers={"Origin": TRUSTED_ORIGIN},
            auth=self.integration,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertReadableBy(response, TRUSTED_ORIGIN)
        self.assertEqual(self.call("GET", "userinfo", headers=bearer).status_code, 401)

    def test_allowed_origins_are_origins(self):
        for invalid in (
            "*",
            "app.example.com",
            "https://app.example.com/path",
            "http://app.example.com",
            "null",
        ):
            with self.subTest(invalid), self.assertRaises(ValidationError):
                self.app.allowed_origins = invalid
        self.app.allowed_origins = (
            "https://other.example.com/\nhttp://[::1]:3000\nhttps://x.example.com:443"
        )
        self.assertEqual(
            self.app._cors_origins(),
            {"https://other.example.com", "http://[::1]:3000", "https://x.example.com"},
        )
        self.public_app.redirect_uris = (
            "https://spa.example.com:8443/cb\ncom.example.app:/callback"
        )
        self.assertEqual(
            self.public_app._cors_origins(), {"https://spa.example.com:8443"}
        )


class TestCrossOriginRules(unittest.TestCase):
    """oauth/cors.py alone: which page is of another origin, and what it may
    read."""

    OWN = {"https://odoo.example.com", "http://localhost:8069"}

    def test_own_and_missing_origins_are_not_cross_origin(self):
        for headers in ({}, {"Origin": ""}, {"Origin": "https://odoo.example.com"}):
            with self.subTest(headers=headers):
                self.assertIsNone(cors.cross_origin(headers, self.OWN))
        self.assertEqual(
            cors.cross_origin({"Origin": TRUSTED_ORIGIN}, self.OWN), TRUSTED_ORIGIN
        )

    def test_origin_of_serializes_as_a_browser(self):
        self.assertEqual(
            cors.origin_of("HTTPS://App.example.com:443/cb"),
            ("https://app.example.com"),
        )
        self.assertEqual(cors.origin_of("http://[::1]:3000/x"), "http://[::1]:3000")
        self.assertIsNone(cors.origin_of("com.example.app:/callback"))
        self.assertIsNone(cors.origin_of("http://host:99999/"))

    def test_answer_headers_follow_the_policy(self):
        def policy(origin):
            return origin if origin == TRUSTED_ORIGIN else None

        self.assertEqual(cors.answer_headers(None, policy), {})
        self.assertEqual(cors.answer_headers(STRANGER, policy), {})
        headers = cors.answer_headers(TRUSTED_ORIGIN, policy)
        self.assertEqual(headers["Access-Control-Allow-Origin"], TRUSTED_ORIGIN)
        self.assertEqual(headers["Vary"], "Origin")
        self.assertNotIn("Vary", cors.answer_headers(STRANGER, cors.any_origin))

    def test_options_answer_permits_only_a_preflight_the_policy_allows(self):
        preflight = {"Origin": TRUSTED_ORIGIN, "Access-Control-Request-Method": "POST"}
        headers, body, status = cors.options_answer(
            preflight, TRUSTED_ORIGIN, ("POST",), cors.any_origin
        )
        self.assertEqual((body, status), ("", 204))
        self.assertEqual(headers["Allow"], "POST, OPTIONS")
        self.assertEqual(headers["Access-Control-Allow-Methods"], "POST")
        for sent, origin in (({"Origin": TRUSTED_ORIGIN}, TRUSTED_ORIGIN), ({}, None)):
            with self.subTest(sent=sent):
                headers, _body, _status = cors.options_answer(
                    sent, origin, ("GET", "POST"), cors.any_origin
                )
                self.assertEqual(headers, {"Allow": "GET, POST, OPTIONS"})
