# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TOKEN_PATH, USER_PASSWORD, OAuth2TestMixin, basic_auth


@tagged("post_install", "-at_install")
class TokenEndpointCase(OAuth2TestMixin, HttpCase):
    def token_request(
        self, data=None, params=None, headers=None, method="POST", auth=None
    ):
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic_auth(*auth)
        return self.opener.request(
            method,
            self.base_url() + TOKEN_PATH,
            data=data,
            params=params,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )

    def assertTokenAnswer(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Pragma"], "no-cache")
        return response.json()

    def assertOAuthError(self, response, error, status=400):
        body = self.assertTokenAnswer(response, status)
        self.assertEqual(body["error"], error, body)
        self.assertTrue(body.get("error_description"), body)
        return body

    def password_grant(self, **extra):
        data = {
            "grant_type": "password",
            "username": self.user.login,
            "password": USER_PASSWORD,
            **extra,
        }
        return self.token_request(data, auth=("integration", self.secret))


class TestTokenEndpoint(TokenEndpointCase):
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

    def test_star_scope_means_all_of_the_application(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "*"},
            auth=("other", self.other_secret),
        )
        body = self.assertTokenAnswer(response)
        every = self.env["oauth2.scope"].search([]).mapped("name")
        self.assertCountEqual(body["scope"].split(), set(every) - {"rpc"})

    def test_omitted_scope_gets_the_default_and_never_rpc(self):
        omitted = {"grant_type": "client_credentials"}
        other = ("other", self.other_secret)
        body = self.assertTokenAnswer(self.token_request(omitted, auth=other))
        self.assertIn("read", body["scope"].split())
        self.assertNotIn("rpc", body["scope"].split())
        self.other_app.default_scope_ids = self.scope_read
        body = self.assertTokenAnswer(self.token_request(omitted, auth=other))
        self.assertEqual(body["scope"], "read")
        by_name = dict(omitted, scope="rpc")
        body = self.assertTokenAnswer(self.token_request(by_name, auth=other))
        self.assertEqual(body["scope"], "rpc")

    def test_client_credentials_refused_to_public_client(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "client_id": "browser-app"}
        )
        self.assertOAuthError(response, "invalid_client", 401)

    def test_invalid_client(self):
        cases = {
            "wrong secret": ("integration", "nope"),
            "unknown client": ("nobody", self.secret),
        }
        for label, credentials in cases.items():
            with self.subTest(label):
                response = self.token_request(
                    {"grant_type": "client_credentials"}, auth=credentials
                )
                self.assertOAuthError(response, "invalid_client", 401)
                self.assertTrue(
                    response.headers["WWW-Authenticate"].startswith("Basic ")
                )
        response = self.token_request(
            {"grant_type": "client_credentials"},
            headers={"Authorization": "Basic %%%not-base64"},
        )
        self.assertOAuthError(response, "invalid_client", 401)

    def test_archived_application_is_invalid_client(self):
        self.app.active = False
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_client", 401)

    def test_new_secret_replaces_old_at_once(self):
        new_secret = self.app.action_generate_client_secret()["context"][
            "default_client_secret"
        ]
        data = {"grant_type": "client_credentials"}
        old = self.token_request(data, auth=("integration", self.secret))
        self.assertOAuthError(old, "invalid_client", 401)
        self.assertTokenAnswer(
            self.token_request(data, auth=("integration", new_secret))
        )

    def test_grant_not_allowed_is_unauthorized_client(self):
        self.app.grant_client_credentials = False
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "unauthorized_client")

    def test_unknown_grant_type(self):
        for grant in ("code", "urn:example:unknown"):
            response = self.token_request(
                {"grant_type": grant}, auth=("integration", self.secret)
            )
            self.assertOAuthError(response, "unsupported_grant_type")

    def test_scope_outside_application(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "read admin"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_scope")

    def test_lifetimes_follow_settings_and_application(self):
        self.set_param("access_token_lifetime", "90")
        data = {"grant_type": "client_credentials"}
        body = self.assertTokenAnswer(
            self.token_request(data, auth=("other", self.other_secret))
        )
        self.assertEqual(body["expires_in"], 90)
        self.app.access_token_lifetime = 30
        body = self.assertTokenAnswer(
            self.token_request(data, auth=("integration", self.secret))
        )
        self.assertEqual(body["expires_in"], 30)

    def test_malformed_requests_get_json_errors(self):
        cases = [
            ({}, "unsupported_grant_type"),
            ({"grant_type": "password"}, "invalid_request"),
            ({"grant_type": ["client_credentials", "password"]}, "invalid_request"),
            ({"grant_type": "refresh_token"}, "invalid_request"),
        ]
        for data, error in cases:
            with self.subTest(data=data):
                response = self.token_request(data, auth=("integration", self.secret))
                self.assertOAuthError(response, error)
        response = self.opener.post(
            self.base_url() + TOKEN_PATH,
            json={"grant_type": "client_credentials"},
            headers={"Authorization": basic_auth("integration", self.secret)},
        )
        self.assertOAuthError(response, "unsupported_grant_type")

    def test_get_refused_unless_enabled(self):
        params = {"grant_type": "client_credentials"}
        response = self.token_request(
            params=params, method="GET", auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_request", 405)
        self.assertEqual(response.headers["Allow"], "POST")
        self.set_param("allow_get_token_request", "True")
        response = self.token_request(
            params=params, method="GET", auth=("integration", self.secret)
        )
        self.assertTokenAnswer(response)

    def test_other_methods_get_json_405(self):
        for method in ("PUT", "DELETE", "PATCH"):
            response = self.token_request(
                {"grant_type": "client_credentials"},
                method=method,
                auth=("integration", self.secret),
            )
            self.assertOAuthError(response, "invalid_request", 405)


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
