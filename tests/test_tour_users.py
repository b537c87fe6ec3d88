# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The screens of those who allow applications, clicked through by Odoo's
tours in Chromium: a portal user revokes an app from the portal's Connected
Apps, an internal user from their preferences; neither sees another user's
consents, and the internal user has no OAuth2 menu."""

from odoo.tests import new_test_user, tagged

from ..oauth.secrets import generate_secret
from .common import HttpCase, require_external_clients


@tagged("post_install", "-at_install")
class TestTourUsers(HttpCase):
    def setUp(self):
        super().setUp()
        # start_tour logs in with the login as password, new_test_user's default
        self.portal_user = new_test_user(
            self.env,
            login="oauth2_tour_portal",
            groups="base.group_portal",
        )
        self.internal_user = new_test_user(
            self.env,
            login="oauth2_tour_internal",
            groups="base.group_user",
        )
        other_user = new_test_user(
            self.env, login="oauth2_tour_other", groups="base.group_portal"
        )
        self.revoked_app, kept_app, other_app = (
            self.env["oauth2.application"].create(
                {
                    "name": name,
                    "redirect_uris": "https://client.example.com/callback",
                }
            )
            for name in ("Tour Revoked App", "Tour Kept App", "Tour Other Person App")
        )
        consents = self.env["oauth2.consent"]
        for user in (self.portal_user, self.internal_user):
            for app in (self.revoked_app, kept_app):
                consents._grant(user, app, ["read"])
            self.issue_token(self.revoked_app, user)
        consents._grant(other_user, other_app, ["read"])

    def issue_token(self, application, user):
        self.env["oauth2.token"]._create_from_response(
            {"access_token": generate_secret(), "expires_in": 360, "scope": "read"},
            application,
            user,
            "authorization_code",
            "read",
        )

    def assertRevokedFor(self, user):
        consents = self.env["oauth2.consent"].search([("user_id", "=", user.id)])
        self.assertEqual(
            consents.application_id.mapped("name"), ["Tour Kept App"], user.login
        )
        tokens = self.env["oauth2.token"].search(
            [("user_id", "=", user.id), ("application_id", "=", self.revoked_app.id)]
        )
        self.assertTrue(tokens)
        self.assertTrue(all(tokens.mapped("revoked")), user.login)

    def test_portal_user_revokes_from_my_account(self):
        require_external_clients(node=False, tours=True)
        self.start_tour(
            "/my", "orestapi_oauth2_portal_user", login=self.portal_user.login
        )
        self.assertRevokedFor(self.portal_user)

    def test_internal_user_revokes_from_preferences(self):
        require_external_clients(node=False, tours=True)
        self.start_tour(
            "/odoo", "orestapi_oauth2_internal_user", login=self.internal_user.login
        )
        self.assertRevokedFor(self.internal_user)
