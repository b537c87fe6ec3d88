# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The userinfo endpoint: the claims of a token's user."""

import json

from .common import EndpointCase


class TestUserinfo(EndpointCase):
    def test_claims_of_the_token_user(self):
        self.user.write({"email": "oauth@example.com", "tz": "Europe/Budapest"})
        _record, access_token, _refresh = self.issue_token()
        for method in ("GET", "POST"):
            response = self.call(
                method, "userinfo", headers={"Authorization": f"Bearer {access_token}"}
            )
            self.assertEqual(
                self.assertJson(response),
                {
                    "sub": str(self.user.id),
                    "name": "OAuth User",
                    "email": "oauth@example.com",
                    "login": "oauth2_user",
                    "locale": "en-US",
                    "zoneinfo": "Europe/Budapest",
                    "company": {
                        "id": self.user.company_id.id,
                        "name": self.user.company_id.name,
                    },
                },
            )

    def test_client_credentials_token_describes_the_application_user(self):
        app_user = self.env.ref("base.user_admin")
        self.other_app.user_id = app_user
        issued = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            auth=("other", self.other_secret),
        )
        access_token = self.assertJson(issued)["access_token"]
        response = self.call(
            "GET", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertEqual(self.assertJson(response)["sub"], str(app_user.id))

    def test_pairwise_application_gets_its_subject_and_no_login(self):
        """Without openid, as before OpenID Connect, but a pairwise application
        finds its own subject, not the database id, and no login."""
        self.app.subject_type = "pairwise"
        _record, access_token, _refresh = self.issue_token()
        response = self.call(
            "GET", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        claims = self.assertJson(response)
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        self.assertNotIn("login", claims)
        self.assertEqual(claims["name"], "OAuth User")

    def test_errors(self):
        self.assertBearerError(self.call("GET", "userinfo"), 401)
        response = self.call("GET", "userinfo", headers={"Authorization": "Bearer x"})
        self.assertBearerError(response, 401, "invalid_token")
        _record, access_token, _refresh = self.issue_token()
        response = self.call(
            "DELETE", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "GET, POST")

    def test_token_in_a_form_encoded_body(self):
        # RFC 6750 §2.2, which OpenID Connect Core §5.3.1 allows: pyoidc's way
        _record, access_token, _refresh = self.issue_token()
        response = self.call("POST", "userinfo", data={"access_token": access_token})
        self.assertEqual(self.assertJson(response)["sub"], str(self.user.id))
        # never in a GET's query, nor in a body that is no form
        self.assertBearerError(
            self.call("GET", "userinfo", params={"access_token": access_token}),
            400,
            "invalid_request",
        )
        response = self.call(
            "POST",
            "userinfo",
            data=json.dumps({"access_token": access_token}),
            headers={"Content-Type": "application/json"},
        )
        self.assertBearerError(response, 401)
        # one way per request (RFC 6750 §2), and once
        for forged in (
            {
                "data": {"access_token": access_token},
                "headers": {"Authorization": f"Bearer {access_token}"},
            },
            {"data": [("access_token", access_token), ("access_token", access_token)]},
        ):
            with self.subTest(forged=sorted(forged)):
                self.assertBearerError(
                    self.call("POST", "userinfo", **forged), 400, "invalid_request"
                )
        response = self.call("POST", "userinfo", data={"access_token": "x"})
        self.assertBearerError(response, 401, "invalid_token")
