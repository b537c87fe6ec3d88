# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect RP-Initiated Logout 1.0: the end-session endpoint and the
applications' post-logout redirect URIs."""

import base64
import html
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user

from ..oauth import routes
from ..provider.configuration import issuer
from .common import USER_PASSWORD, AuthorizationCase, OAuth2TestMixin

POST_LOGOUT_URI = "https://client.example.com/logged-out"
OTHER_POST_LOGOUT_URI = "https://client.example.com/bye?tenant=1"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decoded(segment):
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def claims_of(token):
    return decoded(token.split(".")[1])


class EndSessionCase(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.post_logout_redirect_uris = (
            f"{POST_LOGOUT_URI}\n\n{OTHER_POST_LOGOUT_URI}\n"
        )
        cls.other_user = new_test_user(
            cls.env, login="oauth2_other_user", password=USER_PASSWORD
        )

    def id_token(self, user=None, application=None, **claims):
        """An id_token of ``user`` for ``application`` as this server signs
        them, ``claims`` overriding its own."""
        application = application or self.app
        now = int(time.time())
        return self.env["oauth2.signing.key"]._sign(
            {
                "iss": issuer(self.env),
                "sub": (user or self.user)._oidc_subject(application),
                "aud": application.client_id,
                "iat": now,
                "exp": now + 300,
                **claims,
            }
        )

    def end_session(self, method="GET", **params):
        url = self.base_url() + routes.END_SESSION
        if method == "GET":
            return self.opener.get(
                url, params=params, allow_redirects=False, timeout=30
            )
        return self.opener.post(url, data=params, allow_redirects=False, timeout=30)

    def confirm(self, page, decision, csrf_token=None):
        """Press a button of the confirmation ``page``: its form posted as
        the browser would, hidden parameters included."""
        form = re.search(r"<form.*?</form>", page.text, re.S)[0]
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        )
        self.assertIn("csrf_token", fields, form)
        if csrf_token is not None:
            fields["csrf_token"] = csrf_token
        fields = {name: html.unescape(value) for name, value in fields.items()}
        return self.end_session("POST", decision=decision, **fields)

    def assertLoggedIn(self):
        self.assertEqual(self.session_uid(), self.user.id)

    def assertLoggedOut(self):
        self.assertFalse(self.session_uid())
        # and Odoo's web client sends the browser to its login page
        home = self.opener.get(
            self.base_url() + "/odoo", allow_redirects=False, timeout=30
        )
        self.assertIn(home.status_code, (302, 303))
        self.assertIn("/web/login", home.headers["Location"])

    def assertPostLogoutRedirect(self, response, uri=POST_LOGOUT_URI, state=None):
        self.assertEqual(response.status_code, 302, response.text[:500])
        location = response.headers["Location"]
        parts = urlsplit(location)
        self.assertEqual(
            parts._replace(query="").geturl(), urlsplit(uri)._replace(query="").geturl()
        )
        query = parse_qs(parts.query)
        self.assertEqual(query.pop("state", [None]), [state])
        self.assertEqual(query, parse_qs(urlsplit(uri).query))
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Referrer-Policy"], "no-referrer")

    def assertPage(self, response, text, status=200):
        self.assertEqual(response.status_code, status, response.text[:500])
        self.assertNotIn("Location", response.headers)
        self.assertIn(text, response.text)
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")
        self.assertIn(
            "frame-ancestors 'none'", response.headers["Content-Security-Policy"]
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")

    def assertErrorPage(self, response, message):
        self.assertPage(response, "Logout failed", status=400)
        self.assertIn(message, response.text)

    def assertConfirmationPage(self, response):
        self.assertPage(response, "Log out?")
        self.assertIn(self.user.login, response.text)


class TestLogoutTiedToTheUser(EndSessionCase):
    def test_hint_logs_out_and_returns_with_state(self):
        self.assertLoggedIn()
        response = self.end_session(
            id_token_hint=self.id_token(),
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="af0ifjsldkj",
        )
        self.assertPostLogoutRedirect(response, state="af0ifjsldkj")
        self.assertLoggedOut()

    def test_registered_query_is_kept_beside_the_state(self):
        response = self.end_session(
            id_token_hint=self.id_token(),
            post_logout_redirect_uri=OTHER_POST_LOGOUT_URI,
            state="s",
        )
        self.assertPostLogoutRedirect(response, OTHER_POST_LOGOUT_URI, state="s")
        self.assertLoggedOut()

    def test_relying_party_may_post_the_request(self):
        # §2: from the relying party's own page, so without Odoo's CSRF token
        response = self.end_session(
            "POST",
            id_token_hint=self.id_token(),
            client_id=self.app.client_id,
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )
        self.assertPostLogoutRedirect(response)
        self.assertLoggedOut()

    def test_id_token_of_the_code_flow(self):
        self.app.scope_ids |= self.env.ref("orestapi_oauth2.oauth2_scope_openid")
        code = self.get_code(scope="openid read")
        answer = self.assertTokenAnswer(self.exchange(code))
        self.assertEqual(
            claims_of(answer["id_token"])["sub"],
            self.user._oidc_subject(self.app),
        )
        response = self.end_session(
            id_token_hint=answer["id_token"],
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="xyz",
        )
        self.assertPostLogoutRedirect(response, state="xyz")
        self.assertLoggedOut()

    def test_expired_hint_still_names_the_user(self):
        long_ago = int(time.time()) - 86400
        response = self.end_session(
            id_token_hint=self.id_token(iat=long_ago, exp=long_ago + 300),
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )
        self.assertPostLogoutRedirect(response)
        self.assertLoggedOut()

    def test_hint_for_several_audiences_names_its_authorized_party(self):
        hint = self.id_token(aud=["other", self.app.client_id], azp="integration")
        response = self.end_session(
            id_token_hint=hint, post_logout_redirect_uri=POST_LOGOUT_URI
        )
        self.assertPostLogoutRedirect(response)
        self.assertLoggedOut()

    def test_pairwise_subject_names_the_user(self):
        self.app.subject_type = "pairwise"
        public_subject = self.id_token(sub=self.user._oidc_subject(self.public_app))
        self.assertConfirmationPage(self.end_session(id_token_hint=public_subject))
        self.assertLoggedIn()
        self.end_session(id_token_hint=self.id_token())
        self.assertLoggedOut()

    def test_without_return_address_the_logged_out_page(self):
        response = self.end_session(id_token_hint=self.id_token(), state="unused")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.headers["Location"], routes.END_SESSION)
        self.assertLoggedOut()
        page = self.end_session()
        self.assertPage(page, "You are logged out")


class TestLogoutAsksTheUser(EndSessionCase):
    def test_hint_of_another_user_asks_before_logging_out(self):
        page = self.end_session(
            id_token_hint=self.id_token(self.other_user),
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="s1",
        )
        self.assertConfirmationPage(page)
        self.assertIn("Integration", page.text)
        self.assertLoggedIn()
        response = self.confirm(page, "log_out")
        self.assertPostLogoutRedirect(response, state="s1")
        self.assertLoggedOut()

    def test_client_id_without_hint_asks(self):
        page = self.end_session(
            client_id=self.app.client_id, post_logout_redirect_uri=POST_LOGOUT_URI
        )
        self.assertConfirmationPage(page)
        self.assertLoggedIn()
        self.assertPostLogoutRedirect(self.confirm(page, "log_out"))
        self.assertLoggedOut()

    def test_stay_keeps_the_session(self):
        page = self.end_session(
            id_token_hint=self.id_token(self.other_user),
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="s2",
        )
        self.assertPostLogoutRedirect(self.confirm(page, "stay"), state="s2")
        self.assertLoggedIn()

    def test_stay_without_return_address_goes_home(self):
        response = self.confirm(self.end_session(), "stay")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/odoo")
        self.assertLoggedIn()

    def test_get_without_parameters_asks_then_shows_the_logged_out_page(self):
        page = self.end_session()
        self.assertConfirmationPage(page)
        self.assertIn("An application asks you", page.text)
        self.assertLoggedIn()
        response = self.confirm(page, "log_out")
        self.assertEqual(response.status_code, 303)
        self.assertLoggedOut()
        self.assertPage(
            self.opener.get(self.base_url() + response.headers["Location"], timeout=30),
            "You are logged out",
        )

    def test_confirmation_needs_this_sessions_csrf_token(self):
        page = self.end_session(
            id_token_hint=self.id_token(self.other_user),
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )
        self.assertErrorPage(
            self.confirm(page, "log_out", csrf_token="forged"), "has expired"
        )
        self.assertErrorPage(
            self.end_session(
                "POST",
                decision="log_out",
                id_token_hint=self.id_token(self.other_user),
                post_logout_redirect_uri=POST_LOGOUT_URI,
            ),
            "has expired",
        )
        self.assertErrorPage(self.confirm(page, "whatever"), "has expired")
        self.assertLoggedIn()

    def test_decision_in_a_query_is_not_a_confirmation(self):
        page = self.end_session()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        self.assertConfirmationPage(
            self.end_session(decision="log_out", csrf_token=csrf)
        )
        self.assertLoggedIn()

    def test_log_out_from_a_link_or_a_forged_form(self):
        """Only the page's own form logs out: a decision in a query, even of a
        POST whose body carries the page's token, or in a form without the
        token, ends nothing and sends nobody anywhere."""
        page = self.end_session(
            client_id=self.app.client_id, post_logout_redirect_uri=POST_LOGOUT_URI
        )
        self.assertConfirmationPage(page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        url = self.base_url() + routes.END_SESSION
        request = {
            "client_id": self.app.client_id,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
        }
        in_query = {**request, "decision": "log_out"}
        with_token = {**in_query, "csrf_token": csrf}
        forged = [
            ("GET, decision in the query", "GET", in_query, None),
            (
                "GET, decision and the page's token in the query",
                "GET",
                with_token,
                None,
            ),
            ("POST, no CSRF token", "POST", None, in_query),
            (
                "POST, forged CSRF token",
                "POST",
                None,
                {**in_query, "csrf_token": "0" * 40 + csrf[40:]},
            ),
            (
                "POST, decision in the query, the page's token in the body",
                "POST",
                {"decision": "log_out"},
                {**request, "csrf_token": csrf},
            ),
            (
                "POST, decision and the page's token in the query",
                "POST",
                with_token,
                None,
            ),
        ]
        for what, method, query, body in forged:
            with self.subTest(what):
                response = self.opener.request(
                    method,
                    url,
                    params=query,
                    data=body,
                    allow_redirects=False,
                    timeout=30,
                )
                if response.status_code == 200:
                    self.assertConfirmationPage(response)
                else:
                    self.assertErrorPage(response, "has expired")
                self.assertLoggedIn()


class TestLogoutWithoutSession(EndSessionCase):
    def setUp(self):
        super().setUp()
        self.logout()

    def test_goes_straight_to_the_return_address_with_a_hint(self):
        response = self.end_session(
            id_token_hint=self.id_token(self.other_user),
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="s3",
        )
        self.assertPostLogoutRedirect(response, state="s3")

    def assertAsksFirst(self, response):
        """The confirmation page, for nobody: only its Log out button."""
        self.assertPage(response, "Log out?")
        self.assertIn("You are not logged in to this server", response.text)
        self.assertIn('value="log_out"', response.text)
        self.assertNotIn('value="stay"', response.text)

    def test_without_a_hint_asks_before_the_return_address(self):
        """As Keycloak does: a link naming only the client cannot bounce a
        visitor to its post-logout redirect URI through this server."""
        request = {
            "client_id": self.app.client_id,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "s4",
        }
        page = self.end_session(**request)
        self.assertAsksFirst(page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        self.assertAsksFirst(
            self.end_session(decision="log_out", csrf_token=csrf, **request)
        )
        self.assertErrorPage(
            self.end_session("POST", decision="log_out", **request), "has expired"
        )
        self.assertErrorPage(
            self.confirm(page, "log_out", csrf_token="forged"), "has expired"
        )
        self.assertPostLogoutRedirect(self.confirm(page, "log_out"), state="s4")
        self.assertFalse(self.session_uid())

    def test_without_parameters_the_logged_out_page(self):
        self.assertPage(self.end_session(), "You are logged out")

    def test_unregistered_address_is_refused_all_the_same(self):
        response = self.end_session(
            client_id=self.app.client_id,
            post_logout_redirect_uri="https://evil.example/",
        )
        self.assertErrorPage(response, "not registered")


class TestInvalidLogoutRequests(EndSessionCase):
    def assertRefused(self, message, **params):
        self.assertErrorPage(self.end_session(**params), message)
        self.assertLoggedIn()

    def test_unregistered_return_address_is_never_followed(self):
        for uri in (
            "https://evil.example/logged-out",
            POST_LOGOUT_URI + "/",
            POST_LOGOUT_URI + "?next=https://evil.example/",
            POST_LOGOUT_URI.upper(),
            # a redirect URI is not a post-logout one
            self.app.redirect_uris,
        ):
            with self.subTest(uri=uri):
                self.assertRefused(
                    "not registered for this application",
                    id_token_hint=self.id_token(),
                    post_logout_redirect_uri=uri,
                    state="s",
                )

    def test_return_address_of_another_application(self):
        self.other_app.post_logout_redirect_uris = "https://other.example/bye"
        self.assertRefused(
            "not registered",
            id_token_hint=self.id_token(),
            post_logout_redirect_uri="https://other.example/bye",
        )

    def test_return_address_needs_a_client(self):
        self.assertRefused(
            "does not say which application", post_logout_redirect_uri=POST_LOGOUT_URI
        )

    def test_client_id_must_match_the_hint(self):
        self.other_app.post_logout_redirect_uris = POST_LOGOUT_URI
        self.assertRefused(
            "another application than its ID token",
            id_token_hint=self.id_token(),
            client_id=self.other_app.client_id,
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )

    def test_unknown_or_archived_client(self):
        self.assertRefused("unknown or disabled", client_id="nobody")
        hint = self.id_token()
        self.app.active = False
        self.assertRefused("unknown or disabled", id_token_hint=hint)

    def test_tampered_signature(self):
        header, payload, _signature = self.id_token().split(".")
        other_signature = self.id_token(self.other_user).split(".")[2]
        self.assertRefused(
            "did not issue, or that was altered",
            id_token_hint=f"{header}.{payload}.{other_signature}",
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )

    def test_tampered_claims(self):
        token = self.id_token(self.other_user)
        header, _payload, signature = token.split(".")
        claims = claims_of(token)
        claims["sub"] = self.user._oidc_subject(self.app)
        payload = b64url(json.dumps(claims).encode())
        self.assertRefused(
            "did not issue",
            id_token_hint=f"{header}.{payload}.{signature}",
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )

    def test_unsigned_hint(self):
        token = self.id_token()
        header = decoded(token.split(".")[0])
        self.assertEqual(header["alg"], "RS256")
        # naming a key of this server, so that only the algorithm is wrong
        unsigned = {"alg": "none", "kid": header["kid"], "typ": "JWT"}
        claims = claims_of(token)
        token = (
            f"{b64url(json.dumps(unsigned).encode())}."
            f"{b64url(json.dumps(claims).encode())}."
        )
        self.assertRefused(
            "did not issue",
            id_token_hint=token,
            post_logout_redirect_uri=POST_LOGOUT_URI,
        )

    def test_hint_of_another_issuer(self):
        self.assertRefused(
            "did not issue",
            id_token_hint=self.id_token(iss="https://elsewhere.example"),
        )

    def test_not_a_token(self):
        self.assertRefused("did not issue", id_token_hint="not-a-jwt")

    def test_pages_speak_the_ui_locales(self):
        self.env["res.lang"]._activate_lang("hu_HU")
        self.env["ir.module.module"]._load_module_terms(["orestapi_oauth2"], ["hu_HU"])
        hungarian = self.end_session(client_id="nobody", ui_locales="fr-CA hu")
        self.assertEqual(hungarian.status_code, 400)
        self.assertIn("A kijelentkezés nem sikerült", hungarian.text)
        self.assertIn("Ez az alkalmazás ismeretlen vagy le van tiltva.", hungarian.text)
        self.assertLoggedIn()
        english = self.end_session(client_id="nobody", ui_locales="fr-CA")
        self.assertErrorPage(english, "unknown or disabled")

    def test_repeated_parameter(self):
        url = (
            f"{self.base_url()}{routes.END_SESSION}?id_token_hint={self.id_token()}"
            f"&post_logout_redirect_uri={POST_LOGOUT_URI}"
            "&post_logout_redirect_uri=https://evil.example/"
        )
        response = self.opener.get(url, allow_redirects=False, timeout=30)
        self.assertErrorPage(response, "malformed")
        self.assertLoggedIn()


class TestPostLogoutRedirectUris(OAuth2TestMixin, TransactionCase):
    def test_registered_under_the_rules_of_redirect_uris(self):
        accepted = [
            "https://a.example/logged-out",
            "https://a.example:8443/bye?tenant=1",
            "http://127.0.0.1:9000/bye",
            "http://[::1]/bye",
            "http://localhost/bye",
            "com.example.myapp:/logged-out",
        ]
        self.app.post_logout_redirect_uris = "\n\n".join(accepted) + "\n"
        self.assertEqual(self.app._post_logout_redirect_uri_list(), accepted)
        for bad in (
            "/relative/path",
            "https://a.example/bye#frag",
            "javascript:alert(1)//",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "http://a.example/bye",
            "https://good.example@evil.example/bye",
            "myapp://bye",
            "https://bücher.example/bye",
        ):
            with self.subTest(uri=bad), self.assertRaises(ValidationError) as caught:
                self.app.post_logout_redirect_uris = f"https://a.example/ok\n{bad}"
            self.assertIn("cannot be a post-logout redirect URI", str(caught.exception))

    def test_unregistrable_uri_stored_before_is_never_used(self):
        self.env.cr.execute(
            "UPDATE oauth2_application SET post_logout_redirect_uris = %s "
            "WHERE id = %s",
            ["javascript:alert(1)//\nhttps://a.example/bye", self.app.id],
        )
        self.app.invalidate_recordset(["post_logout_redirect_uris"])
        self.assertEqual(
            self.app._post_logout_redirect_uri_list(), ["https://a.example/bye"]
        )

    def test_kept_apart_from_redirect_uris(self):
        self.app.redirect_uris = "https://a.example/cb"
        self.assertEqual(self.app._post_logout_redirect_uri_list(), [])
