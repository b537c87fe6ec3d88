# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Connected apps as people reach them: the apps page, where revoking ends an
application's tokens and codes, the preferences tab of internal users and the
backend consent list, through the web client's own JSON-RPC calls, and the
apps page for a portal user."""

import re

from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import USER_PASSWORD, AuthorizationCase, HttpCase, OAuth2TestMixin


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

    def assertNotFramed(self, response):
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")
        self.assertEqual(
            response.headers["Content-Security-Policy"], "frame-ancestors 'none'"
        )

    def test_revoke_is_the_users_own_click(self):
        """No other site may frame the page, where a click on Revoke could be
        taken; only its form, a POST with the session's CSRF token, revokes."""
        consent = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        page = self.opener.get(self.base_url() + "/orestapi/oauth2/apps", timeout=30)
        self.assertEqual(page.status_code, 200)
        self.assertNotFramed(page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        url = f"{self.base_url()}/orestapi/oauth2/apps/{consent.id}/revoke"
        link = self.opener.get(
            url, params={"csrf_token": csrf}, allow_redirects=False, timeout=30
        )
        self.assertEqual(link.status_code, 405)
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf[:-1]}):
            with self.subTest(data=data):
                forged = self.opener.post(
                    url, data=data, allow_redirects=False, timeout=30
                )
                self.assertEqual(forged.status_code, 400)
        self.assertTrue(consent.exists())
        revoked = self.revoke_from_apps_page(consent)
        self.assertIn(revoked.status_code, (302, 303))
        self.assertNotFramed(revoked)
        self.assertFalse(consent.exists())

    def test_cannot_revoke_someone_elses(self):
        own = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        other = new_test_user(self.env, login="other_user", password=USER_PASSWORD)
        consent = self.env["oauth2.consent"]._grant(other, self.app, ["read"])
        response = self.revoke_from_apps_page(consent)
        # not among the user's own: not found, as an id that does not exist
        self.assertEqual(response.status_code, 404, response.text[:300])
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


@tagged("post_install", "-at_install")
class TestConnectedAppsInTheWebClient(OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consent = cls.env["oauth2.consent"]._grant(cls.user, cls.app, ["read"])
        cls.other_user = new_test_user(
            cls.env, login="other_oauth2_user", password=USER_PASSWORD
        )
        cls.other_consent = cls.env["oauth2.consent"]._grant(
            cls.other_user, cls.other_app, ["read"]
        )
        cls.manager = new_test_user(
            cls.env,
            login="oauth2_manager",
            password=USER_PASSWORD,
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def press_revoke(self, consent):
        """The consent list's Revoke button, as the web client presses it."""
        return self.make_jsonrpc_request(
            "/web/dataset/call_button/oauth2.consent/action_revoke",
            {
                "model": "oauth2.consent",
                "method": "action_revoke",
                "args": [[consent.id]],
                "kwargs": {},
            },
        )

    def test_preferences_tab_lists_and_revokes_own_apps(self):
        _record, access_token, _refresh = self.issue_token()
        self.authenticate(self.user.login, USER_PASSWORD)
        preferences = self.env.ref("base.view_users_form_simple_modif")
        views = self.call_kw(
            "res.users", "get_views", [[[preferences.id, "form"]]], {"options": {}}
        )
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="oauth2_connected_apps"', arch)

        [me] = self.call_kw(
            "res.users",
            "web_read",
            [[self.user.id]],
            {
                "specification": {
                    "oauth2_consent_ids": {
                        "fields": {
                            "application_id": {"fields": {"display_name": {}}},
                            "scope_ids": {"fields": {"display_name": {}}},
                        }
                    }
                }
            },
        )
        [shown] = me["oauth2_consent_ids"]
        self.assertEqual(shown["application_id"]["display_name"], "Integration")
        self.assertEqual(
            [scope["display_name"] for scope in shown["scope_ids"]], ["read"]
        )

        self.press_revoke(self.consent)
        self.assertFalse(self.consent.exists())
        self.assertFalse(self.env["oauth2.token"]._find_live_access_token(access_token))

    def test_users_see_only_their_own_consents(self):
        self.authenticate(self.user.login, USER_PASSWORD)
        found = self.call_kw("oauth2.consent", "search_read", [[]], {"fields": ["id"]})
        self.assertEqual([row["id"] for row in found], [self.consent.id])
        with self.assertRaises(JsonRpcException):
            self.press_revoke(self.other_consent)
        self.assertTrue(self.other_consent.exists())

    def test_managers_see_every_consent_in_the_backend(self):
        self.authenticate(self.manager.login, USER_PASSWORD)
        action = self.env.ref("orestapi_oauth2.oauth2_consent_action")
        loaded = self.make_jsonrpc_request("/web/action/load", {"action_id": action.id})
        self.assertEqual(loaded["res_model"], "oauth2.consent")
        found = self.call_kw(
            "oauth2.consent",
            "web_search_read",
            [[]],
            {"specification": {"user_id": {"fields": {"display_name": {}}}}},
        )
        self.assertLessEqual(
            {self.consent.id, self.other_consent.id},
            {row["id"] for row in found["records"]},
        )


@tagged("post_install", "-at_install")
class TestConnectedAppsForPortalUsers(OAuth2TestMixin, HttpCase):
    def test_portal_user_lists_and_revokes(self):
        portal_user = new_test_user(
            self.env,
            login="oauth2_portal_user",
            password=USER_PASSWORD,
            groups="base.group_portal",
        )
        consent = self.env["oauth2.consent"]._grant(portal_user, self.app, ["read"])
        self.authenticate(portal_user.login, USER_PASSWORD)
        page = self.url_open("/orestapi/oauth2/apps")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Integration", page.text)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        response = self.url_open(
            f"/orestapi/oauth2/apps/{consent.id}/revoke",
            data={"csrf_token": csrf},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertFalse(consent.exists())
