# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The client credentials grant at the token endpoint."""

from .common import TokenEndpointCase


class TestClientCredentialsGrant(TokenEndpointCase):
    def test_client_credentials_with_basic(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "read"},
            auth=("integration", self.secret),
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(
            set(body), {"access_token", "token_type", "expires_in", "scope"}
        )
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 360)
        self.assertEqual(body["scope"], "read")
        self.assertGreaterEqual(len(body["access_token"]), 43)
        token = self.env["oauth2.token"].search([("application_id", "=", self.app.id)])
        self.assertEqual(token.user_id, self.app.user_id)
        self.assertEqual(token.grant_type, "client_credentials")
        self.assertFalse(token.refresh_expires_at)

    def test_client_credentials_with_body_credentials(self):
        response = self.token_request(
            {
                "grant_type": "client_credentials",
                "client_id": "integration",
                "client_secret": self.secret,
            }
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(body["scope"], "read write", "all of the application's scopes")

    def test_client_credentials_refused_to_public_client(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "client_id": "browser-app"}
        )
        # credentials in the body: 400, no Basic challenge (RFC 6749 §5.2)
        self.assertOAuthError(response, "invalid_client")

    def assertNoTokenAndNoFailure(self, application):
        self.assertFalse(
            self.env["oauth2.token"].search([("application_id", "=", application.id)])
        )
        # the client authenticated: nothing counts towards its throttle
        self.assertFalse(
            self.env["oauth2.client.auth.failure"].search(
                [("client_id", "=", application.client_id)]
            )
        )

    def test_archived_acts_as_user_gets_no_token_dead_on_arrival(self):
        self.user.active = False
        for _attempt in range(2):
            response = self.token_request(
                {"grant_type": "client_credentials"}, auth=("integration", self.secret)
            )
            body = self.assertOAuthError(response, "unauthorized_client")
            self.assertIn("archived", body["error_description"])
            self.assertIn("Acts As", body["error_description"])
        self.assertNoTokenAndNoFailure(self.app)
        # refused after client authentication: whoever lacks the secret learns
        # nothing of the application
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", "wrong")
        )
        body = self.assertOAuthError(response, "invalid_client", status=401)
        self.assertNotIn("Acts As", body["error_description"])
        self.user.active = True
        self.assertTokenAnswer(
            self.token_request(
                {"grant_type": "client_credentials"}, auth=("integration", self.secret)
            )
        )

    def test_acts_as_user_archived_or_deleted_after_a_token_is_seen_at_once(self):
        # The first token fills the worker's row of the application, which
        # says whether its Acts As user is active. The requests share the
        # test's transaction: each change is written and forgotten by the
        # ORM's cache, so that only the worker's row could remember it.
        def change(record, **values):
            record.write(values) if values else record.unlink()
            self.env.invalidate_all()

        request = {"grant_type": "client_credentials"}
        auth = ("integration", self.secret)
        self.assertTokenAnswer(self.token_request(request, auth=auth))
        change(self.user, active=False)
        self.assertOAuthError(
            self.token_request(request, auth=auth), "unauthorized_client"
        )
        change(self.user, active=True)
        self.assertTokenAnswer(self.token_request(request, auth=auth))
        stand_in = self.user.copy({"login": "oauth2_stand_in"})
        change(self.app, user_id=stand_in.id)
        self.assertTokenAnswer(self.token_request(request, auth=auth))
        change(self.env["oauth2.token"].search([("user_id", "=", stand_in.id)]))
        change(stand_in)
        body = self.assertOAuthError(
            self.token_request(request, auth=auth), "unauthorized_client"
        )
        self.assertIn("Acts As field", body["error_description"])

    def test_acting_as_the_system_user_gets_no_token(self):
        # what an application created in odoo shell or by a script running as
        # the superuser acted as, when Acts As defaulted to the creating user
        self.app.user_id = self.env.ref("base.user_root")
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "unauthorized_client")
        self.assertNoTokenAndNoFailure(self.app)

    def test_grant_not_allowed_is_unauthorized_client(self):
        self.app.grant_client_credentials = False
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "unauthorized_client")
