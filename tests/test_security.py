# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Throttling, refresh token reuse, and no secret at rest or in any log line."""

import base64
import contextlib
import hashlib
import logging

from odoo.tools import SQL

from .common import USER_PASSWORD, EndpointCase, ThrottlingCase

PKCE_VERIFIER = "a-verifier-of-at-least-43-characters-as-rfc7636-asks"
PKCE_CHALLENGE = (
    base64.urlsafe_b64encode(hashlib.sha256(PKCE_VERIFIER.encode()).digest())
    .rstrip(b"=")
    .decode()
)
# The test's own HTTP client logs the URLs it sends; only the server's log counts.
CLIENT_LOGGERS = ("urllib3", "requests")


class TestRefreshTokenReuse(EndpointCase):
    """RFC 9700 §4.14.2: a rotated refresh token used again revokes its family."""

    def setUp(self):
        super().setUp()
        self.app.refresh_token_policy = "rotate"

    def assertDead(self, access_token):
        response = self.call("GET", "tokeninfo", params={"access_token": access_token})
        self.assertOAuthError(response, "invalid_token")

    def test_reused_refresh_token_revokes_the_family(self):
        first = self.password_pair()
        second = self.assertJson(self.refresh(first["refresh_token"]))
        third = self.assertJson(self.refresh(second["refresh_token"]))
        unrelated = self.password_pair()

        # the attacker (or the victim) presents an already rotated token
        self.assertOAuthError(self.refresh(first["refresh_token"]), "invalid_grant")

        self.assertDead(third["access_token"])
        self.assertOAuthError(self.refresh(third["refresh_token"]), "invalid_grant")
        # another authorization of the same user and client is not touched
        self.assertJson(self.refresh(unrelated["refresh_token"]))


class TestClientAuthThrottling(ThrottlingCase):
    def test_address_is_paused_after_failures_and_others_are_not(self):
        for _attempt in range(3):
            response = self.from_address("198.51.100.1", secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)
        self.assertThrottled(self.from_address("198.51.100.1", secret="wrong"))
        # a client sharing the address (an office NAT, a proxy) still gets in
        self.assertJson(self.from_address("198.51.100.1"))
        self.assertThrottled(self.from_address("198.51.100.1", secret="wrong"))
        self.assertOAuthError(
            self.from_address("198.51.100.2", secret="wrong"), "invalid_client", 401
        )

    def test_wrong_secrets_while_paused_are_still_counted(self):
        for _attempt in range(3):
            self.from_address("198.51.100.5", secret="wrong")
        self.assertThrottled(self.from_address("198.51.100.5", secret="wrong"))
        failures = self.env["oauth2.client.auth.failure"].search(
            [("remote_addr", "=", "198.51.100.5")]
        )
        self.assertEqual(len(failures), 4)

    def test_client_id_failing_from_many_addresses_pauses_only_those(self):
        # five times the per-address limit, spread so no address is paused
        for attempt in range(15):
            response = self.from_address(f"198.51.100.{attempt}", secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)
        # an address that took part waits with a wrong secret...
        self.assertThrottled(self.from_address("198.51.100.4", secret="wrong"))
        # ...but the right one, the client's own, is answered
        self.assertJson(self.from_address("198.51.100.4"))
        self.assertJson(
            self.from_address(
                "198.51.100.4", client_id="other", secret=self.other_secret
            )
        )
        self.assertOAuthError(
            self.from_address("203.0.113.9", secret="wrong"), "invalid_client", 401
        )

    def test_client_id_failing_far_more_often_pauses_every_address(self):
        """Behind a proxy that passes on the X-Forwarded-For a client sent,
        each guess may come from an address of its own: past ten times the
        per-address limit, every address waits, those that never failed
        too."""
        for attempt in range(30):
            response = self.from_address(f"203.0.113.{attempt}", secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)
        for address in ("198.51.100.77", "2001:db8:77::1"):
            with self.subTest(address=address):
                self.assertThrottled(self.from_address(address, secret="wrong"))
        # the client's own servers, with the right secret, are answered...
        self.assertJson(self.from_address("198.51.100.78"))
        # ...and the other client_ids are not paused
        self.assertJson(
            self.from_address(
                "198.51.100.79", client_id="other", secret=self.other_secret
            )
        )
        self.assertOAuthError(
            self.from_address("198.51.100.79", client_id="other", secret="wrong"),
            "invalid_client",
            401,
        )
        # a secret stored before the strength rules waits, even right
        self.app.sudo().client_secret_is_strong = False
        self.assertThrottled(self.from_address("198.51.100.80"))

    def test_ipv6_addresses_count_per_64_network(self):
        for host in range(1, 4):
            response = self.from_address(f"2001:db8::{host}", secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)
        self.assertThrottled(self.from_address("2001:db8::ffff", secret="wrong"))
        self.assertOAuthError(
            self.from_address("2001:db8:0:1::1", secret="wrong"), "invalid_client", 401
        )

    def test_malformed_forwarded_address_still_gets_json(self):
        for _attempt in range(3):
            response = self.from_address("x" * 300, secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)
        self.assertThrottled(self.from_address("not an address", secret="wrong"))

    def test_introspection_and_revocation_are_throttled_too(self):
        for _attempt in range(3):
            self.from_address("198.51.100.7", secret="wrong")
        headers = {
            "X-Forwarded-For": "198.51.100.7",
            "X-Forwarded-Host": self.base_url().split("//")[1],
        }
        for endpoint in ("introspect", "revoke"):
            with self.subTest(endpoint=endpoint):
                response = self.call(
                    "POST",
                    endpoint,
                    data={"token": "x"},
                    auth=("integration", "wrong"),
                    headers=headers,
                )
                self.assertThrottled(response)
                response = self.call(
                    "POST",
                    endpoint,
                    data={"token": "x"},
                    auth=self.integration,
                    headers=headers,
                )
                self.assertJson(response)

    def test_secret_stored_before_the_strength_rules_waits_out_the_throttle(self):
        self.app.sudo().client_secret_is_strong = False
        for _attempt in range(3):
            self.from_address("198.51.100.8", secret="wrong")
        self.assertThrottled(self.from_address("198.51.100.8"))
        self.app.client_secret = self.secret
        self.assertJson(self.from_address("198.51.100.8"))

    def test_zero_turns_throttling_off(self):
        self.set_param("client_auth_max_failures", 0)
        for _attempt in range(5):
            self.from_address("198.51.100.3", secret="wrong")
        self.assertJson(self.from_address("198.51.100.3"))


class TestNoSecretsAtRestOrInLogs(EndpointCase):
    def text_columns(self):
        self.env.cr.execute(
            """
            SELECT c.table_name, c.column_name
              FROM information_schema.columns c
              JOIN information_schema.tables t
                ON t.table_name = c.table_name AND t.table_schema = c.table_schema
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('character varying', 'text', 'jsonb')
            """
        )
        return self.env.cr.fetchall()

    def find_in_database(self, secrets):
        self.env.flush_all()
        found = []
        for table, column in self.text_columns():
            for secret in secrets:
                self.env.cr.execute(
                    SQL(
                        "SELECT 1 FROM %s WHERE %s::text LIKE %s LIMIT 1",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        f"%{secret}%",
                    )
                )
                if self.env.cr.fetchone():
                    found.append((table, column, secret))
        return found

    @contextlib.contextmanager
    def capture_every_log_record(self):
        """The records of every logger at every level, DEBUG included, except
        where the module itself caps a logger (oauthlib)."""
        records = []
        handler = logging.Handler(level=logging.DEBUG)
        handler.emit = records.append
        loggers = [logging.getLogger(name) for name in ("", "odoo", "werkzeug")]
        levels = [logger.level for logger in loggers]
        logging.getLogger().addHandler(handler)
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        try:
            yield records
        finally:
            logging.getLogger().removeHandler(handler)
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

    def test_issued_secrets_appear_in_no_column_and_no_log_line(self):
        self.public_app.redirect_uris = "https://client.example.com/cb"
        self.public_app.skip_consent = True
        with self.capture_every_log_record() as records:
            secrets = [self.secret]
            password = self.call(
                "POST",
                "access_token",
                # as older orestapi clients send it: every credential in the URL
                params={
                    "grant_type": "password",
                    "username": self.user.login,
                    "password": USER_PASSWORD,
                    "client_id": "integration",
                    "client_secret": self.secret,
                },
            )
            tokens = self.assertJson(password)
            secrets += [tokens["access_token"], tokens["refresh_token"]]
            self.call(
                "GET", "tokeninfo", params={"access_token": tokens["access_token"]}
            )
            # the same parameter, its name percent-encoded, or the token behind
            # a percent-encoded ";", which the access log shows decoded
            for query in (
                f"access%5Ftoken={tokens['access_token']}",
                f"access_token=x%3B{tokens['access_token']}",
            ):
                self.opener.get(
                    f"{self.base_url()}/orestapi/oauth2/tokeninfo?{query}",
                    timeout=30,
                )
            refreshed = self.assertJson(
                self.call(
                    "POST",
                    "access_token",
                    params={
                        "grant_type": "refresh_token",
                        "refresh_token": tokens["refresh_token"],
                    },
                    auth=self.integration,
                )
            )
            secrets += [refreshed["access_token"], refreshed["refresh_token"]]

            self.authenticate(self.user.login, USER_PASSWORD)
            authorize = self.opener.get(
                self.base_url() + "/orestapi/oauth2/authorize",
                params={
                    "response_type": "code",
                    "client_id": "browser-app",
                    "code_challenge": PKCE_CHALLENGE,
                    "code_challenge_method": "S256",
                },
                allow_redirects=False,
                timeout=30,
            )
            code = authorize.headers["Location"].split("code=")[1].split("&")[0]
            exchanged = self.assertJson(
                self.call(
                    "POST",
                    "access_token",
                    params={
                        "grant_type": "authorization_code",
                        "client_id": "browser-app",
                        "code": code,
                        "code_verifier": PKCE_VERIFIER,
                    },
                )
            )
            secrets += [code, exchanged["access_token"], exchanged["refresh_token"]]
            # a verifiable check: the capture works and saw the requests above
            self.assertTrue(
                any("tokeninfo" in record.getMessage() for record in records),
                "the access log was not captured",
            )

        self.assertEqual(self.find_in_database(secrets), [])
        leaks = [
            f"{record.name}: {record.getMessage()}"
            for record in records
            if not record.name.startswith(CLIENT_LOGGERS)
            and any(secret in record.getMessage() for secret in secrets)
        ]
        self.assertEqual(leaks, [])
