# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Token introspection (RFC 7662)."""

from odoo import fields

from .common import EndpointCase


class TestIntrospection(EndpointCase):
    def introspect(self, token, auth=None, **extra):
        data = {"token": token, **extra}
        return self.call("POST", "introspect", data=data, auth=auth or self.integration)

    def test_live_access_token(self):
        record, access_token, _refresh = self.issue_token(scope="read write")
        body = self.assertJson(self.introspect(access_token))
        self.assertEqual(
            body,
            {
                "active": True,
                "scope": "read write",
                "client_id": "integration",
                "username": "oauth2_user",
                "sub": str(self.user.id),
                "token_type": "Bearer",
                "exp": int(record.expires_at.timestamp()),
                "iat": int(record.create_date.timestamp()),
            },
        )

    def test_refresh_token_with_and_without_hint(self):
        record, _access, refresh_token = self.issue_token()
        for extra in ({}, {"token_type_hint": "refresh_token"}):
            body = self.assertJson(self.introspect(refresh_token, **extra))
            self.assertIs(body["active"], True)
            self.assertEqual(body["exp"], int(record.refresh_expires_at.timestamp()))
            self.assertNotIn("token_type", body)

    def test_dead_unknown_and_foreign_tokens_are_inactive(self):
        expired, expired_token, _refresh = self.issue_token()
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, revoked_refresh = self.issue_token()
        revoked.action_revoke()
        _record, foreign_token, _refresh = self.issue_token(application=self.other_app)
        for token in (
            expired_token,
            revoked_token,
            revoked_refresh,
            foreign_token,
            "unknown",
        ):
            with self.subTest(token=token):
                self.assertEqual(
                    self.assertJson(self.introspect(token)), {"active": False}
                )

    def test_resource_server_sees_every_application_token(self):
        _record, foreign_token, _refresh = self.issue_token(application=self.other_app)
        self.app.is_resource_server = True
        body = self.assertJson(self.introspect(foreign_token))
        self.assertIs(body["active"], True)
        self.assertEqual(body["client_id"], "other")

    def test_client_must_authenticate(self):
        _record, access_token, _refresh = self.issue_token()
        response = self.introspect(access_token, auth=("integration", "wrong"))
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertEqual(
            response.headers["WWW-Authenticate"], 'Basic realm="orestapi_oauth2"'
        )
        response = self.call("POST", "introspect", data={"token": access_token})
        self.assertOAuthError(response, "invalid_client", status=401)

    def test_malformed_requests(self):
        response = self.call("POST", "introspect", data={}, auth=self.integration)
        self.assertOAuthError(response, "invalid_request")
        response = self.call(
            "POST",
            "introspect",
            params={"token": "x"},
            data={"token": "x"},
            auth=self.integration,
        )
        self.assertOAuthError(response, "invalid_request")
        response = self.call("GET", "introspect", params={"token": "x"})
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "POST")
