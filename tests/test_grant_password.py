# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The resource owner password credentials grant at the token endpoint."""

from odoo.tests import new_test_user

from .common import USER_PASSWORD, TokenEndpointCase


class TestPasswordGrant(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        # Odoo's login cooldown counts failures per address for the registry's life
        failures = getattr(self.registry, "_login_failures", None)
        if failures is not None:
            self.addCleanup(failures.clear)

    def test_password_grant_issues_token_pair(self):
        body = self.assertTokenAnswer(self.password_grant(scope="read"))
        self.assertEqual(
            set(body),
            {"access_token", "token_type", "expires_in", "refresh_token", "scope"},
        )
        token = self.env["oauth2.token"].search([("user_id", "=", self.user.id)])
        self.assertEqual(token.grant_type, "password")
        self.assertEqual(token.scope, "read")

    def test_wrong_password_and_inactive_user(self):
        self.assertOAuthError(self.password_grant(password="wrong"), "invalid_grant")
        self.user.active = False
        self.assertOAuthError(self.password_grant(), "invalid_grant")

    def test_login_cooldown_applies(self):
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 2)
        for _attempt in range(2):
            self.assertOAuthError(
                self.password_grant(password="wrong"), "invalid_grant"
            )
        self.assertOAuthError(self.password_grant(), "invalid_grant")

    def test_public_client_cannot_use_password(self):
        response = self.token_request(
            {
                "grant_type": "password",
                "username": self.user.login,
                "password": USER_PASSWORD,
                "client_id": "browser-app",
            }
        )
        self.assertOAuthError(response, "unauthorized_client")

    def test_application_without_password_grant(self):
        self.app.grant_password = False
        self.assertOAuthError(self.password_grant(), "unauthorized_client")

    def test_two_factor_user_is_refused_clearly(self):
        totp_user = new_test_user(self.env, login="totp_user", password=USER_PASSWORD)
        totp_user.sudo().totp_secret = "JBSWY3DPEHPK3PXP"
        self.assertTrue(totp_user._mfa_type())
        body = self.assertOAuthError(
            self.password_grant(username="totp_user"), "invalid_grant"
        )
        self.assertIn("two-factor", body["error_description"])
        self.assertFalse(
            self.env["oauth2.token"].search([("user_id", "=", totp_user.id)])
        )

    def test_no_refresh_token_when_application_says_so(self):
        self.app.issue_refresh_token = False
        body = self.assertTokenAnswer(self.password_grant())
        self.assertNotIn("refresh_token", body)
