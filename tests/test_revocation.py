# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Token revocation (RFC 7009)."""

from .common import EndpointCase


class TestRevocation(EndpointCase):
    def revoke(self, token, auth=None, **extra):
        data = {"token": token, **extra}
        return self.call("POST", "revoke", data=data, auth=auth or self.integration)

    def assertRevocationOk(self, response):
        self.assertEqual(self.assertJson(response), {})

    def test_revoking_an_access_token_stops_it(self):
        record, access_token, _refresh = self.issue_token()
        self.assertRevocationOk(self.revoke(access_token))
        self.assertTrue(record.revoked)
        response = self.call(
            "GET", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertBearerError(response, 401, "invalid_token")

    def test_revoking_a_refresh_token_stops_its_access_token(self):
        _record, access_token, refresh_token = self.issue_token()
        self.assertRevocationOk(
            self.revoke(refresh_token, token_type_hint="refresh_token")
        )
        refresh = self.call(
            "POST",
            "access_token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=self.integration,
        )
        self.assertOAuthError(refresh, "invalid_grant")
        response = self.call("GET", "tokeninfo", params={"access_token": access_token})
        self.assertOAuthError(response, "invalid_token")

    def test_revoking_one_token_ends_its_whole_grant(self):
        first, _access, _refresh = self.issue_token()
        later, later_access, _refresh = self.issue_token()
        unrelated, _access, _refresh = self.issue_token()
        # two live pairs of one grant, as reusable refresh tokens leave them
        later.sudo().family = first.family
        self.assertRevocationOk(self.revoke(later_access))
        self.assertEqual(
            (first | later | unrelated).mapped("revoked"), [True, True, False]
        )

    def test_unknown_and_foreign_tokens_get_200_and_nothing_changes(self):
        foreign, foreign_token, _refresh = self.issue_token(application=self.other_app)
        self.assertRevocationOk(self.revoke("unknown"))
        self.assertRevocationOk(self.revoke(foreign_token))
        self.assertFalse(foreign.revoked)
        self.assertRevocationOk(
            self.revoke(foreign_token, auth=("other", self.other_secret))
        )
        self.assertTrue(foreign.revoked)

    def test_public_client_revokes_with_its_client_id(self):
        record, access_token, _refresh = self.issue_token(application=self.public_app)
        response = self.call(
            "POST", "revoke", data={"token": access_token, "client_id": "browser-app"}
        )
        self.assertRevocationOk(response)
        self.assertTrue(record.revoked)

    def test_errors(self):
        record, access_token, _refresh = self.issue_token()
        response = self.revoke(access_token, auth=("integration", "wrong"))
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertFalse(record.revoked)
        response = self.call("POST", "revoke", data={}, auth=self.integration)
        self.assertOAuthError(response, "invalid_request")
        response = self.call("GET", "revoke", params={"token": access_token})
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertFalse(record.revoked)
