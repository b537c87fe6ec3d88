# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The refresh token grant at the token endpoint: rotation, scope and binding."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields

from .common import TokenEndpointCase


class TestRefreshGrant(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        self.first = self.assertTokenAnswer(self.password_grant())
        self.first_record = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id)]
        )

    def refresh(self, refresh_token, auth=None, **extra):
        return self.token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
            auth=auth or ("integration", self.secret),
        )

    def test_refresh_rotates_and_prolongs(self):
        later = fields.Datetime.now() + timedelta(seconds=3000)
        with freeze_time(later):
            body = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertNotEqual(body["refresh_token"], self.first["refresh_token"])
        self.assertNotEqual(body["access_token"], self.first["access_token"])
        self.assertEqual(body["scope"], "read write")
        self.assertEqual(self.first_record.state, "revoked")
        new = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id), ("revoked", "=", False)]
        )
        self.assertEqual(new.grant_type, "refresh_token")
        self.assertEqual(new.refresh_expires_at, later + timedelta(seconds=3600))
        # the rotated refresh token is dead
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )

    def test_scope_may_narrow_not_widen(self):
        body = self.assertTokenAnswer(
            self.refresh(self.first["refresh_token"], scope="read")
        )
        self.assertEqual(body["scope"], "read")
        self.assertOAuthError(
            self.refresh(body["refresh_token"], scope="read admin"), "invalid_scope"
        )

    def test_refresh_token_bound_to_its_client(self):
        response = self.refresh(
            self.first["refresh_token"], auth=("other", self.other_secret)
        )
        self.assertOAuthError(response, "invalid_grant")
        self.assertEqual(self.first_record.state, "active")

    def test_expired_or_revoked_refresh_token(self):
        later = fields.Datetime.now() + timedelta(seconds=3601)
        with freeze_time(later):
            self.assertOAuthError(
                self.refresh(self.first["refresh_token"]), "invalid_grant"
            )
        self.first_record.action_revoke()
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )

    def test_refresh_after_application_stops_issuing_them(self):
        self.app.issue_refresh_token = False
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "unauthorized_client"
        )

    def test_access_token_is_not_a_refresh_token(self):
        self.assertOAuthError(self.refresh(self.first["access_token"]), "invalid_grant")
