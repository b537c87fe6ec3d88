# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Portal users as a browser takes them through the module over real HTTP:
Odoo's login form, the consent page, the token endpoint, the Connected Apps
card of *My Account* (/my and its counters) and the Connected Apps page of
the portal, where revoking ends the application's tokens."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytz
from lxml import html

from odoo.tests import new_test_user, tagged

from .common import USER_PASSWORD, AuthorizationCase

APPS_PATH = "/orestapi/oauth2/apps"
USERINFO_PATH = "/orestapi/oauth2/userinfo"
COUNTER = "oauth2_consent_count"


def in_tokyo(utc_datetime):
    return pytz.timezone("Asia/Tokyo").fromutc(utc_datetime)


@tagged("post_install", "-at_install")
class TestPortal(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="oauth2_portal_person",
            password=USER_PASSWORD,
            name="Portal Person",
            groups="base.group_portal",
            # dates shown in the user's time zone, away from UTC
            tz="Asia/Tokyo",
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="oauth2_other_portal_person",
            password=USER_PASSWORD,
            groups="base.group_portal",
        )

    def setUp(self):
        super().setUp()
        # each test logs in as whom it needs; the case logs in its own user
        self.authenticate(None, None)
        # failed logins of one test must not lock out the next
        self.env["ir.config_parameter"].sudo().set_param(
            "base.login_cooldown_after", 1000
        )

    # -- what a browser does ------------------------------------------------

    def get(self, path, **kwargs):
        return self.opener.get(
            self.base_url() + path, allow_redirects=False, timeout=30, **kwargs
        )

    def log_in_on_the_form(self, login_redirect):
        """Odoo's login page reached by ``login_redirect``, filled in and
        posted as the portal user: the answer to the login."""
        self.assertIn(login_redirect.status_code, (302, 303))
        location = urlsplit(login_redirect.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        form_page = self.get(f"{location.path}?{location.query}")
        self.assertEqual(form_page.status_code, 200)
        return self.opener.post(
            self.base_url() + "/web/login",
            data={
                "csrf_token": self.csrf_token(form_page),
                "login": self.portal_user.login,
                "password": USER_PASSWORD,
                "redirect": parse_qs(location.query)["redirect"][0],
            },
            allow_redirects=False,
            timeout=30,
        )

    @staticmethod
    def csrf_token(page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]

    def counters(self):
        return self.make_jsonrpc_request("/my/counters", {"counters": [COUNTER]})

    def home_card(self):
        """The Connected Apps card of /my, and whether it shows before the
        page asks for its counters."""
        home = self.get("/my")
        self.assertEqual(home.status_code, 200, home.text[:300])
        [link] = html.fromstring(home.text).xpath(
            f"//div[contains(@class, 'o_portal_index_card')]/a[@href='{APPS_PATH}']"
        )
        shown = "d-none" not in link.getparent().get("class").split()
        return link, shown

    def apps_page(self):
        page = self.get(APPS_PATH)
        self.assertEqual(page.status_code, 200, page.text[:300])
        return page, html.fromstring(page.text)

    def revoke(self, consent_id, csrf_token):
        return self.opener.post(
            f"{self.base_url()}{APPS_PATH}/{consent_id}/revoke",
            data={"csrf_token": csrf_token} if csrf_token else {},
            allow_redirects=False,
            timeout=30,
        )

    def userinfo(self, access_token):
        return self.get(
            USERINFO_PATH, headers={"Authorization": f"Bearer {access_token}"}
        )

    # -- the journeys -------------------------------------------------------

    def test_portal_user_allows_sees_and_revokes_an_app(self):
        # A browser without a session: it gets its own from the server, which
        # gives it a new one at login (the one the case sets would shadow it).
        del self.opener.cookies["session_id"]
        # the application sends the browser to the authorization endpoint,
        # which sends it on to the login form and back
        landing = self.log_in_on_the_form(self.authorize(scope="read write"))
        self.assertIn(landing.status_code, (302, 303))
        self.assertEqual(
            urlsplit(landing.headers["Location"]).path, "/orestapi/oauth2/authorize"
        )
        consent_page = self.opener.get(
            urljoin(self.base_url(), landing.headers["Location"]),
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(consent_page.status_code, 200, consent_page.text[:300])
        self.assertEqual(consent_page.headers["X-Frame-Options"], "DENY")
        self.assertIn("Portal Person", consent_page.text)
        self.assertIn("Read your data", consent_page.text)
        self.assertIn("Create and change your data", consent_page.text)
        self.assertIn('value="allow"', consent_page.text)

        # Allow, as the page's form posts it, and exchange the code
        params = self.assertRedirectsTo(self.decide(consent_page, "allow"))
        self.assertEqual(params["state"], "xyz")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertEqual(tokens["scope"], "read write")
        answer = self.userinfo(tokens["access_token"])
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["sub"], str(self.portal_user.id))
        consent = self.env["oauth2.consent"].search(
            [("user_id", "=", self.portal_user.id)]
        )
        self.assertEqual(consent.scope_ids, self.scope_read | self.scope_write)

        # My Account: a card that /my's counters reveal, shown at once after
        _link, shown = self.home_card()
        self.assertFalse(shown)
        self.assertEqual(self.counters(), {COUNTER: 1})
        link, shown = self.home_card()
        self.assertTrue(shown)
        self.assertIn("Connected Apps", link.text_content())

        # the page, in the portal's layout
        page, tree = self.apps_page()
        self.assertIn("o_portal", tree.get_element_by_id("wrapwrap").get("class"))
        [breadcrumbs] = tree.xpath("//ol[contains(@class, 'o_portal_submenu')]")
        self.assertTrue(breadcrumbs.xpath(".//a[@href='/my/home']"))
        [current] = breadcrumbs.xpath(".//li[contains(@class, 'active')]")
        self.assertEqual(current.text_content().strip(), "Connected Apps")
        [row] = tree.xpath("//tr[contains(@class, 'o_oauth2_connected_app')]")
        row_text = " ".join(row.text_content().split())
        self.assertIn("Integration", row_text)
        self.assertIn("Read your data", row_text)
        self.assertIn("Create and change your data", row_text)
        # in the user's time zone, as English (US) writes dates
        self.assertEqual(
            row.find_class("o_oauth2_allowed_on")[0].text_content().strip(),
            in_tokyo(consent.write_date).strftime("%m/%d/%Y"),
        )
        # the token was just used at userinfo
        token = self.env["oauth2.token"].search([("user_id", "=", self.portal_user.id)])
        token.invalidate_recordset(["last_used_at"])
        self.assertTrue(token.last_used_at)
        # in English's format without seconds (18.0 writes 24 hours, 19.0 12)
        english = self.env["res.lang"]._lang_get("en_US")
        pattern = f"{english.date_format} {english.time_format}".replace(":%S", "")
        self.assertEqual(
            row.find_class("o_oauth2_last_used")[0].text_content().strip(),
            in_tokyo(token.last_used_at).strftime(pattern),
        )

        # Revoke: the form of the confirmation, with its CSRF token
        [form] = tree.xpath(f"//form[@action='{APPS_PATH}/{consent.id}/revoke']")
        [csrf_input] = form.xpath(".//input[@name='csrf_token']")
        revoked = self.revoke(consent.id, csrf_input.get("value"))
        self.assertIn(revoked.status_code, (302, 303), revoked.text[:300])
        self.assertEqual(urlsplit(revoked.headers["Location"]).path, APPS_PATH)
        self.assertFalse(consent.exists())
        self.assertEqual(self.userinfo(tokens["access_token"]).status_code, 401)
        self.assertOAuthError(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                },
                auth=("integration", self.secret),
            ),
            "invalid_grant",
        )
        page, tree = self.apps_page()
        self.assertFalse(tree.xpath("//tr[contains(@class, 'o_oauth2_connected_app')]"))
        self.assertIn("You have not allowed any application.", page.text)
        # the card goes as the last app does
        self.assertFalse(self.home_card()[1])
        self.assertEqual(self.counters(), {COUNTER: 0})

    def test_portal_user_denies(self):
        self.authenticate(self.portal_user.login, USER_PASSWORD)
        consent_page = self.authorize(scope="read")
        self.assertEqual(consent_page.status_code, 200, consent_page.text[:300])
        params = self.assertRedirectsTo(self.decide(consent_page, "deny"))
        self.assertEqual(params["error"], "access_denied")
        self.assertEqual(params["state"], "xyz")
        self.assertNotIn("code", params)
        self.assertFalse(
            self.env["oauth2.consent"].search([("user_id", "=", self.portal_user.id)])
        )
        self.assertEqual(self.counters(), {COUNTER: 0})
        self.assertFalse(self.home_card()[1])
        page, _tree = self.apps_page()
        self.assertIn("You have not allowed any application.", page.text)

    def test_portal_user_cannot_see_or_revoke_another_users_apps(self):
        own = self.env["oauth2.consent"]._grant(self.portal_user, self.app, ["read"])
        others = self.env["oauth2.consent"]._grant(
            self.other_portal_user, self.public_app, ["read"]
        )
        _record, others_token, _refresh = self.issue_token(
            self.public_app, self.other_portal_user
        )
        tokens = self.env["oauth2.token"]
        self.authenticate(self.portal_user.login, USER_PASSWORD)
        page, tree = self.apps_page()
        self.assertEqual(
            len(tree.xpath("//tr[contains(@class, 'o_oauth2_connected_app')]")), 1
        )
        self.assertIn("Integration", page.text)
        self.assertNotIn("Browser App", page.text)
        self.assertEqual(self.counters(), {COUNTER: 1})
        csrf_token = self.csrf_token(page)
        missing = self.env["oauth2.consent"].search([], order="id desc", limit=1).id + 1
        for guessed in (others.id, missing):
            with self.subTest(consent_id=guessed):
                response = self.revoke(guessed, csrf_token)
                self.assertEqual(response.status_code, 404, response.text[:300])
        self.assertTrue(others.exists())
        self.assertTrue(own.exists())
        self.assertTrue(tokens._find_live_access_token(others_token))
        # and one's own only with the page's CSRF token
        self.assertEqual(self.revoke(own.id, None).status_code, 400)
        self.assertEqual(self.revoke(own.id, "not-a-token").status_code, 400)
        self.assertTrue(own.exists())

    def test_internal_users_see_only_their_own_apps_in_the_portal(self):
        """Managers read every consent in the backend; their portal page and
        card count their own."""
        manager = new_test_user(
            self.env,
            login="oauth2_portal_page_manager",
            password=USER_PASSWORD,
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        self.env["oauth2.consent"]._grant(self.portal_user, self.public_app, ["read"])
        own = self.env["oauth2.consent"]._grant(manager, self.app, ["read"])
        self.authenticate(manager.login, USER_PASSWORD)
        self.assertEqual(self.counters(), {COUNTER: 1})
        page, tree = self.apps_page()
        [row] = tree.xpath("//tr[contains(@class, 'o_oauth2_connected_app')]")
        self.assertIn("Integration", row.text_content())
        self.assertNotIn("Browser App", page.text)
        response = self.revoke(own.id, self.csrf_token(page))
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertFalse(own.exists())

    def test_connection_and_security_links_to_the_apps(self):
        self.authenticate(self.portal_user.login, USER_PASSWORD)
        security = self.get("/my/security")
        self.assertEqual(security.status_code, 200, security.text[:300])
        [section] = html.fromstring(security.text).xpath(
            "//section[@name='oauth2_connected_apps']"
        )
        self.assertTrue(section.xpath(f".//a[@href='{APPS_PATH}']"))
