# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo import fields
from odoo.tests import new_test_user

from .common import USER_PASSWORD
from .test_token_endpoint import TokenEndpointCase

AUTHORIZE_PATH = "/orestapi/oauth2/authorize"
REDIRECT_URI = "https://client.example.com/callback"
VERIFIER = "a-long-random-code-verifier-with-enough-entropy-0123456789"


def s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class AuthorizationCase(TokenEndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.write({"redirect_uris": REDIRECT_URI, "grant_implicit": True})
        cls.public_app.redirect_uris = "com.example.myapp:/callback"

    def setUp(self):
        super().setUp()
        self.authenticate(self.user.login, USER_PASSWORD)

    def authorize(self, path=AUTHORIZE_PATH, **params):
        query = {
            "response_type": "code",
            "client_id": "integration",
            "redirect_uri": REDIRECT_URI,
            "state": "xyz",
            **params,
        }
        query = {key: value for key, value in query.items() if value is not None}
        return self.opener.get(
            f"{self.base_url()}{path}?{urlencode(query)}",
            allow_redirects=False,
            timeout=30,
        )

    def decide(self, consent_page, decision):
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', consent_page.text)[1]
        return self.opener.post(
            consent_page.url,
            data={"csrf_token": csrf, "decision": decision},
            allow_redirects=False,
            timeout=30,
        )

    def assertRedirectsTo(self, response, base=REDIRECT_URI, fragment=False):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(base), location)
        parts = urlsplit(location)
        return {
            k: v[0]
            for k, v in parse_qs(parts.fragment if fragment else parts.query).items()
        }

    def get_code(self, **params):
        page = self.authorize(**params)
        if page.status_code == 200:
            page = self.decide(page, "allow")
        return self.assertRedirectsTo(page)["code"]

    def exchange(self, code, auth=("integration", None), **extra):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            **extra,
        }
        data = {key: value for key, value in data.items() if value is not None}
        client_id, secret = auth
        if secret is None and client_id == "integration":
            secret = self.secret
        return self.token_request(data, auth=(client_id, secret) if secret else None)


class TestConsent(AuthorizationCase):
    def test_logged_out_user_goes_to_login_and_back(self):
        self.logout()
        response = self.authorize()
        self.assertIn(response.status_code, (302, 303))
        location = response.headers["Location"]
        self.assertIn("/web/login", location)
        self.assertIn("redirect=", location)
        self.assertIn("oauth2%2Fauthorize", location)

    def test_consent_page_then_allow(self):
        page = self.authorize(scope="read")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Integration", page.text)
        self.assertIn("Read your data", page.text)
        self.assertIn(self.user.login, page.text)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        self.assertIn("frame-ancestors 'none'", page.headers["Content-Security-Policy"])
        self.assertRegex(
            page.text, r'o_oauth2_destination">\s*client\.example\.com\s*<'
        )
        redirect = self.decide(page, "allow")
        for response in (page, redirect):
            self.assertEqual(response.headers["Cache-Control"], "no-store")
            self.assertEqual(response.headers["Referrer-Policy"], "no-referrer")
        params = self.assertRedirectsTo(redirect)
        self.assertEqual(params["state"], "xyz")
        self.assertTrue(params["code"])
        consent = self.env["oauth2.consent"].search([("user_id", "=", self.user.id)])
        self.assertEqual(consent.scope_ids, self.scope_read)

    def test_deny(self):
        params = self.assertRedirectsTo(self.decide(self.authorize(), "deny"))
        self.assertEqual(params["error"], "access_denied")
        self.assertEqual(params["state"], "xyz")
        self.assertNotIn("code", params)
        self.assertFalse(
            self.env["oauth2.consent"].search([("user_id", "=", self.user.id)])
        )

    def test_remembered_consent_and_new_scope(self):
        self.decide(self.authorize(scope="read"), "allow")
        params = self.assertRedirectsTo(self.authorize(scope="read"))
        self.assertTrue(params["code"])
        # a scope not yet granted asks again
        self.assertEqual(self.authorize(scope="read write").status_code, 200)

    def test_skip_consent(self):
        self.app.skip_consent = True
        self.assertTrue(self.assertRedirectsTo(self.authorize())["code"])

    def test_legacy_path(self):
        page = self.authorize(path="/orestapi/oauth2/authorization")
        self.assertEqual(page.status_code, 200)
        self.assertTrue(self.assertRedirectsTo(self.decide(page, "allow"))["code"])


class TestAuthorizationErrors(AuthorizationCase):
    def assertErrorPage(self, response):
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("Location", response.headers)
        self.assertIn("Authorization failed", response.text)

    def test_fatal_errors_show_a_page_and_never_redirect(self):
        self.assertErrorPage(self.authorize(client_id="nobody"))
        self.assertErrorPage(self.authorize(client_id=None))
        self.assertErrorPage(self.authorize(redirect_uri="https://evil.example/cb"))
        self.assertErrorPage(self.authorize(redirect_uri=REDIRECT_URI + "/"))
        self.app.redirect_uris = f"{REDIRECT_URI}\nhttps://client.example.com/other"
        self.assertErrorPage(self.authorize(redirect_uri=None))
        self.app.active = False
        self.assertErrorPage(self.authorize())

    def test_duplicated_parameter_shows_a_page(self):
        response = self.opener.get(
            f"{self.base_url()}{AUTHORIZE_PATH}?response_type=code"
            f"&client_id=integration&client_id=integration&redirect_uri={REDIRECT_URI}",
            allow_redirects=False,
            timeout=30,
        )
        self.assertErrorPage(response)
        self.assertIn("malformed", response.text)
        self.assertNotIn("not registered", response.text)

    def test_single_registered_uri_may_be_omitted(self):
        self.app.skip_consent = True
        self.assertTrue(
            self.assertRedirectsTo(self.authorize(redirect_uri=None))["code"]
        )

    def test_other_errors_redirect_with_state(self):
        cases = [
            ({"response_type": "bogus"}, "unsupported_response_type"),
            ({"scope": "admin"}, "invalid_scope"),
        ]
        for params, error in cases:
            with self.subTest(params=params):
                redirected = self.assertRedirectsTo(self.authorize(**params))
                self.assertEqual(redirected["error"], error)
                self.assertEqual(redirected["state"], "xyz")
                self.assertTrue(redirected["error_description"])
        self.app.grant_authorization_code = False
        redirected = self.assertRedirectsTo(self.authorize())
        self.assertEqual(redirected["error"], "unauthorized_client")

    def test_pkce_required_by_setting(self):
        self.set_param("require_pkce", "True")
        redirected = self.assertRedirectsTo(self.authorize())
        self.assertEqual(redirected["error"], "invalid_request")
        self.assertIn("challenge", redirected["error_description"].lower())


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


class TestImplicit(AuthorizationCase):
    def test_token_in_fragment(self):
        page = self.authorize(response_type="token", scope="read")
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertEqual(params["token_type"], "Bearer")
        self.assertEqual(params["scope"], "read")
        self.assertEqual(params["state"], "xyz")
        self.assertEqual(params["expires_in"], "360")
        self.assertNotIn("refresh_token", params)
        token = self.env["oauth2.token"].search([("grant_type", "=", "implicit")])
        self.assertEqual(token.user_id, self.user)
        self.assertFalse(token.refresh_expires_at)

    def test_implicit_not_allowed(self):
        self.app.grant_implicit = False
        params = self.assertRedirectsTo(
            self.authorize(response_type="token"), fragment=True
        )
        self.assertEqual(params["error"], "unauthorized_client")


class TestConnectedApps(AuthorizationCase):
    def revoke_from_apps_page(self, consent):
        page = self.opener.get(self.base_url() + "/orestapi/oauth2/apps", timeout=30)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        return self.opener.post(
            f"{self.base_url()}/orestapi/oauth2/apps/{consent.id}/revoke",
            data={"csrf_token": csrf},
            allow_redirects=False,
            timeout=30,
        )

    def test_list_and_revoke(self):
        body = self.assertTokenAnswer(self.exchange(self.get_code()))
        page = self.opener.get(self.base_url() + "/orestapi/oauth2/apps", timeout=30)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Integration", page.text)
        consent = self.env["oauth2.consent"].search([("user_id", "=", self.user.id)])
        self.assertEqual(self.user.with_user(self.user).oauth2_consent_ids, consent)
        response = self.revoke_from_apps_page(consent)
        self.assertIn(response.status_code, (302, 303))
        self.assertFalse(consent.exists())
        token = self.env["oauth2.token"].search([("user_id", "=", self.user.id)])
        self.assertEqual(token.state, "revoked")
        self.assertOAuthError(
            self.token_request(
                {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                auth=("integration", self.secret),
            ),
            "invalid_grant",
        )

    def test_cannot_revoke_someone_elses(self):
        own = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        other = new_test_user(self.env, login="other_user", password=USER_PASSWORD)
        consent = self.env["oauth2.consent"]._grant(other, self.app, ["read"])
        response = self.revoke_from_apps_page(consent)
        self.assertEqual(response.status_code, 403, response.text[:300])
        self.assertTrue(consent.exists())
        self.assertTrue(own.exists())

    def test_revoking_voids_codes_not_yet_exchanged(self):
        code = self.get_code(scope="read")
        consent = self.env["oauth2.consent"].search([("user_id", "=", self.user.id)])
        response = self.revoke_from_apps_page(consent)
        self.assertIn(response.status_code, (302, 303))
        self.assertOAuthError(self.exchange(code), "invalid_grant")

    def test_revoking_all_tokens_of_an_application_voids_its_codes(self):
        code = self.get_code(scope="read")
        self.app.action_revoke_tokens()
        self.assertOAuthError(self.exchange(code), "invalid_grant")
