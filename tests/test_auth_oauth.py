# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Odoo's own auth_oauth signs users in with this server's tokens, configured
as for any provider: the tokeninfo endpoint as its validation endpoint, or
userinfo when it sends the token in a Bearer header."""

from .common import PREFIX, TokenEndpointCase


class TestOdooAuthOAuth(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        self.provider = self.env["auth.oauth.provider"].create(
            {
                "name": "Odoo (orestapi_oauth2)",
                "client_id": "integration",
                "enabled": True,
                "body": "Log in with our Odoo",
                "auth_endpoint": f"{self.base_url()}{PREFIX}authorize",
                "validation_endpoint": f"{self.base_url()}{PREFIX}tokeninfo",
                "scope": "read",
            }
        )
        self.user.write(
            {"oauth_provider_id": self.provider.id, "oauth_uid": str(self.user.id)}
        )

    def sign_in(self, access_token):
        # what this test wrote must be seen by the server's own request
        self.env.flush_all()
        return (
            self.env["res.users"]
            .sudo()
            .auth_oauth(self.provider.id, {"access_token": access_token})
        )

    def test_signs_in_through_tokeninfo(self):
        _record, access_token, _refresh = self.issue_token()
        _db, login, _key = self.sign_in(access_token)
        self.assertEqual(login, self.user.login)

    def test_signs_in_through_userinfo(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_oauth.authorization_header", "1"
        )
        self.provider.validation_endpoint = f"{self.base_url()}{PREFIX}userinfo"
        _record, access_token, _refresh = self.issue_token()
        _db, login, _key = self.sign_in(access_token)
        self.assertEqual(login, self.user.login)

    def test_revoked_token_signs_nobody_in(self):
        record, access_token, _refresh = self.issue_token()
        record.action_revoke()
        # auth_oauth's answer to a provider refusing the token, which its
        # login route turns into "access denied"
        with self.assertRaisesRegex(Exception, "invalid_request"):
            self.sign_in(access_token)
