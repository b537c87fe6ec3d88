# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The device authorization grant (RFC 8628) over HTTP: the device
authorization endpoint, the user's page, and the device's polls."""

import re
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import tagged

from ..models.oauth2_device_authorization import (
    USER_CODE_FAILURES_NAME,
    USER_CODE_MAX_FAILURES,
)
from ..oauth.constants import DEVICE_CODE
from .common import (
    OIDC_SCOPES,
    PREFIX,
    USER_PASSWORD,
    TokenEndpointCase,
)

DEVICE_AUTHORIZATION_PATH = PREFIX + "device_authorization"
VERIFICATION_PATH = PREFIX + "device"
USER_CODE_SHAPE = re.compile(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}")


@tagged("post_install", "-at_install")
class TestDeviceCodeGrant(TokenEndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        openid = cls.env["oauth2.scope"].search([("name", "in", OIDC_SCOPES)])
        cls.app.write(
            {
                "grant_device_code": True,
                "scope_ids": [(4, scope.id) for scope in openid],
            }
        )
        cls.other_app.grant_device_code = True
        cls.public_app.grant_device_code = True

    def setUp(self):
        super().setUp()
        self.env["oauth2.client.auth.failure"].search(
            [("client_id", "=", USER_CODE_FAILURES_NAME)]
        ).unlink()
        self.authenticate(self.user.login, USER_PASSWORD)

    # helpers

    def device_authorization(self, data=None, auth="integration", **kwargs):
        if auth == "integration":
            auth = ("integration", self.secret)
        return self.http_request(
            "POST", DEVICE_AUTHORIZATION_PATH, data or {}, auth=auth, **kwargs
        )

    def new_device(self, scope="read", auth="integration"):
        response = self.device_authorization({"scope": scope}, auth=auth)
        return self.assertTokenAnswer(response)

    def poll(self, device_code, auth="integration"):
        if auth == "integration":
            auth = ("integration", self.secret)
        return self.token_request(
            {"grant_type": DEVICE_CODE, "device_code": device_code}, auth=auth
        )

    def record_of(self, device):
        return (
            self.env["oauth2.device.authorization"]
            ._lock_by_device_code(device["device_code"])
            .sudo()
        )

    def page(self, **params):
        return self.opener.get(
            self.base_url() + VERIFICATION_PATH,
            params=params,
            allow_redirects=False,
            timeout=30,
        )

    @staticmethod
    def csrf_of(page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]

    def post_page(self, data):
        return self.opener.post(
            self.base_url() + VERIFICATION_PATH,
            data=data,
            allow_redirects=False,
            timeout=30,
        )

    def type_code(self, user_code):
        form = self.page()
        self.assertEqual(form.status_code, 200, form.text[:500])
        return self.post_page(
            {"csrf_token": self.csrf_of(form), "user_code": user_code}
        )

    def decide(self, consent_page, decision):
        hidden = re.search(r'name="user_code" value="([^"]+)"', consent_page.text)[1]
        return self.post_page(
            {
                "csrf_token": self.csrf_of(consent_page),
                "user_code": hidden,
                "decision": decision,
            }
        )

    # the device authorization endpoint

    def test_device_authorization_response(self):
        device = self.new_device()
        self.assertRegex(device["user_code"], USER_CODE_SHAPE)
        self.assertGreaterEqual(len(device["device_code"]), 43)
        self.assertTrue(device["verification_uri"].endswith(VERIFICATION_PATH))
        self.assertEqual(
            device["verification_uri_complete"],
            f"{device['verification_uri']}?user_code={device['user_code']}",
        )
        self.assertEqual(device["expires_in"], 600)
        self.assertEqual(device["interval"], 5)
        # stored as hashes only
        record = self.record_of(device)
        self.assertEqual(record.state, "pending")
        self.assertEqual(record.scope, "read")
        self.assertNotIn(device["device_code"], record.device_code_hash)
        self.assertNotIn(
            device["user_code"].replace("-", ""), record.user_code_hash.upper()
        )
        self.assertEqual(record.remote_addr, "127.0.0.1")

    def test_public_client_by_client_id(self):
        response = self.device_authorization(
            {"client_id": "browser-app", "scope": "read"}, auth=None
        )
        self.assertTokenAnswer(response)

    def test_client_authentication_and_grant(self):
        response = self.device_authorization(
            {"scope": "read"}, auth=("integration", "wrong-secret")
        )
        self.assertOAuthError(response, "invalid_client", 401)
        self.app.grant_device_code = False
        response = self.device_authorization({"scope": "read"})
        self.assertOAuthError(response, "unauthorized_client")
        self.app.grant_device_code = True
        response = self.device_authorization({"scope": "admin"})
        self.assertOAuthError(response, "invalid_scope")

    def test_malformed_device_authorization_requests(self):
        response = self.device_authorization(
            '{"scope": "read"}', headers={"Content-Type": "application/json"}
        )
        self.assertOAuthError(response, "invalid_request")
        response = self.http_request(
            "GET", DEVICE_AUTHORIZATION_PATH, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_request", 405)
        response = self.device_authorization(
            "client_id=browser-app&client_id=integration&scope=read",
            auth=None,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertOAuthError(response, "invalid_request")
        response = self.device_authorization({"scope": "read\x00"})
        self.assertOAuthError(response, "invalid_request")
        response = self.device_authorization({"scope": "x" * 100_000})
        self.assertOAuthError(response, "invalid_scope")
        response = self.device_authorization(
            {"scope": "read", "resource": "not a uri#frag"}
        )
        self.assertOAuthError(response, "invalid_target")

    # the whole flow

    def test_approval_issues_tokens_once(self):
        device = self.new_device(scope="openid read")
        self.assertOAuthError(self.poll(device["device_code"]), "authorization_pending")
        # the link fills the form in, and approves nothing (RFC 8628 §5.4)
        form = self.page(user_code=device["user_code"])
        self.assertEqual(form.status_code, 200)
        self.assertIn(f'value="{device["user_code"]}"', form.text)
        self.assertEqual(self.record_of(device).state, "pending")
        # case, dashes and spaces do not count
        typed = " " + device["user_code"].lower().replace("-", " ") + " "
        consent = self.type_code(typed)
        self.assertEqual(consent.status_code, 200, consent.text[:500])
        self.assertIn("Integration", consent.text)
        self.assertIn('value="allow"', consent.text)
        self.assertEqual(self.record_of(device).state, "pending")
        done = self.decide(consent, "allow")
        self.assertEqual(done.status_code, 200)
        self.assertIn("Device connected", done.text)
        tokens = self.assertTokenAnswer(self.poll(device["device_code"]))
        self.assertEqual(tokens["scope"], "openid read")
        self.assertIn("refresh_token", tokens)
        self.assertIn("id_token", tokens)
        userinfo = self.opener.get(
            self.base_url() + PREFIX + "userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        self.assertEqual(userinfo.status_code, 200, userinfo.text)
        self.assertTrue(userinfo.json()["sub"])
        token = self.env["oauth2.token"]._find_by_token(tokens["access_token"])
        self.assertEqual(token.user_id, self.user)
        self.assertEqual(token.grant_type, DEVICE_CODE)
        # the consent shows on the user's Connected Apps
        self.assertTrue(self.env["oauth2.consent"]._of(self.user, self.app))
        # used once: a second poll gets nothing
        self.assertOAuthError(self.poll(device["device_code"]), "invalid_grant")
        # and the refresh token works
        refreshed = self.token_request(
            {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=("integration", self.secret),
        )
        self.assertTokenAnswer(refreshed)

    def test_deny(self):
        device = self.new_device()
        consent = self.type_code(device["user_code"])
        done = self.decide(consent, "deny")
        self.assertIn("Access denied", done.text)
        self.assertOAuthError(self.poll(device["device_code"]), "access_denied")
        self.assertFalse(self.env["oauth2.consent"]._of(self.user, self.app))
        # the code is spent: typing it again finds nothing
        again = self.type_code(device["user_code"])
        self.assertIn("This code is wrong", again.text)

    def test_expiry(self):
        device = self.new_device()
        self.record_of(device).expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertOAuthError(self.poll(device["device_code"]), "expired_token")
        page = self.type_code(device["user_code"])
        self.assertIn("This code is wrong", page.text)
        self.assertOAuthError(self.poll(device["device_code"]), "expired_token")

    def test_slow_down(self):
        device = self.new_device()
        self.assertOAuthError(self.poll(device["device_code"]), "authorization_pending")
        self.assertOAuthError(self.poll(device["device_code"]), "slow_down")
        self.assertEqual(self.record_of(device).interval, 10)
        self.assertOAuthError(self.poll(device["device_code"]), "slow_down")
        self.assertEqual(self.record_of(device).interval, 15)

    def test_other_clients_device_code(self):
        device = self.new_device()
        consent = self.type_code(device["user_code"])
        self.decide(consent, "allow")
        response = self.poll(device["device_code"], auth=("other", self.other_secret))
        self.assertOAuthError(response, "invalid_grant")
        # the owner still gets its tokens
        self.assertTokenAnswer(self.poll(device["device_code"]))

    def test_poll_errors(self):
        self.assertOAuthError(self.poll("garbage"), "invalid_grant")
        self.assertOAuthError(self.poll("x" * 50_000), "invalid_grant")
        response = self.token_request(
            {"grant_type": DEVICE_CODE}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_request")
        device = self.new_device()
        response = self.token_request(
            f"grant_type={DEVICE_CODE}&device_code={device['device_code']}"
            "&device_code=another",
            auth=("integration", self.secret),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertOAuthError(response, "invalid_request")
        self.assertOAuthError(
            self.poll(device["device_code"], auth=("integration", "wrong")),
            "invalid_client",
            401,
        )
        self.app.grant_device_code = False
        self.assertOAuthError(self.poll(device["device_code"]), "unauthorized_client")

    def test_revoked_consent_voids_an_approval_not_yet_polled(self):
        device = self.new_device()
        self.decide(self.type_code(device["user_code"]), "allow")
        self.env["oauth2.consent"]._of(self.user, self.app).action_revoke()
        self.assertOAuthError(self.poll(device["device_code"]), "access_denied")

    def test_cleanup_deletes_expired_requests(self):
        stale = self.record_of(self.new_device())
        live = self.record_of(self.new_device())
        stale.expires_at = fields.Datetime.now() - timedelta(days=30)
        self.env["oauth2.token"]._cron_delete_expired()
        self.assertFalse(stale.exists())
        self.assertTrue(live.exists())

    # the user's page

    def test_guessing_user_codes_is_rate_limited(self):
        device = self.new_device()
        wrong = "BBBB-BBBB" if device["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"
        for _attempt in range(USER_CODE_MAX_FAILURES):
            page = self.type_code(wrong)
            self.assertEqual(page.status_code, 200)
            self.assertIn("This code is wrong", page.text)
        # even the right code now waits
        page = self.type_code(device["user_code"])
        self.assertEqual(page.status_code, 429)
        self.assertIn("Too many wrong codes", page.text)
        self.assertEqual(self.record_of(device).state, "pending")
        # counted in the database, whatever worker serves the next one
        failures = self.env["oauth2.client.auth.failure"].search(
            [("client_id", "=", USER_CODE_FAILURES_NAME)]
        )
        self.assertEqual(len(failures), USER_CODE_MAX_FAILURES)

    def test_decisions_need_the_csrf_token(self):
        device = self.new_device()
        consent = self.type_code(device["user_code"])
        forged = self.post_page({"user_code": device["user_code"], "decision": "allow"})
        self.assertEqual(forged.status_code, 400)
        self.assertEqual(self.record_of(device).state, "pending")
        forged = self.post_page(
            {
                "csrf_token": "not-the-token",
                "user_code": device["user_code"],
                "decision": "allow",
            }
        )
        self.assertEqual(forged.status_code, 400)
        self.assertEqual(self.record_of(device).state, "pending")
        # a GET decides nothing either
        self.page(user_code=device["user_code"], decision="allow")
        self.assertEqual(self.record_of(device).state, "pending")
        self.assertEqual(self.decide(consent, "allow").status_code, 200)
        self.assertEqual(self.record_of(device).state, "approved")

    def test_logged_out_user_is_sent_to_login(self):
        device = self.new_device()
        anonymous = requests.Session()
        response = anonymous.get(
            self.base_url() + VERIFICATION_PATH,
            params={"user_code": device["user_code"]},
            allow_redirects=False,
            timeout=30,
        )
        self.assertIn(response.status_code, (302, 303))
        location = response.headers["Location"]
        self.assertIn("/web/login?redirect=", location)
        self.assertIn("%2Forestapi%2Foauth2%2Fdevice", location)
        response = anonymous.post(
            self.base_url() + VERIFICATION_PATH,
            data={"user_code": device["user_code"], "decision": "allow"},
            allow_redirects=False,
            timeout=30,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self.record_of(device).state, "pending")

    def test_garbage_on_the_page(self):
        for typed in ("x" * 20_000, "ÁÉŐ-ŰÚ", "AAAA-AAAA", "", "BCDF-GHJ"):
            with self.subTest(typed=typed[:20]):
                page = self.type_code(typed)
                self.assertEqual(page.status_code, 200)
                self.assertIn("This code is wrong", page.text)
        page = self.page(user_code="<script>alert(1)</script>" * 10)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("<script>alert(1)</script>", page.text)

    def test_metadata(self):
        response = self.opener.get(
            self.base_url() + "/.well-known/oauth-authorization-server", timeout=30
        )
        metadata = response.json()
        self.assertTrue(
            metadata["device_authorization_endpoint"].endswith(
                DEVICE_AUTHORIZATION_PATH
            )
        )
        self.assertIn(DEVICE_CODE, metadata["grant_types_supported"])
