# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""oauth/response_modes.py: where an authorization response goes, and the
page that posts it; no database."""

import base64
import hashlib
import re
import unittest
from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from ..oauth.response_modes import (
    check_response_mode,
    form_post_page,
    response_mode,
    split_location,
)

REDIRECT_URI = "https://client.test/cb?tenant=a&lang=en"
UNKNOWN_MODE = "response_mode must be query, fragment or form_post."
TOKEN_IN_QUERY = (
    "A token cannot be returned in the query: use response_mode=fragment or "
    "form_post."
)


def authorization_request(**params):
    return Request("https://odoo.test/oauth2/authorize?" + urlencode(params))


class TestResponseMode(unittest.TestCase):
    def test_default_mode_of_each_response_type(self):
        for response_type, expected in (
            ("code", "query"),
            ("token", "fragment"),
            ("id_token", "fragment"),
            ("id_token token", "fragment"),
            ("code id_token", "fragment"),
            ("code token", "fragment"),
            ("code id_token token", "fragment"),
            # not served: its error goes to the query
            ("id_token code", "query"),
        ):
            with self.subTest(response_type=response_type):
                request = authorization_request(response_type=response_type)
                self.assertEqual(response_mode(request), expected)
                # and the error of such a request goes there too
                error = InvalidRequestError(request=request)
                self.assertEqual(response_mode(error), expected)

    def test_the_mode_asked_for_wins_when_known(self):
        for asked, expected in (("form_post", "form_post"), ("bogus", "fragment")):
            with self.subTest(asked=asked):
                request = authorization_request(
                    response_type="token", response_mode=asked
                )
                self.assertEqual(response_mode(request), expected)

    def test_check_accepts_the_known_modes(self):
        for params in (
            {"response_type": "token"},
            {"response_type": "code", "response_mode": "query"},
            {"response_type": "code", "response_mode": "fragment"},
            {"response_type": "id_token", "response_mode": "form_post"},
            {"response_type": "code id_token token", "response_mode": "form_post"},
        ):
            with self.subTest(params=params):
                self.assertEqual(
                    check_response_mode(authorization_request(**params)), {}
                )

    def test_check_refuses_unknown_modes_and_tokens_in_the_query(self):
        for response_type, mode, description in (
            ("code", "bogus", UNKNOWN_MODE),
            ("code", "Query", UNKNOWN_MODE),
            ("token", "query", TOKEN_IN_QUERY),
            ("id_token", "query", TOKEN_IN_QUERY),
            ("code id_token", "query", TOKEN_IN_QUERY),
            ("code token", "query", TOKEN_IN_QUERY),
        ):
            with self.subTest(response_type=response_type, mode=mode):
                request = authorization_request(
                    response_type=response_type, response_mode=mode
                )
                with self.assertRaises(InvalidRequestError) as caught:
                    check_response_mode(request)
                self.assertEqual(caught.exception.description, description)


class TestFormPost(unittest.TestCase):
    def test_split_location_keeps_only_the_responses_parameters(self):
        query = REDIRECT_URI + "&code=c%2B1&state=&iss=https%3A%2F%2Fodoo.test"
        self.assertEqual(
            split_location(query, REDIRECT_URI),
            (
                REDIRECT_URI,
                [("code", "c+1"), ("state", ""), ("iss", "https://odoo.test")],
            ),
        )
        fragment = REDIRECT_URI + "#access_token=t&token_type=Bearer"
        self.assertEqual(
            split_location(fragment, REDIRECT_URI),
            (REDIRECT_URI, [("access_token", "t"), ("token_type", "Bearer")]),
        )

    def test_page_escapes_what_it_posts(self):
        location = REDIRECT_URI + "&" + urlencode({"state": '"><script>x()</script>'})
        headers, body = form_post_page(location, REDIRECT_URI)
        self.assertIn(
            '<form method="post" action="https://client.test/cb?tenant=a&amp;lang=en">',
            body,
        )
        self.assertIn(
            '<input type="hidden" name="state" '
            'value="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"/>',
            body,
        )
        self.assertEqual(body.count("<script>"), 1)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["Cache-Control"], "no-store")

    def test_policy_runs_the_pages_one_script_and_posts_only_to_the_client(self):
        for redirect_uri, target in (
            ("https://client.test:8443/cb", "https://client.test:8443"),
            ("http://[::1]:8080/cb", "http:"),
            ("com.example.app:/cb", "com.example.app:"),
        ):
            with self.subTest(redirect_uri=redirect_uri):
                headers, body = form_post_page(redirect_uri + "?code=c", redirect_uri)
                script = re.search(r"<script>(.*?)</script>", body)[1]
                digest = hashlib.sha256(script.encode()).digest()
                self.assertEqual(
                    headers["Content-Security-Policy"],
                    "default-src 'none'; "
                    f"script-src 'sha256-{base64.b64encode(digest).decode()}'; "
                    f"form-action {target}; frame-ancestors 'none'",
                )
