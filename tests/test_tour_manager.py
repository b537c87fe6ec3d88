# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The OAuth2 Manager's screens, clicked through in a browser
(static/tests/tours/manager.js) by a manager who is not a Settings
administrator."""

from odoo.tests import new_test_user, tagged

from .common import USER_PASSWORD, HttpCase, OAuth2TestMixin

# documentation range (RFC 5737): no real client fails from it
THROTTLED_ADDRESS = "198.51.100.7"


@tagged("post_install", "-at_install")
class TestManagerTour(OAuth2TestMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.manager = new_test_user(
            self.env,
            login="tour_manager",
            password=USER_PASSWORD,
            name="Tour Manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        new_test_user(
            self.env,
            login="tour_admin",
            name="Tour Administrator",
            groups="base.group_user,base.group_system",
        )
        self.tokens = [self.issue_token()[0] for _issued in range(3)]
        self.consent = self.env["oauth2.consent"]._grant(
            self.user, self.other_app, ["read"]
        )
        self.notification = self.env["oauth2.logout.notification"].create(
            {
                "application_id": self.app.id,
                "user_id": self.user.id,
                "sid": "a-browser-session",
                "state": "failed",
                "attempts": 5,
                "last_error": "timed out",
            }
        )
        # paused for an hour, so that the tour finds it paused however slow
        self.set_param("client_auth_failure_window", 3600)
        failures = self.env["oauth2.client.auth.failure"]
        for _failure in range(11):
            failures._record(THROTTLED_ADDRESS, "integration")

    def test_manager_tour(self):
        self.start_tour(
            "/odoo", "orestapi_oauth2_manager", login="tour_manager", timeout=180
        )
        self.env.invalidate_all()
        # what the clicks did, as the server keeps it
        newest, *older = reversed(self.tokens)
        self.assertTrue(newest.revoked, "the token opened from the list")
        self.assertFalse(any(token.revoked for token in older))
        self.assertFalse(self.consent.exists())
        self.assertEqual(self.notification.state, "pending")
        self.assertEqual(self.notification.attempts, 0)
        self.assertFalse(
            self.env["oauth2.client.auth.failure"].search_count(
                [("client_id", "=", "integration")]
            )
        )
        created = self.env["oauth2.application"].search([("name", "=", "Tour App")])
        self.assertEqual(created.user_id, self.manager)
        self.assertTrue(created.grant_client_credentials)
