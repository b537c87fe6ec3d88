# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The implicit grant: a token in the redirect URI's fragment."""

from .common import AuthorizationCase


class TestImplicit(AuthorizationCase):
    def test_token_in_fragment(self):
        page = self.authorize(response_type="token", scope="read")
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertEqual(params["token_type"], "Bearer")
        self.assertEqual(params["scope"], "read")
        self.assertEqual(params["state"], "xyz")
        self.assertEqual(params["expires_in"], "360")
        self.assertNotIn("refresh_token", params)
        token = self.env["oauth2.token"].search([("grant_type", "=", "implicit")])
        self.assertEqual(token.user_id, self.user)
        self.assertFalse(token.refresh_expires_at)

    def test_implicit_not_allowed(self):
        self.app.grant_implicit = False
        params = self.assertRedirectsTo(
            self.authorize(response_type="token"), fragment=True
        )
        self.assertEqual(params["error"], "unauthorized_client")
