# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The JWK Set (RFC 7517 §5) over HTTP, as relying parties fetch it."""

import jwt

from odoo.tests import tagged

from ..oauth import jose, routes
from ..oauth.responses import PUBLIC_CACHE_SECONDS
from .common import USER_PASSWORD, HttpCase, OAuth2TestMixin

PUBLIC_JWK_MEMBERS = {
    "RSA": {"kty", "n", "e", "kid", "alg", "use"},
    "EC": {"kty", "crv", "x", "y", "kid", "alg", "use"},
}
CROSS_ORIGIN = {"Origin": "https://relying-party.example"}


@tagged("post_install", "-at_install")
class TestJwks(OAuth2TestMixin, HttpCase):
    def fetch(self, method="GET", headers=None):
        return self.opener.request(
            method,
            self.base_url() + routes.JWKS,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )

    def jwks(self):
        response = self.fetch(headers=CROSS_ORIGIN)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assertPublicDocument(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(
            response.headers["Cache-Control"],
            f"public, max-age={PUBLIC_CACHE_SECONDS}",
        )

    def test_get_and_head(self):
        get = self.fetch()
        self.assertPublicDocument(get)
        self.assertTrue(get.json()["keys"])
        head = self.fetch("HEAD")
        self.assertPublicDocument(head)
        self.assertEqual(head.content, b"")

    def test_every_origin_may_read_it(self):
        response = self.fetch(headers=CROSS_ORIGIN)
        self.assertPublicDocument(response)
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("Access-Control-Allow-Credentials", response.headers)
        preflight = self.fetch(
            "OPTIONS", {**CROSS_ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        self.assertEqual(preflight.status_code, 204)
        self.assertEqual(preflight.headers["Allow"], "GET, HEAD, OPTIONS")
        self.assertEqual(preflight.headers["Access-Control-Allow-Origin"], "*")
        self.assertIn("GET", preflight.headers["Access-Control-Allow-Methods"])

    def test_refuses_writes(self):
        response = self.fetch("POST")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.headers["Allow"], "GET, HEAD")

    def test_public_members_only(self):
        keys = self.jwks()["keys"]
        signing = self.env["oauth2.signing.key"].search([("state", "=", "signing")])
        self.assertLessEqual(set(signing.mapped("kid")), {jwk["kid"] for jwk in keys})
        self.assertEqual({jwk["alg"] for jwk in keys}, set(jose.SIGNING_ALGORITHMS))
        for jwk in keys:
            with self.subTest(kid=jwk["kid"]):
                self.assertEqual(set(jwk), PUBLIC_JWK_MEMBERS[jwk["kty"]])
                self.assertEqual(jwk["use"], "sig")
                self.assertEqual(jwk["kid"], jose.thumbprint(jwk))
                # what a relying party does with it
                self.assertFalse(hasattr(jwt.PyJWK(jwk).key, "private_numbers"))

    def test_rotation_publishes_both_keys(self):
        keys = self.env["oauth2.signing.key"]
        before = {jwk["kid"] for jwk in self.jwks()["keys"]}
        keys.action_rotate()
        after = {jwk["kid"] for jwk in self.jwks()["keys"]}
        new = set(keys.search([("state", "=", "signing")]).mapped("kid"))
        self.assertEqual(len(new), len(jose.SIGNING_ALGORITHMS))
        self.assertFalse(new & before)
        self.assertEqual(after, before | new)

    def test_id_tokens_verify_with_it(self):
        """What a relying party does with an id_token from a refresh (OpenID
        Connect Core §12.2): find its kid in the JWKS, verify with that key,
        also after a rotation."""
        auth = ("other", self.other_secret)
        granted = self.http_request(
            "POST",
            routes.TOKEN,
            {
                "grant_type": "password",
                "username": self.user.login,
                "password": USER_PASSWORD,
                "scope": "openid read",
            },
            auth=auth,
        ).json()
        for rotate in (False, True):
            if rotate:
                self.env["oauth2.signing.key"].action_rotate()
            with self.subTest(rotated=rotate):
                response = self.http_request(
                    "POST",
                    routes.TOKEN,
                    {
                        "grant_type": "refresh_token",
                        "refresh_token": granted["refresh_token"],
                    },
                    auth=auth,
                )
                self.assertEqual(response.status_code, 200, response.text)
                id_token = response.json()["id_token"]
                kid = jwt.get_unverified_header(id_token)["kid"]
                [jwk] = [jwk for jwk in self.jwks()["keys"] if jwk["kid"] == kid]
                claims = jwt.decode(
                    id_token,
                    jwt.PyJWK(jwk).key,
                    algorithms=[jwk["alg"]],
                    audience="other",
                )
                self.assertTrue(claims["sub"])
