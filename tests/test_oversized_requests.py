# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Requests larger than the endpoints read get the OAuth endpoints' JSON error, not
Werkzeug's HTML page."""

from ..controllers.common import MAX_REQUEST_SIZE
from .common import TOKEN_PATH, EndpointCase, basic_auth

OVERSIZED_VALUE = "x" * MAX_REQUEST_SIZE


class TestOversizedRequests(EndpointCase):
    def assertTooLarge(self, response):
        self.assertOAuthError(response, "invalid_request", status=413)
        self.assertEqual(response.headers["Pragma"], "no-cache")

    def test_oversized_form_gets_json(self):
        _record, access_token, _refresh = self.issue_token()
        bearer = {"Authorization": f"Bearer {access_token}"}
        for endpoint, auth, headers in (
            ("access_token", self.integration, None),
            ("revoke", self.integration, None),
            ("introspect", self.integration, None),
            ("tokeninfo", None, None),
            ("userinfo", None, bearer),
        ):
            with self.subTest(endpoint=endpoint):
                response = self.call(
                    "POST",
                    endpoint,
                    data={"grant_type": "client_credentials", "x": OVERSIZED_VALUE},
                    auth=auth,
                    headers=headers,
                )
                self.assertTooLarge(response)

    def test_oversized_form_with_the_token_in_it_gets_json(self):
        # userinfo reads a form body for the token before the route runs
        _record, access_token, _refresh = self.issue_token()
        response = self.call(
            "POST",
            "userinfo",
            data={"access_token": access_token, "x": OVERSIZED_VALUE},
        )
        self.assertTooLarge(response)

    def test_oversized_multipart_field_gets_json(self):
        response = self.opener.post(
            self.base_url() + TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            files={"x": (None, OVERSIZED_VALUE)},
            headers={"Authorization": basic_auth(*self.integration)},
            timeout=30,
        )
        self.assertTooLarge(response)
