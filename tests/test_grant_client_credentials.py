# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The client credentials grant at the token endpoint."""

from .common import TokenEndpointCase


class TestClientCredentialsGrant(TokenEndpointCase):
    def test_client_credentials_with_basic(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "read"},
            auth=("integration", self.secret),
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(
            set(body), {"access_token", "token_type", "expires_in", "scope"}
        )
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 360)
        self.assertEqual(body["scope"], "read")
        self.assertGreaterEqual(len(body["access_token"]), 43)
        token = self.env["oauth2.token"].search([("application_id", "=", self.app.id)])
        self.assertEqual(token.user_id, self.app.user_id)
        self.assertEqual(token.grant_type, "client_credentials")
        self.assertFalse(token.refresh_expires_at)

    def test_client_credentials_with_body_credentials(self):
        response = self.token_request(
            {
                "grant_type": "client_credentials",
                "client_id": "integration",
                "client_secret": self.secret,
            }
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(body["scope"], "read write", "all of the application's scopes")

    def test_client_credentials_refused_to_public_client(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "client_id": "browser-app"}
        )
        # credentials in the body: 400, no Basic challenge (RFC 6749 §5.2)
        self.assertOAuthError(response, "invalid_client")

    def test_grant_not_allowed_is_unauthorized_client(self):
        self.app.grant_client_credentials = False
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "unauthorized_client")
