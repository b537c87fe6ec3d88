# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Token verification in the style of Google's and Amazon's token-info endpoints."""

from odoo import fields

from .common import EndpointCase


class TestTokeninfo(EndpointCase):
    def assertTokeninfo(self, response, record):
        body = self.assertJson(response)
        self.assertEqual(
            set(body),
            {"active", "client_id", "scope", "user_id", "exp", "expires_in"},
        )
        self.assertIs(body["active"], True)
        self.assertEqual(body["client_id"], "integration")
        self.assertEqual(body["scope"], "read")
        self.assertEqual(body["user_id"], self.user.id)
        self.assertEqual(body["exp"], int(record.expires_at.timestamp()))
        self.assertTrue(350 <= body["expires_in"] <= 360, body)

    def test_token_as_parameter_or_header(self):
        record, access_token, _refresh = self.issue_token()
        self.assertTokeninfo(
            self.call("GET", "tokeninfo", params={"access_token": access_token}),
            record,
        )
        self.assertTokeninfo(
            self.call("POST", "tokeninfo", data={"access_token": access_token}),
            record,
        )
        self.assertTokeninfo(
            self.call(
                "GET", "tokeninfo", headers={"Authorization": f"Bearer {access_token}"}
            ),
            record,
        )

    def test_dead_or_missing_token_is_invalid(self):
        expired, expired_token, _refresh = self.issue_token()
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, refresh_token = self.issue_token()
        revoked.action_revoke()
        for params in (
            {"access_token": expired_token},
            {"access_token": revoked_token},
            {"access_token": refresh_token},
            {"access_token": "unknown"},
            {},
        ):
            with self.subTest(params=params):
                response = self.call("GET", "tokeninfo", params=params)
                self.assertOAuthError(response, "invalid_token")

    def test_other_methods_are_refused(self):
        response = self.call("PUT", "tokeninfo")
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "GET, POST")

    def test_pairwise_application_gets_its_subject(self):
        """Its sub, and neither the database id nor the login."""
        self.app.subject_type = "pairwise"
        _record, access_token, _refresh = self.issue_token()
        body = self.assertJson(
            self.call("GET", "tokeninfo", params={"access_token": access_token})
        )
        self.assertEqual(
            set(body), {"active", "client_id", "scope", "sub", "exp", "expires_in"}
        )
        self.assertEqual(body["sub"], self.user._oidc_subject(self.app))
        for value in body.values():
            self.assertNotIn(value, (self.user.id, str(self.user.id), self.user.login))

    def test_pairwise_client_credentials_subject_is_the_client(self):
        self.app.subject_type = "pairwise"
        issued = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            auth=self.integration,
        )
        access_token = self.assertJson(issued)["access_token"]
        body = self.assertJson(
            self.call("GET", "tokeninfo", params={"access_token": access_token})
        )
        self.assertEqual(body["sub"], "integration")
        self.assertNotIn("user_id", body)
