# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The authorization code grant: the code's exchange, PKCE, requests-oauthlib."""

import json
import os
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from odoo import fields

from .common import (
    AUTHORIZE_PATH,
    MODULE_ROOT,
    REDIRECT_URI,
    TOKEN_PATH,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    TokenEndpointCase,
    run_node,
    s256,
)


class TestCodeExchange(AuthorizationCase):
    def test_exchange_and_refresh(self):
        code = self.get_code(scope="read")
        body = self.assertTokenAnswer(self.exchange(code))
        self.assertEqual(body["scope"], "read")
        self.assertIn("refresh_token", body)
        token = self.env["oauth2.token"].search(
            [("grant_type", "=", "authorization_code")]
        )
        self.assertEqual(token.user_id, self.user)
        code_record = token.authorization_code_id
        self.assertTrue(code_record.used)
        self.env.flush_all()
        self.env.cr.execute("SELECT code_hash FROM oauth2_authorization_code")
        self.assertNotIn(code, str(self.env.cr.fetchall()))
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                auth=("integration", self.secret),
            )
        )
        self.assertTrue(refreshed["access_token"])

    def test_code_single_use_and_replay_revokes(self):
        code = self.get_code()
        first = self.assertTokenAnswer(self.exchange(code))
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": first["refresh_token"],
                },
                auth=("integration", self.secret),
            )
        )
        self.assertOAuthError(self.exchange(code), "invalid_grant")
        family = self.env["oauth2.token"].search([("user_id", "=", self.user.id)])
        self.assertEqual(len(family), 2)
        self.assertEqual(set(family.mapped("state")), {"revoked"})
        self.assertOAuthError(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": refreshed["refresh_token"],
                },
                auth=("integration", self.secret),
            ),
            "invalid_grant",
        )

    def test_user_archived_between_code_and_exchange(self):
        code = self.get_code()
        self.user.active = False
        body = self.assertOAuthError(self.exchange(code), "invalid_grant")
        self.assertIn("archived", body["error_description"])
        self.assertFalse(
            self.env["oauth2.token"].search([("user_id", "=", self.user.id)]),
            "no token for an archived user",
        )
        # another client presenting it learns nothing of its user
        body = self.assertOAuthError(
            self.exchange(code, auth=("other", self.other_secret)), "invalid_grant"
        )
        self.assertNotIn("archived", body["error_description"])

    def test_code_bound_to_client_redirect_and_time(self):
        code = self.get_code()
        self.assertOAuthError(
            self.exchange(code, auth=("other", self.other_secret)), "invalid_grant"
        )
        self.assertOAuthError(
            self.exchange(code, redirect_uri="https://client.example.com/other"),
            "invalid_grant",
        )
        self.assertOAuthError(self.exchange(code, redirect_uri=None), "invalid_grant")
        self.assertTokenAnswer(self.exchange(code))
        code = self.get_code()
        self.env["oauth2.authorization.code"].search([], limit=1).expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )
        self.assertOAuthError(self.exchange(code), "invalid_grant")

    def test_grant_type_code_of_older_clients(self):
        """Older orestapi clients name the grant ``code``: served only while
        their request forms are accepted."""
        refused = self.exchange(self.get_code(), grant_type="code")
        self.assertOAuthError(refused, "unsupported_grant_type")
        self.set_param("accept_older_client_requests", "True")
        body = self.assertTokenAnswer(self.exchange(self.get_code(), grant_type="code"))
        self.assertIn("refresh_token", body)

    def test_redirect_uri_omitted_at_authorization(self):
        code = self.get_code(redirect_uri=None)
        self.assertTokenAnswer(self.exchange(code, redirect_uri=None))


class TestPKCE(AuthorizationCase):
    def test_s256(self):
        code = self.get_code(
            code_challenge=s256(VERIFIER), code_challenge_method="S256"
        )
        self.assertOAuthError(self.exchange(code), "invalid_request")
        self.assertOAuthError(
            self.exchange(code, code_verifier=VERIFIER + "x"), "invalid_grant"
        )
        code = self.get_code(
            code_challenge=s256(VERIFIER), code_challenge_method="S256"
        )
        self.assertTokenAnswer(self.exchange(code, code_verifier=VERIFIER))

    def test_plain_only_where_the_application_allows_it(self):
        for method in ("plain", None):
            with self.subTest(method=method):
                redirected = self.assertRedirectsTo(
                    self.authorize(
                        code_challenge=VERIFIER, code_challenge_method=method
                    )
                )
                self.assertEqual(redirected["error"], "invalid_request")
                self.assertIn("S256", redirected["error_description"])
        self.app.allow_pkce_plain = True
        code = self.get_code(code_challenge=VERIFIER, code_challenge_method="plain")
        self.assertTokenAnswer(self.exchange(code, code_verifier=VERIFIER))

    def test_malformed_challenge_is_refused(self):
        self.app.allow_pkce_plain = True
        cases = [
            ("short", "plain"),
            ("x" * 129, "plain"),
            (VERIFIER + " ", "plain"),
            (VERIFIER + "\x00", "plain"),
            # a SHA-256 is 43 base64url characters, without "." or "~"
            (VERIFIER, "S256"),
            (s256(VERIFIER)[:-1] + "~", "S256"),
        ]
        for challenge, method in cases:
            with self.subTest(challenge=challenge, method=method):
                redirected = self.assertRedirectsTo(
                    self.authorize(
                        code_challenge=challenge, code_challenge_method=method
                    )
                )
                self.assertEqual(redirected["error"], "invalid_request")
                self.assertIn("RFC 7636", redirected["error_description"])
                self.assertEqual(redirected["state"], "xyz")

    def test_malformed_verifier_is_refused(self):
        code = self.get_code(
            code_challenge=s256(VERIFIER), code_challenge_method="S256"
        )
        body = self.assertOAuthError(
            self.exchange(code, code_verifier="short"), "invalid_request"
        )
        self.assertIn("code_verifier", body["error_description"])
        # the code was not spent on a malformed request
        self.assertTokenAnswer(self.exchange(code, code_verifier=VERIFIER))

    def test_verifier_without_challenge_is_refused(self):
        code = self.get_code()
        body = self.assertOAuthError(
            self.exchange(code, code_verifier=VERIFIER), "invalid_grant"
        )
        self.assertIn("code_challenge", body["error_description"])

    def test_public_client_needs_pkce_and_no_secret(self):
        params = {
            "client_id": "browser-app",
            "redirect_uri": "com.example.myapp:/callback",
        }
        page = self.authorize(**params)
        redirected = self.assertRedirectsTo(page, base="com.example.myapp:/callback")
        self.assertEqual(redirected["error"], "invalid_request")
        page = self.authorize(
            **params, code_challenge=s256(VERIFIER), code_challenge_method="S256"
        )
        code = self.assertRedirectsTo(
            self.decide(page, "allow"), base="com.example.myapp:/callback"
        )["code"]
        body = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "client_id": "browser-app",
                    "redirect_uri": "com.example.myapp:/callback",
                    "code_verifier": VERIFIER,
                }
            )
        )
        self.assertTrue(body["access_token"])

    def test_loopback_redirect_uri_on_any_port(self):
        """RFC 8252 §7.3: a native app listens on whatever loopback port is
        free; the host, path and query still match the registered URI."""
        self.public_app.redirect_uris = "http://127.0.0.1/callback"
        redirect_uri = "http://127.0.0.1:53219/callback"
        pkce = {"code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
        page = self.authorize(
            client_id="browser-app", redirect_uri=redirect_uri, **pkce
        )
        code = self.assertRedirectsTo(self.decide(page, "allow"), base=redirect_uri)[
            "code"
        ]
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "browser-app",
            "code_verifier": VERIFIER,
        }
        # the code is bound to the port it was sent to
        other_port = self.token_request(
            dict(exchange, redirect_uri="http://127.0.0.1:53220/callback")
        )
        self.assertOAuthError(other_port, "invalid_grant")
        body = self.assertTokenAnswer(
            self.token_request(dict(exchange, redirect_uri=redirect_uri))
        )
        self.assertTrue(body["access_token"])
        for refused in (
            "http://localhost:53219/callback",
            "http://127.0.0.1:53219/other",
            "http://127.0.0.1:53219/callback?next=x",
            "https://127.0.0.1:53219/callback",
            "http://127.0.0.2:53219/callback",
            "http://127.0.0.1.evil.example:53219/callback",
            "http://evil.example@127.0.0.1:53219/callback",
        ):
            with self.subTest(redirect_uri=refused):
                self.assertErrorPage(
                    self.authorize(
                        client_id="browser-app", redirect_uri=refused, **pkce
                    )
                )

    def test_pkce_required_by_setting(self):
        self.set_param("require_pkce", "True")
        redirected = self.assertRedirectsTo(self.authorize())
        self.assertEqual(redirected["error"], "invalid_request")
        self.assertIn("challenge", redirected["error_description"].lower())


class TestClientFlows(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        self.callback = self.base_url() + "/orestapi-test-callback"
        self.app.redirect_uris = self.callback

    def test_requests_oauthlib_authorization_code_flow(self):
        environ = patch.dict(os.environ, {"OAUTHLIB_INSECURE_TRANSPORT": "1"})
        environ.start()
        self.addCleanup(environ.stop)
        client = OAuth2Session(
            "integration", redirect_uri=self.callback, scope=["read"]
        )
        authorization_url, state = client.authorization_url(
            self.base_url() + AUTHORIZE_PATH
        )
        # the person: logs in and allows the application
        self.authenticate(self.user.login, USER_PASSWORD)
        page = self.opener.get(authorization_url, timeout=30)
        self.assertEqual(page.status_code, 200)
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        landing = self.opener.post(
            page.url,
            data={"csrf_token": csrf, "decision": "allow"},
            allow_redirects=False,
            timeout=30,
        )
        callback_url = landing.headers["Location"]
        # the client: exchanges the code, then refreshes
        auth = HTTPBasicAuth("integration", self.secret)
        token_url = self.base_url() + TOKEN_PATH
        token = client.fetch_token(
            token_url, authorization_response=callback_url, auth=auth
        )
        self.assertEqual(token["scope"], ["read"])
        refreshed = client.refresh_token(token_url, auth=auth)
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        self.assertEqual(parse_qs(urlsplit(callback_url).query)["state"], [state])


class TestStrictClient(AuthorizationCase):
    """oauth4webapi checks what lenient clients let pass: the issuer of the
    metadata, the iss of authorization responses (RFC 9207), and reads a
    WWW-Authenticate challenge as "authenticate otherwise"."""

    def test_oauth4webapi(self):
        self.set_param("issuer_url", self.base_url())
        page = self.authorize()
        if page.status_code == 200:
            page = self.decide(page, "allow")
        self.env.flush_all()
        result = run_node(
            MODULE_ROOT / "tests" / "clients" / "oauth4webapi_client.mjs",
            self.base_url(),
            "integration",
            self.secret,
            page.headers["Location"],
            "xyz",
            REDIRECT_URI,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        steps = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(steps["issuer"], self.base_url())
        self.assertEqual(steps["wrong_secret"]["kind"], "ResponseBodyError", steps)
        self.assertEqual(steps["wrong_secret"]["error"], "invalid_client", steps)
        self.assertEqual(steps["client_credentials"]["scope"], "read")
        self.assertEqual(steps["code_flow"], {"token_type": "bearer", "refresh": True})
