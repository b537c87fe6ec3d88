# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The decisions of the authorization endpoint's pages (allow, deny, log in
again) count only when the user takes them there: in the body of a POST with
the session's CSRF token. A link, or another site's form, changes nothing."""

import html
import re
from urllib.parse import urlencode

from odoo.tests import new_test_user

from .common import AUTHORIZE_PATH, REDIRECT_URI, USER_PASSWORD, AuthorizationCase

LEGACY_PATH = "/orestapi/oauth2/authorization"


class DecisionCase(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        openid = cls.env["oauth2.scope"].search([("name", "=", "openid")])
        cls.app.scope_ids = [(4, openid.id)]
        cls.portal_user = new_test_user(
            cls.env,
            login="oauth2_decisions_portal",
            password=USER_PASSWORD,
            groups="base.group_portal",
        )

    def csrf_of(self, page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]

    def form_action(self, page):
        return html.unescape(
            re.search(r'<form method="post" action="([^"]+)"', page.text)[1]
        )

    def get(self, url):
        return self.opener.get(url, allow_redirects=False, timeout=30)

    def post(self, url, data):
        return self.opener.post(url, data=data, allow_redirects=False, timeout=30)

    def forged(self, decision, path=AUTHORIZE_PATH, **params):
        """``(what, response)`` of each request that carries ``decision``
        where no page of this server put it; with the CSRF token of the page
        the user was shown where another site could have slipped one in."""
        page = self.authorize(path=path, **params)
        self.assertEqual(page.status_code, 200, page.text[:300])
        csrf = self.csrf_of(page)
        url = page.url
        in_query = f"{url}&{urlencode({'decision': decision})}"
        with_token = f"{in_query}&{urlencode({'csrf_token': csrf})}"
        shaped_like_a_token = "0" * 40 + csrf[40:]
        return [
            ("GET, decision in the query", self.get(in_query)),
            ("GET, decision and the page's token in the query", self.get(with_token)),
            ("POST, no CSRF token", self.post(url, {"decision": decision})),
            (
                "POST, forged CSRF token",
                self.post(url, {"decision": decision, "csrf_token": "forged"}),
            ),
            (
                "POST, token-shaped forgery",
                self.post(
                    url, {"decision": decision, "csrf_token": shaped_like_a_token}
                ),
            ),
            (
                "POST, decision in the query, the page's token in the body",
                self.post(in_query, {"csrf_token": csrf}),
            ),
            (
                "POST, decision and the page's token in the query",
                self.post(with_token, {}),
            ),
        ]

    def codes(self, user):
        return (
            self.env["oauth2.authorization.code"]
            .sudo()
            .search_count([("user_id", "=", user.id)])
        )

    def assertNothingDecided(self, responses, user, pages_text):
        """No answer goes back to the client or to a login page, the user
        is still logged in, and every answer is the page the user would have
        seen without the decision, or the error page of a forged form."""
        for what, response in responses:
            with self.subTest(what):
                self.assertNotIn("Location", response.headers, response.status_code)
                if response.status_code == 200:
                    self.assertIn(pages_text, response.text)
                    # the page posts back no decision it did not show
                    self.assertNotIn("decision=", self.form_action(response))
                else:
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("Authorization failed", response.text)
        self.assertEqual(self.session_uid(), user.id)
        self.assertEqual(self.codes(user), 0)


class TestConsentDecisions(DecisionCase):
    def assertNoConsent(self, user):
        self.assertFalse(
            self.env["oauth2.consent"].sudo().search([("user_id", "=", user.id)])
        )

    def test_allow_from_a_link_or_a_forged_form(self):
        self.assertNothingDecided(self.forged("allow"), self.user, 'value="allow"')
        self.assertNoConsent(self.user)

    def test_allow_on_the_older_path(self):
        self.assertNothingDecided(
            self.forged("allow", path=LEGACY_PATH), self.user, 'value="allow"'
        )
        self.assertNoConsent(self.user)

    def test_allow_for_a_portal_user(self):
        self.authenticate(self.portal_user.login, USER_PASSWORD)
        self.assertNothingDecided(
            self.forged("allow"), self.portal_user, 'value="allow"'
        )
        self.assertNoConsent(self.portal_user)

    def test_allow_does_not_override_prompt_consent(self):
        consent = self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        self.assertNothingDecided(
            self.forged("allow", scope="openid", prompt="consent"),
            self.user,
            'value="allow"',
        )
        self.assertEqual(consent.scope_ids.mapped("name"), ["openid"])

    def test_deny_from_a_link_sends_nobody_back(self):
        """An error redirect is a redirect all the same: a link must not be
        able to bounce the user to the client through this server."""
        self.assertNothingDecided(self.forged("deny"), self.user, 'value="deny"')

    def test_the_users_answer_beats_the_links(self):
        """The page shown for a link that says allow posts back no decision
        of its own: the user's Deny is what counts."""
        page = self.get(f"{self.authorize().url}&decision=allow")
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertNotIn("decision", self.form_action(page))
        denied = self.post(
            self.form_action(page),
            {"csrf_token": self.csrf_of(page), "decision": "deny"},
        )
        self.assertEqual(self.assertRedirectsTo(denied)["error"], "access_denied")
        self.assertNoConsent(self.user)
        # the honest flow: the page's form, its token, the user's allow
        allowed = self.decide(self.authorize(), "allow")
        self.assertTrue(self.assertRedirectsTo(allowed)["code"])

    def test_request_posted_by_the_client_with_a_decision_in_the_query(self):
        """A relying party may POST the request itself (OpenID Connect Core
        §3.1.2.1): it gets the consent page, whatever the query says."""
        response = self.post(
            f"{self.base_url()}{AUTHORIZE_PATH}?decision=allow",
            {
                "response_type": "code",
                "client_id": "integration",
                "redirect_uri": REDIRECT_URI,
                "state": "posted",
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertNothingDecided(
            [("POST, request in the body", response)], self.user, 'value="allow"'
        )
        self.assertNoConsent(self.user)


class TestLogInAgainDecisions(DecisionCase):
    """A login a request asks for (prompt=login, max_age) never ends the
    session before the user confirms on the page asking for it."""

    def test_prompt_login(self):
        self.assertNothingDecided(
            self.forged(
                "reauthenticate",
                scope="openid",
                prompt="login",
                login_hint="attacker@example.com",
            ),
            self.user,
            'value="reauthenticate"',
        )

    def test_max_age_zero(self):
        self.assertNothingDecided(
            self.forged("reauthenticate", scope="openid", max_age="0"),
            self.user,
            'value="reauthenticate"',
        )

    def test_on_the_older_path_for_a_portal_user(self):
        self.authenticate(self.portal_user.login, USER_PASSWORD)
        self.assertNothingDecided(
            self.forged(
                "reauthenticate", path=LEGACY_PATH, scope="openid", prompt="login"
            ),
            self.portal_user,
            'value="reauthenticate"',
        )

    def test_deny_on_the_login_page_from_a_link(self):
        self.assertNothingDecided(
            self.forged("deny", scope="openid", prompt="login"),
            self.user,
            'value="reauthenticate"',
        )
