# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The device authorization grant (RFC 8628) over HTTP: the device
authorization endpoint, the user's page, and the device's polls."""

import re
import threading
import uuid
from datetime import timedelta

import psycopg2
import requests

from odoo import SUPERUSER_ID, api, fields, http, sql_db
from odoo.service import security
from odoo.tests import new_test_user, tagged

from ..models.oauth2_device_authorization import (
    PENDING_PER_ADDRESS,
    PENDING_PER_APPLICATION,
)
from ..models.oauth2_device_user_code_failure import (
    ADDRESS_LIMIT,
    MINUTE,
    OVERALL_LIMIT,
    USER_DAILY_LIMIT,
    USER_LIMIT,
    _bucket,
)
from ..oauth.acr import ACR_MFA
from ..oauth.constants import DEVICE_CODE, USER_CODE_SECRET
from ..oauth.log_filters import mask_secrets
from ..provider.configuration import hash_secret
from .common import (
    OIDC_SCOPES,
    PREFIX,
    TOTP_SECRET,
    USER_PASSWORD,
    HttpCase,
    TokenEndpointCase,
    require_external_clients,
    totp_code,
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
        self.failures = self.env["oauth2.device.user.code.failure"]
        self.failures.search([]).unlink()
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

    def test_pending_requests_are_capped_per_address(self):
        for _device in range(PENDING_PER_ADDRESS):
            self.new_device()
        refused = self.device_authorization({"scope": "read"})
        body = self.assertOAuthError(refused, "slow_down", 429)
        self.assertIn("error_description", body)
        self.assertGreater(int(refused.headers["Retry-After"]), 500)
        # another application, from the same address, too
        refused = self.device_authorization(
            {"client_id": "browser-app", "scope": "read"}, auth=None
        )
        self.assertOAuthError(refused, "slow_down", 429)
        # a request no longer waiting for its user no longer counts
        devices = self.env["oauth2.device.authorization"].sudo()
        devices.search([("address_key", "=", "127.0.0.1")], limit=1).state = "denied"
        self.new_device()

    def test_pending_requests_are_capped_per_application(self):
        devices = self.env["oauth2.device.authorization"].sudo()
        expires_at = fields.Datetime.now() + timedelta(minutes=10)
        devices.create(
            [
                {
                    "application_id": self.app.id,
                    "device_code_hash": f"device-{number}",
                    "user_code_hash": f"user-{number}",
                    "scope": "read",
                    "expires_at": expires_at,
                    "remote_addr": f"2001:db8:{number:x}::1",
                    "address_key": f"2001:db8:{number:x}::/64",
                }
                for number in range(PENDING_PER_APPLICATION)
            ]
        )
        self.assertOAuthError(
            self.device_authorization({"scope": "read"}), "slow_down", 429
        )
        # another application goes on
        self.assertTokenAnswer(
            self.device_authorization(
                {"client_id": "browser-app", "scope": "read"}, auth=None
            )
        )

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

    def test_consent_is_what_the_page_showed(self):
        """A scope taken from the application between the device's request
        and the user's approval is not consented to, even if it comes back
        later."""
        device = self.new_device(scope="read write")
        consent = self.type_code(device["user_code"])
        self.assertIn("write", consent.text)
        self.app.scope_ids = [(3, self.scope_write.id)]
        self.decide(consent, "allow")
        granted = self.env["oauth2.consent"]._of(self.user, self.app)
        self.assertEqual(granted.scope_ids.mapped("name"), ["read"])

    def test_consent_page_says_when_and_from_where(self):
        device = self.new_device()
        consent = self.type_code(device["user_code"])
        self.assertIn("Requested less than a minute ago from 127.0.0.1.", consent.text)
        record = self.record_of(device)
        self.env.cr.execute(
            "UPDATE oauth2_device_authorization SET create_date = %s, "
            "remote_addr = %s WHERE id = %s",
            [
                fields.Datetime.now() - timedelta(minutes=7, seconds=5),
                "<b>203.0.113.5</b>",
                record.id,
            ],
        )
        self.env.invalidate_all()
        consent = self.type_code(device["user_code"])
        self.assertIn(
            "Requested 7 minutes ago from &lt;b&gt;203.0.113.5&lt;/b&gt;.",
            consent.text,
        )

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

    def test_minimum_level_asks_for_the_second_factor(self):
        self.app.minimum_acr = ACR_MFA
        device = self.new_device()
        # a user without two-factor authentication cannot meet it
        refused = self.type_code(device["user_code"])
        self.assertEqual(refused.status_code, 403)
        self.assertIn("two-factor login", refused.text)
        self.user.sudo().totp_secret = TOTP_SECRET
        # which would end the session, logged in with the password alone:
        # it goes on, as one that began before the user enabled it
        self.session.session_token = security.compute_session_token(
            self.session, self.env
        )
        http.root.session_store.save(self.session)
        page = self.type_code(device["user_code"])
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="totp_token"', page.text)
        self.assertNotIn('value="allow"', page.text)

        def second_factor(page, code):
            return self.post_page(
                {
                    "csrf_token": self.csrf_of(page),
                    "user_code": device["user_code"],
                    "decision": "second_factor",
                    "totp_token": code,
                }
            )

        wrong = second_factor(page, "12ab56")
        self.assertIn("Invalid authentication code format", wrong.text)
        self.assertNotIn('value="allow"', wrong.text)
        consent = second_factor(wrong, totp_code())
        self.assertIn('value="allow"', consent.text, consent.text[:2000])
        self.decide(consent, "allow")
        tokens = self.assertTokenAnswer(self.poll(device["device_code"]))
        token = self.env["oauth2.token"]._find_by_token(tokens["access_token"])
        self.assertEqual(token.acr, ACR_MFA)
        # the session now has the second factor: another device goes straight
        # to the consent screen
        another = self.new_device()
        self.assertIn('value="allow"', self.type_code(another["user_code"]).text)

    def test_guessing_user_codes_is_rate_limited(self):
        device = self.new_device()
        wrong = "BBBB-BBBB" if device["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"
        for _attempt in range(ADDRESS_LIMIT):
            page = self.type_code(wrong)
            self.assertEqual(page.status_code, 200)
            self.assertIn("This code is wrong", page.text)
        # even the right code now waits
        page = self.type_code(device["user_code"])
        self.assertEqual(page.status_code, 429)
        self.assertIn("Too many wrong codes", page.text)
        self.assertEqual(self.record_of(device).state, "pending")
        # counted in the database, whatever worker serves the next one; the
        # refused attempt is not counted
        counters = self.failures.search([("key", "=", "addr:127.0.0.1")])
        self.assertEqual(sum(counters.mapped("attempts")), ADDRESS_LIMIT)

    def test_right_codes_are_not_counted(self):
        for _device in range(ADDRESS_LIMIT + 1):
            device = self.new_device()
            self.decide(self.type_code(device["user_code"]), "allow")
            self.assertEqual(self.record_of(device).state, "approved")
        self.assertEqual(sum(self.failures.search([]).mapped("attempts")), 0)

    def test_one_user_guessing_from_many_addresses_is_limited(self):
        """The page needs a login: the user's wrong codes are counted
        whatever address they come from."""
        now = fields.Datetime.now()
        for number in range(USER_LIMIT):
            self.assertEqual(
                self.failures._attempt(f"203.0.113.{number}", self.user, now), 0
            )
        self.assertGreater(self.failures._attempt("203.0.113.99", self.user, now), 0)
        device = self.new_device()
        self.assertEqual(self.type_code(device["user_code"]).status_code, 429)
        # another user at the same address goes on
        other = new_test_user(self.env, login="device-other", password=USER_PASSWORD)
        self.assertEqual(self.failures._attempt("127.0.0.1", other, now), 0)

    def test_one_user_guessing_all_day_is_limited(self):
        now = fields.Datetime.now()
        for number in range(USER_DAILY_LIMIT):
            # spread over the day, so that the minute's limit never stops it
            self.assertEqual(
                self.failures._attempt(
                    f"203.0.113.{number}",
                    self.user,
                    now - timedelta(minutes=40 * (USER_DAILY_LIMIT - 1 - number)),
                ),
                0,
            )
        device = self.new_device()
        refused = self.type_code(device["user_code"])
        self.assertEqual(refused.status_code, 429)
        seconds = int(re.search(r"try again in (\d+) seconds", refused.text)[1])
        self.assertGreater(seconds, 60)

    def test_nobody_locks_everyone_out(self):
        """Wrong codes from everywhere together reach the overall limit:
        it stops only a user or an address that already typed a wrong
        code, never a user's first code."""
        now = fields.Datetime.now()
        attackers = [
            new_test_user(self.env, login=f"device-attacker-{number}")
            for number in range(OVERALL_LIMIT // USER_LIMIT)
        ]
        for number, attacker in enumerate(attackers):
            for _attempt in range(USER_LIMIT):
                self.assertEqual(
                    self.failures._attempt(f"203.0.113.{number}", attacker, now), 0
                )
        device = self.new_device()
        consent = self.type_code(device["user_code"])
        self.assertEqual(consent.status_code, 200)
        self.assertIn('value="allow"', consent.text)
        self.assertEqual(self.decide(consent, "allow").status_code, 200)
        # once the user typed a wrong code, the overall limit stops them too
        another = self.new_device()
        self.assertEqual(self.type_code("BBBB-BBBC").status_code, 200)
        self.assertEqual(self.type_code(another["user_code"]).status_code, 429)
        # as it does a new attacker, from a new address, after one attempt
        newcomer = new_test_user(self.env, login="device-attacker-new")
        self.assertEqual(self.failures._attempt("198.51.100.7", newcomer, now), 0)
        self.assertGreater(self.failures._attempt("198.51.100.7", newcomer, now), 0)

    def test_attempts_are_counted_atomically(self):
        """Two requests counting at once: the second waits for the first's
        row, and then sees its count, or fails to serialize (and Odoo runs
        it again) when it began before the first committed. It never counts
        from the same number, as the old check, then insert, did."""
        db = sql_db.db_connect(self.env.cr.dbname)
        key = f"addr:race-{uuid.uuid4()}"
        now = fields.Datetime.now()
        first, second = db.cursor(), db.cursor()
        outcome = {}
        try:
            # the second's snapshot is taken before the first commits
            second.execute("SELECT 1")
            first_failures = api.Environment(first, SUPERUSER_ID, {})[
                self.failures._name
            ]
            second_failures = api.Environment(second, SUPERUSER_ID, {})[
                self.failures._name
            ]
            self.assertEqual(first_failures._count(key, MINUTE, now)[0], 1)

            def count_concurrently():
                try:
                    outcome["count"] = second_failures._count(key, MINUTE, now)[0]
                except psycopg2.errors.SerializationFailure:
                    outcome["serialization_failure"] = True
                    second.rollback()
                    # what Odoo does then: the request again
                    outcome["count"] = second_failures._count(key, MINUTE, now)[0]

            thread = threading.Thread(target=count_concurrently)
            thread.start()
            first.commit()
            thread.join(60)
            self.assertFalse(thread.is_alive())
            second.commit()
            self.assertEqual(outcome["count"], 2)
        finally:
            first.rollback()
            first.execute(
                "DELETE FROM oauth2_device_user_code_failure WHERE key = %s", [key]
            )
            first.commit()
            first.close()
            second.close()

    def test_cleanup_deletes_old_wrong_code_counters(self):
        now = fields.Datetime.now()
        self.failures._count("addr:198.51.100.1", MINUTE, now - timedelta(days=3))
        self.failures._count("addr:198.51.100.1", MINUTE, now)
        self.env["oauth2.token"]._cron_delete_expired()
        self.assertEqual(
            self.failures.search([("key", "=", "addr:198.51.100.1")]).mapped("bucket"),
            [_bucket(now, MINUTE)],
        )

    def test_client_authentication_failures_are_no_wrong_user_codes(self):
        """No client adds to the page's counter: a failed client
        authentication, whatever client_id it names, is counted apart."""
        for _attempt in range(OVERALL_LIMIT + 1):
            self.device_authorization(
                {"scope": "read"}, auth=("(device user code)", "x")
            )
        self.assertEqual(self.failures.search_count([]), 0)
        self.env["oauth2.client.auth.failure"].search([]).unlink()
        device = self.new_device()
        self.assertEqual(self.type_code(device["user_code"]).status_code, 200)

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

    def test_codes_are_masked_in_the_log(self):
        line = (
            '127.0.0.1 - - "GET /orestapi/oauth2/device?user_code=WDJB-MJHT '
            'HTTP/1.1" 200 - device_code=abc'
        )
        masked = mask_secrets(line)
        self.assertNotIn("WDJB-MJHT", masked)
        self.assertNotIn("abc", masked)

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


@tagged("post_install", "-at_install")
class TestDevicePageTour(HttpCase):
    def test_user_approves_a_device_from_its_link(self):
        require_external_clients(node=False, tours=True)
        # start_tour logs in with the login as password, new_test_user's default
        user = new_test_user(self.env, login="oauth2_tour_device")
        application = self.env["oauth2.application"].create(
            {"name": "Tour Device App", "grant_device_code": True}
        )
        devices = self.env["oauth2.device.authorization"]
        device, _device_code, _user_code = devices._create_for_request(
            application, ["read"], "127.0.0.1"
        )
        # a user code known to the tour, as the device would show it
        device.user_code_hash = hash_secret(self.env, USER_CODE_SECRET, "BCDFGHJK")
        self.start_tour(
            "/orestapi/oauth2/device?user_code=BCDF-GHJK",
            "orestapi_oauth2_device_user",
            login=user.login,
        )
        self.assertEqual(device.state, "approved")
        self.assertEqual(device.user_id, user)
        self.assertTrue(self.env["oauth2.consent"]._of(user, application))
