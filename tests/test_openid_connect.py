# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect Core 1.0 at the authorization and token endpoints: the
id_token of each flow, checked as a relying party checks it, and the
authentication request's parameters (prompt, max_age, login_hint,
id_token_hint, ui_locales, response_mode)."""

import html
import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user

from .common import (
    NONCE,
    REDIRECT_URI,
    USER_PASSWORD,
    OpenIDCase,
    forget_test_session_cookie,
    left_half_hash,
)


class TestCodeFlow(OpenIDCase):
    def test_redirect_uri_is_required_even_with_a_single_registered_one(self):
        # Core §3.1.2.1; a plain OAuth2 request may leave it out
        # (test_authorize's test_single_registered_uri_may_be_omitted)
        self.app.skip_consent = True
        for response_type in ("code", "id_token token"):
            for prompt in (None, "none"):
                with self.subTest(response_type=response_type, prompt=prompt):
                    page = self.authorize(
                        scope="openid",
                        response_type=response_type,
                        nonce=NONCE,
                        prompt=prompt,
                        redirect_uri=None,
                    )
                    self.assertEqual(page.status_code, 400)
                    self.assertNotIn("Location", page.headers)
                    self.assertIn("redirect_uri", page.text)
        self.assertFalse(
            self.env["oauth2.authorization.code"].search(
                [("application_id", "=", self.app.id)]
            )
        )

    def test_id_token(self):
        tokens = self.code_tokens(nonce=NONCE)
        claims = self.verify(tokens["id_token"])
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        self.assertEqual(claims["nonce"], NONCE)
        self.assertEqual(claims["at_hash"], left_half_hash(tokens["access_token"]))
        self.assertEqual(claims["exp"] - claims["iat"], 3600)
        self.assertLessEqual(claims["auth_time"], claims["iat"])
        self.assertEqual(claims["name"], "OAuth User")
        self.assertEqual(claims["preferred_username"], "oauth2_user")
        self.assertEqual(claims["email"], "oauth2.user@example.com")
        self.assertIs(claims["email_verified"], False)
        self.assertNotIn("phone_number", claims)
        self.assertEqual(jwt.get_unverified_header(tokens["id_token"])["alg"], "RS256")

    def test_auth_time_is_the_login(self):
        """auth_time is when the user logged in, not when the code was made."""
        logged_in_at = fields.Datetime.now() - timedelta(minutes=30)
        self.backdate_logins(logged_in_at)
        claims = self.verify(self.code_tokens()["id_token"])
        self.assertAlmostEqual(claims["auth_time"], logged_in_at.timestamp(), delta=2)

    def test_each_code_carries_its_own_nonce(self):
        first = self.get_code(scope="openid", nonce="first-nonce")
        second = self.get_code(scope="openid", nonce="second-nonce")
        for code, nonce in ((second, "second-nonce"), (first, "first-nonce")):
            tokens = self.assertTokenAnswer(self.exchange(code))
            self.assertEqual(self.verify(tokens["id_token"])["nonce"], nonce)

    def test_openid_only_where_a_user_signs_in(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "openid"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_scope")

    def test_without_openid_no_id_token(self):
        tokens = self.code_tokens(scope="read profile")
        self.assertNotIn("id_token", tokens)

    def test_openid_is_never_a_default_scope(self):
        """A client that asks for no scope, or for every scope, expects no
        id_token: openid must be named."""
        for scope in (None, "*"):
            self.assertNotIn("id_token", self.code_tokens(scope=scope))

    def test_refresh_returns_a_fresh_id_token(self):
        tokens = self.code_tokens(nonce=NONCE)
        first = self.verify(tokens["id_token"])
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                },
                auth=("integration", self.secret),
            )
        )
        claims = self.verify(refreshed["id_token"])
        self.assertEqual(claims["sub"], first["sub"])
        self.assertEqual(claims["auth_time"], first["auth_time"])
        self.assertEqual(claims["at_hash"], left_half_hash(refreshed["access_token"]))
        # Core §12.2: the nonce belongs to the authentication, not a refresh
        self.assertNotIn("nonce", claims)

    def test_es256_and_pairwise(self):
        public_subject = self.user._oidc_subject(self.app)
        self.app.write(
            {"id_token_signed_response_alg": "ES256", "subject_type": "pairwise"}
        )
        id_token = self.code_tokens()["id_token"]
        self.assertEqual(jwt.get_unverified_header(id_token)["alg"], "ES256")
        claims = self.verify(id_token)
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        self.assertNotEqual(claims["sub"], public_subject)
        self.assertNotEqual(claims["sub"], self.user._oidc_subject(self.other_app))

    def test_userinfo_claims_of_the_scopes(self):
        tokens = self.code_tokens(scope="openid email phone address")
        self.user.partner_id.write(
            {"street": "Andrássy út 1", "city": "Budapest", "zip": "1061"}
        )
        response = self.opener.get(
            self.base_url() + "/orestapi/oauth2/userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        claims = response.json()
        self.assertEqual(claims["sub"], self.verify(tokens["id_token"])["sub"])
        self.assertEqual(claims["email"], "oauth2.user@example.com")
        self.assertEqual(claims["phone_number"], "+36 1 234 5678")
        self.assertEqual(claims["address"]["locality"], "Budapest")
        self.assertEqual(claims["address"]["street_address"], "Andrássy út 1")
        self.assertNotIn("name", claims)


class TestImplicitFlow(OpenIDCase):
    def test_id_token_token(self):
        page = self.authorize(
            response_type="id_token token", scope="openid profile", nonce=NONCE
        )
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        claims = self.verify(params["id_token"])
        self.assertEqual(claims["nonce"], NONCE)
        self.assertEqual(claims["at_hash"], left_half_hash(params["access_token"]))
        self.assertEqual(params["iss"], self.issuer())
        self.assertEqual(params["state"], "xyz")

    def test_id_token_alone(self):
        page = self.authorize(response_type="id_token", scope="openid", nonce=NONCE)
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertNotIn("access_token", params)
        self.assertNotIn("at_hash", self.verify(params["id_token"]))

    def test_nonce_required(self):
        params = self.assertRedirectsTo(
            self.authorize(response_type="id_token", scope="openid"), fragment=True
        )
        self.assertEqual(params["error"], "invalid_request")

    def test_id_token_needs_openid(self):
        params = self.assertRedirectsTo(
            self.authorize(response_type="id_token", scope="read", nonce=NONCE),
            fragment=True,
        )
        self.assertEqual(params["error"], "invalid_scope")

    def test_token_never_in_the_query(self):
        params = self.assertRedirectsTo(
            self.authorize(
                response_type="id_token token",
                scope="openid",
                nonce=NONCE,
                response_mode="query",
            )
        )
        self.assertEqual(params["error"], "invalid_request")
        self.assertFalse(self.env["oauth2.token"].search([]))


class TestPrompt(OpenIDCase):
    def grant_consent(self):
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid", "profile"])

    def test_none_without_session(self):
        self.authenticate(None, None)
        params = self.assertRedirectsTo(self.authorize(scope="openid", prompt="none"))
        self.assertEqual(params["error"], "login_required")
        self.assertEqual(params["iss"], self.issuer())

    def test_none_without_consent(self):
        params = self.assertRedirectsTo(self.authorize(scope="openid", prompt="none"))
        self.assertEqual(params["error"], "consent_required")

    def test_none_with_consent(self):
        self.grant_consent()
        params = self.assertRedirectsTo(self.authorize(scope="openid", prompt="none"))
        self.assertIn("code", params)

    def test_none_with_another_login(self):
        self.assertRedirectsTo(
            self.authorize(scope="openid", prompt="none login"), base=REDIRECT_URI
        )

    def test_consent_asks_again(self):
        self.grant_consent()
        page = self.authorize(scope="openid", prompt="consent")
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="decision"', page.text)

    def test_unknown_prompt(self):
        params = self.assertRedirectsTo(self.authorize(scope="openid", prompt="nope"))
        self.assertEqual(params["error"], "invalid_request")

    def login_through_odoo(self, login_page_url, login=None):
        """Log in on Odoo's login page as a browser does, in this session, as
        ``login``, else as the login the page holds."""
        page = self.opener.get(self.base_url() + login_page_url, timeout=30)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        query = parse_qs(urlsplit(login_page_url).query)
        return self.opener.post(
            self.base_url() + "/web/login",
            data={
                "csrf_token": csrf,
                "login": login or query["login"][0],
                "password": USER_PASSWORD,
                "redirect": query["redirect"][0],
            },
            allow_redirects=False,
            timeout=30,
        )

    def assertLoginPage(self, response, login):
        self.assertIn(response.status_code, (302, 303))
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        query = parse_qs(location.query)
        self.assertEqual(query["login"], [login])
        self.assertTrue(query["redirect"][0].startswith("/orestapi/oauth2/authorize?"))
        return f"{location.path}?{location.query}"

    def assertAsksToLogInAgain(self, page):
        """The page asking the logged-in user to confirm a new login; the
        session is still alive."""
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn('value="reauthenticate"', page.text)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        backend = self.opener.get(
            self.base_url() + "/odoo", allow_redirects=False, timeout=30
        )
        self.assertEqual(backend.status_code, 200)
        return page

    def test_login_logs_in_again_then_goes_on(self):
        self.grant_consent()
        page = self.assertAsksToLogInAgain(
            self.authorize(scope="openid", prompt="login")
        )
        login_page = self.assertLoginPage(
            self.decide(page, "reauthenticate"), "oauth2_user"
        )
        # the server's new cookie, after the logout, as a browser has it
        forget_test_session_cookie(self.opener)
        # the old session is over
        backend = self.opener.get(
            self.base_url() + "/odoo", allow_redirects=False, timeout=30
        )
        self.assertTrue(backend.headers["Location"].startswith("/web/login"))
        back = self.login_through_odoo(login_page)
        self.assertIn(back.status_code, (302, 303))
        answer = self.opener.get(
            self.base_url() + back.headers["Location"],
            allow_redirects=False,
            timeout=30,
        )
        params = self.assertRedirectsTo(answer)
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        claims = self.verify(tokens["id_token"])
        self.assertAlmostEqual(claims["auth_time"], time.time(), delta=10)

    def assertAsksWhichAccount(self, page):
        """The page asking the logged-in user which account to use; the
        session is still alive."""
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn('value="continue"', page.text)
        self.assertIn('value="switch_account"', page.text)
        self.assertIn("Continue as OAuth User", page.text)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        self.assertEqual(self.session_uid(), self.user.id)
        return page

    def press(self, page, decision, csrf_token=None):
        """Press a button of ``page``'s form as a browser does: posted to the
        form's action, with its CSRF token unless another is given."""
        form = re.search(r'<form method="post" action="([^"]+)"', page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        return self.opener.post(
            html.unescape(form[1]),
            data={"csrf_token": csrf_token or csrf, "decision": decision},
            allow_redirects=False,
            timeout=30,
        )

    def test_select_account_continue_as_the_user(self):
        self.grant_consent()
        page = self.assertAsksWhichAccount(
            self.authorize(scope="openid", prompt="select_account")
        )
        params = self.assertRedirectsTo(self.press(page, "continue"))
        claims = self.verify(
            self.assertTokenAnswer(self.exchange(params["code"]))["id_token"]
        )
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        self.assertEqual(self.session_uid(), self.user.id)

    def test_select_account_then_consent_asks_each_once(self):
        page = self.assertAsksWhichAccount(
            self.authorize(scope="openid", prompt="select_account consent")
        )
        consent = self.press(page, "continue")
        self.assertEqual(consent.status_code, 200, consent.text[:300])
        self.assertIn('value="allow"', consent.text)
        action = html.unescape(re.search(r'action="([^"]+)"', consent.text)[1])
        self.assertEqual(parse_qs(urlsplit(action).query)["prompt"], ["consent"])
        params = self.assertRedirectsTo(self.press(consent, "allow"))
        self.assertIn("code", params)

    def test_select_account_with_another_account(self):
        other = new_test_user(
            self.env, login="oauth2_other_account", password=USER_PASSWORD
        )
        self.env["oauth2.consent"]._grant(other, self.app, ["openid"])
        page = self.assertAsksWhichAccount(
            self.authorize(scope="openid", prompt="select_account")
        )
        switched = self.press(page, "switch_account")
        self.assertIn(switched.status_code, (302, 303), switched.text[:300])
        location = urlsplit(switched.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        query = parse_qs(location.query)
        # the login field is not filled with the account the user leaves
        self.assertNotIn("login", query)
        redirect = urlsplit(query["redirect"][0])
        self.assertEqual(redirect.path, "/orestapi/oauth2/authorize")
        self.assertEqual(parse_qs(redirect.query)["prompt"], ["select_account"])
        forget_test_session_cookie(self.opener)
        self.assertFalse(self.session_uid())
        back = self.login_through_odoo(
            f"{location.path}?{location.query}", login=other.login
        )
        self.assertIn(back.status_code, (302, 303))
        # the login for this request answered select_account: no page again
        answer = self.opener.get(
            self.base_url() + back.headers["Location"],
            allow_redirects=False,
            timeout=30,
        )
        params = self.assertRedirectsTo(answer)
        claims = self.verify(
            self.assertTokenAnswer(self.exchange(params["code"]))["id_token"]
        )
        self.assertEqual(claims["sub"], other._oidc_subject(self.app))

    def test_select_account_without_session_logs_in(self):
        self.grant_consent()
        self.authenticate(None, None)
        response = self.authorize(scope="openid", prompt="select_account")
        self.assertIn(response.status_code, (302, 303))
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        forget_test_session_cookie(self.opener)
        back = self.login_through_odoo(
            f"{location.path}?{location.query}", login=self.user.login
        )
        answer = self.opener.get(
            self.base_url() + back.headers["Location"],
            allow_redirects=False,
            timeout=30,
        )
        self.assertIn("code", self.assertRedirectsTo(answer))

    def test_select_account_with_none_is_an_error(self):
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", prompt="none select_account")
        )
        self.assertEqual(params["error"], "invalid_request")
        self.assertEqual(self.session_uid(), self.user.id)

    def test_select_account_decisions_need_the_csrf_token(self):
        self.grant_consent()
        page = self.assertAsksWhichAccount(
            self.authorize(scope="openid", prompt="select_account")
        )
        for decision in ("switch_account", "continue"):
            with self.subTest(decision=decision):
                response = self.press(page, decision, csrf_token="forged")
                self.assertEqual(response.status_code, 400)
                self.assertNotIn("Location", response.headers)
                self.assertEqual(self.session_uid(), self.user.id)

    def test_select_account_get_cannot_switch_nor_continue(self):
        """A link naming the decision in its query only shows the page."""
        self.grant_consent()
        for decision in ("switch_account", "continue"):
            with self.subTest(decision=decision):
                self.assertAsksWhichAccount(
                    self.authorize(
                        scope="openid", prompt="select_account", decision=decision
                    )
                )

    def test_max_age(self):
        self.grant_consent()
        self.backdate_logins(fields.Datetime.now() - timedelta(hours=1))
        page = self.assertAsksToLogInAgain(self.authorize(scope="openid", max_age="60"))
        self.assertLoginPage(self.decide(page, "reauthenticate"), "oauth2_user")

    def test_cancel_the_new_login(self):
        page = self.assertAsksToLogInAgain(
            self.authorize(scope="openid", prompt="login")
        )
        params = self.assertRedirectsTo(self.decide(page, "deny"))
        self.assertEqual(params["error"], "access_denied")

    def test_no_logout_without_the_users_word(self):
        """A forged POST without the page's CSRF token ends nothing."""
        response = self.opener.post(
            self.authorize(scope="openid", prompt="login").url,
            data={"decision": "reauthenticate", "csrf_token": "forged"},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(response.status_code, 400)
        self.assertAsksToLogInAgain(self.authorize(scope="openid", prompt="login"))

    def test_request_posted_as_a_form(self):
        """Core §3.1.2.1: the authentication request may come as a POST."""
        self.grant_consent()
        response = self.opener.post(
            self.base_url() + "/orestapi/oauth2/authorize",
            data={
                "response_type": "code",
                "client_id": "integration",
                "redirect_uri": REDIRECT_URI,
                "scope": "openid",
                "state": "posted",
            },
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(self.assertRedirectsTo(response)["state"], "posted")

    def test_max_age_satisfied(self):
        self.grant_consent()
        params = self.assertRedirectsTo(self.authorize(scope="openid", max_age="3600"))
        claims = self.verify(
            self.assertTokenAnswer(self.exchange(params["code"]))["id_token"]
        )
        self.assertIn("auth_time", claims)

    def test_malformed_max_age(self):
        self.grant_consent()
        for max_age in ("soon", "²", "9" * 5000, "-1"):
            for prompt in (None, "none"):
                with self.subTest(max_age=max_age[:10], prompt=prompt):
                    params = self.assertRedirectsTo(
                        self.authorize(scope="openid", max_age=max_age, prompt=prompt)
                    )
                    self.assertIn(
                        params["error"], ("invalid_request", "login_required")
                    )

    def test_bad_parameters_get_an_answer(self):
        """Never a 500: a claims parameter that is no JSON (more in
        test_claims_parameter), a NUL in the nonce, which the code stores, an
        unsigned request object and a request_uri are refused at the redirect
        URI."""
        params = self.assertRedirectsTo(self.authorize(scope="openid", claims="{"))
        self.assertEqual(params["error"], "invalid_request")
        params = self.assertRedirectsTo(self.authorize(scope="openid", nonce="a\x00b"))
        self.assertEqual(params["error"], "invalid_request")
        for name, error in (
            # unsigned, from an application that sends none (test_request_objects)
            ("request", "invalid_request_object"),
            ("request_uri", "request_uri_not_supported"),
        ):
            params = self.assertRedirectsTo(
                self.authorize(scope="openid", **{name: "eyJhbGciOiJub25lIn0.e30."})
            )
            self.assertEqual(params["error"], error)
        params = self.assertRedirectsTo(self.authorize(scope="openid", nonce="n" * 513))
        self.assertEqual(params["error"], "invalid_request")

    def test_login_hint_fills_the_login_page(self):
        self.authenticate(None, None)
        self.assertLoginPage(
            self.authorize(scope="openid", login_hint="someone@example.com"),
            "someone@example.com",
        )


class TestIdTokenHint(OpenIDCase):
    def hint_of(self, user):
        return self.env["oauth2.signing.key"]._sign(
            {
                "iss": self.issuer(),
                "sub": user._oidc_subject(self.app),
                "aud": "integration",
                "iat": int(time.time()) - 7200,
                "exp": int(time.time()) - 3600,
            }
        )

    def test_hint_of_the_session_user(self):
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        params = self.assertRedirectsTo(
            self.authorize(
                scope="openid", prompt="none", id_token_hint=self.hint_of(self.user)
            )
        )
        self.assertIn("code", params)

    def test_hint_of_another_user(self):
        other = new_test_user(self.env, login="oauth2_other", password=USER_PASSWORD)
        params = self.assertRedirectsTo(
            self.authorize(
                scope="openid", prompt="none", id_token_hint=self.hint_of(other)
            )
        )
        self.assertEqual(params["error"], "login_required")

    def test_hint_of_another_user_with_openid_among_the_default_scopes(self):
        # Without scope, the request is validated as an OAuth2 one and
        # answered by the OpenID grant (the default scopes bring openid),
        # whose prompt=none and id_token_hint checks must still run.
        self.app.default_scope_ids = self.env.ref("orestapi_oauth2.oauth2_scope_openid")
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        other = new_test_user(self.env, login="oauth2_other", password=USER_PASSWORD)
        params = self.assertRedirectsTo(
            self.authorize(prompt="none", id_token_hint=self.hint_of(other))
        )
        self.assertEqual(params["error"], "login_required")
        params = self.assertRedirectsTo(
            self.authorize(prompt="none", id_token_hint=self.hint_of(self.user))
        )
        self.assertIn("code", params)

    def test_tampered_hint(self):
        header, payload, signature = self.hint_of(self.user).split(".")
        forged = f"{header}.{payload}.{signature[:-4]}AAAA"
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", id_token_hint=forged)
        )
        self.assertEqual(params["error"], "invalid_request")

    def test_unsigned_hint(self):
        unsigned = jwt.encode(
            {"iss": self.issuer(), "sub": "x", "aud": "integration", "iat": 1},
            key=None,
            algorithm="none",
        )
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", id_token_hint=unsigned)
        )
        self.assertEqual(params["error"], "invalid_request")


class TestResponseModes(OpenIDCase):
    def form_fields(self, page):
        return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))

    def assertFormPost(self, page):
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn(f'action="{REDIRECT_URI}"', page.text)
        policy = page.headers["Content-Security-Policy"]
        self.assertIn("script-src 'sha256-", policy)
        self.assertIn("form-action https://client.example.com", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        return self.form_fields(page)

    def test_form_post_code(self):
        page = self.authorize(scope="openid", response_mode="form_post")
        fields_ = self.assertFormPost(self.decide(page, "allow"))
        self.assertEqual(fields_["state"], "xyz")
        self.assertEqual(fields_["iss"], self.issuer())
        self.assertTrue(self.exchange(fields_["code"]).ok)

    def test_form_post_error(self):
        page = self.authorize(scope="openid", response_mode="form_post")
        fields_ = self.assertFormPost(self.decide(page, "deny"))
        self.assertEqual(fields_["error"], "access_denied")

    def test_fragment_code(self):
        page = self.authorize(scope="openid", response_mode="fragment")
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertIn("code", params)

    def test_unknown_mode(self):
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", response_mode="web_message")
        )
        self.assertEqual(params["error"], "invalid_request")


class TestUiLocales(OpenIDCase):
    def test_consent_page_in_the_asked_language(self):
        self.env["res.lang"]._activate_lang("hu_HU")
        self.env["ir.module.module"]._load_module_terms(["orestapi_oauth2"], ["hu_HU"])
        page = self.authorize(scope="openid", ui_locales="hu-HU en")
        self.assertEqual(page.status_code, 200)
        self.assertIn("hozzáférést kér az Ön fiókjához", page.text)


class TestOfflineAccess(OpenIDCase):
    """Core §11: offline_access counts only with prompt=consent in a request
    that returns a code; it brings a refresh token to an application set to
    issue them only then, and changes nothing for the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offline_access = cls.env.ref("orestapi_oauth2.oauth2_scope_offline_access")
        cls.app.scope_ids |= cls.offline_access

    def approved(self, **params):
        """The parameters the redirect carries once the user approved, when
        asked: the code's in the query, the tokens' in the fragment."""
        page = self.authorize(nonce=NONCE, **params)
        if 'name="decision"' in page.text:
            page = self.decide(page, "allow")
        fragment = params.get("response_type", "code") != "code"
        return self.assertRedirectsTo(page, fragment=fragment)

    def test_kept_with_prompt_consent_and_asked_on_the_consent_page(self):
        self.app.refresh_token_offline_access_only = True
        page = self.authorize(scope="openid offline_access", prompt="consent")
        self.assertIn(self.offline_access.description, page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        tokens = self.assertTokenAnswer(self.exchange(code))
        self.assertEqual(tokens["scope"].split(), ["openid", "offline_access"])
        self.assertIn("refresh_token", tokens)
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                },
                auth=("integration", self.secret),
            )
        )
        # the grant keeps offline_access: each refresh answers a refresh token
        self.assertIn("refresh_token", refreshed)
        self.assertIn("id_token", refreshed)

    def test_ignored_without_prompt_consent(self):
        self.app.refresh_token_offline_access_only = True
        page = self.authorize(scope="openid offline_access")
        self.assertNotIn(self.offline_access.description, page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        tokens = self.assertTokenAnswer(self.exchange(code))
        self.assertEqual(tokens["scope"], "openid")
        self.assertNotIn("refresh_token", tokens)
        # nor is consent to it asked of prompt=none, which cannot carry consent
        params = self.approved(scope="openid offline_access", prompt="none")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertEqual(tokens["scope"], "openid")

    def test_ignored_without_a_code(self):
        self.app.refresh_token_offline_access_only = True
        for response_type in ("id_token token", "token"):
            with self.subTest(response_type=response_type):
                params = self.approved(
                    response_type=response_type,
                    scope="openid offline_access",
                    prompt="consent",
                )
                self.assertEqual(params["scope"], "openid")
                self.assertNotIn("refresh_token", params)

    def test_hybrid_flow_keeps_it_for_the_code(self):
        self.app.refresh_token_offline_access_only = True
        params = self.approved(
            response_type="code id_token token",
            scope="openid offline_access",
            prompt="consent",
        )
        # the authorization endpoint never returns a refresh token
        self.assertNotIn("refresh_token", params)
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertIn("refresh_token", tokens)

    def test_alone_and_ignored_the_request_gets_the_default_scopes(self):
        self.app.default_scope_ids = self.scope_read
        params = self.approved(scope="offline_access")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertEqual(tokens["scope"], "read")

    def test_applications_issuing_refresh_tokens_keep_doing_so(self):
        for scope, prompt in (("openid", None), ("openid offline_access", None)):
            with self.subTest(scope=scope, prompt=prompt):
                params = self.approved(scope=scope, prompt=prompt)
                tokens = self.assertTokenAnswer(self.exchange(params["code"]))
                self.assertEqual(tokens["scope"], "openid")
                self.assertIn("refresh_token", tokens)
        # and one that issues none gets none, even for offline_access
        self.app.issue_refresh_token = False
        params = self.approved(scope="openid offline_access", prompt="consent")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertEqual(tokens["scope"], "openid offline_access")
        self.assertNotIn("refresh_token", tokens)

    def test_taken_away_from_the_application_the_next_refresh_has_none(self):
        self.app.refresh_token_offline_access_only = True
        params = self.approved(scope="openid offline_access", prompt="consent")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.app.scope_ids -= self.offline_access
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                },
                auth=("integration", self.secret),
            )
        )
        self.assertEqual(refreshed["scope"], "openid")
        self.assertNotIn("refresh_token", refreshed)

    def test_never_a_default_scope_nor_renamed(self):
        with self.assertRaises(ValidationError):
            self.app.default_scope_ids = self.offline_access
        with self.assertRaises(UserError):
            self.offline_access.name = "offline"
        with self.assertRaises(UserError):
            self.offline_access.unlink()
        self.assertNotIn("offline_access", self.other_app._resolve_scopes(["*"]))
