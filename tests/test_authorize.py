# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The authorization endpoint: its consent page and its errors."""

from urllib.parse import parse_qs, urlsplit

from odoo.addons.orestapi_oauth2.provider.configuration import issuer as server_issuer

from .common import AUTHORIZE_PATH, REDIRECT_URI, AuthorizationCase


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

    def test_parameters_named_as_the_servers_own_state_change_nothing(self):
        # oauthlib answers an attribute the server has not set with the
        # request's parameter of that name: none may stand for a check
        # already passed, nor for a client
        forged = {"validated_authorization": "xy", "client": "xy"}
        page = self.authorize(**forged)
        self.assertEqual(page.status_code, 200)
        self.assertTrue(self.assertRedirectsTo(self.decide(page, "allow"))["code"])
        refused = self.authorize(redirect_uri="https://evil.example/cb", **forged)
        self.assertEqual(refused.status_code, 400)
        self.assertNotIn("Location", refused.headers)


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

    def test_scopes_the_application_may_not_have_are_left_out(self):
        """RFC 6749 §3.3: the consent shows, and the tokens get, the scopes
        asked for that the application may have; the answer names them."""
        page = self.authorize(scope="read admin")
        self.assertIn("Read your data", page.text)
        self.assertNotIn("Administer everything", page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        body = self.assertTokenAnswer(self.exchange(code))
        self.assertEqual(body["scope"], "read")
        consent = self.env["oauth2.consent"].search(
            [("user_id", "=", self.user.id), ("application_id", "=", self.app.id)]
        )
        self.assertEqual(consent.scope_ids, self.scope_read)

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

    def test_every_authorization_response_names_the_issuer(self):
        """RFC 9207 §2: success and error, in the query or, for the implicit
        grant, in the fragment."""
        issuer = "https://erp.example.com"
        self.set_param("issuer_url", issuer)
        self.assertEqual(server_issuer(self.env), issuer)
        page = self.decide(self.authorize(), "deny")
        self.assertEqual(
            parse_qs(urlsplit(page.headers["Location"]).query)["iss"], [issuer]
        )
        denied = self.assertRedirectsTo(page)
        self.assertEqual((denied["error"], denied["iss"]), ("access_denied", issuer))
        failed = self.assertRedirectsTo(self.authorize(response_type="bogus"))
        self.assertEqual(failed["iss"], issuer)
        allowed = self.assertRedirectsTo(self.decide(self.authorize(), "allow"))
        self.assertEqual(allowed["iss"], issuer)
        self.assertTrue(allowed["code"])
        self.app.grant_implicit = True
        page = self.authorize(response_type="token")
        location = urlsplit(page.headers["Location"])
        self.assertEqual(parse_qs(location.fragment)["iss"], [issuer])
        self.assertNotIn("iss", parse_qs(location.query))
        implicit = self.assertRedirectsTo(page, fragment=True)
        self.assertEqual(implicit["iss"], issuer)
        self.assertTrue(implicit["access_token"])
