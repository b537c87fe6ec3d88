# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The rules of the URIs an application registers (oauth/redirect_uris.py),
without a database: each answers with the rule a value breaks, or None."""

import unittest

from ..oauth.redirect_uris import (
    NOT_BACKCHANNEL_LOGOUT_URI,
    NOT_POST_LOGOUT_REDIRECT_URI,
    NOT_REDIRECT_URI,
    NOT_WEB_ORIGIN,
    backchannel_logout_uri_refusal,
    destination,
    is_registered,
    is_registrable,
    post_logout_redirect_uri_refusal,
    redirect_uri_refusal,
    web_origin_refusal,
)

WEB_URIS = (
    "https://a.example/cb",
    "https://a.example:8443/cb?tenant=1",
    "http://127.0.0.1:9000/cb",
    "http://[::1]/cb",
    "http://localhost/cb",
)
NATIVE_URIS = ("com.example.myapp:/callback",)
UNREGISTRABLE = (
    "",
    "/relative/path",
    "https://a.example/cb#frag",
    "javascript:alert(1)//",
    "JavaScript:alert(1)//",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "http://a.example/cb",
    "http://localhost.evil.example/cb",
    "https://good.example@evil.example/cb",
    "https:///no-host",
    "myapp://callback",
    "https://a.example/c b",
    "https://go\u200bod.example/cb",
    "https://bücher.example/cb",
    "https://a.example/\x01cb",
    "https://a.example:99999/cb",
    "https://a.example:0/cb",
)


class TestRedirectUriRules(unittest.TestCase):
    def test_redirect_uris(self):
        for uri in WEB_URIS + NATIVE_URIS:
            with self.subTest(uri=uri):
                self.assertTrue(is_registrable(uri))
                self.assertIsNone(redirect_uri_refusal(uri))
        for uri in UNREGISTRABLE:
            with self.subTest(uri=uri):
                self.assertFalse(is_registrable(uri))
                self.assertEqual(redirect_uri_refusal(uri), NOT_REDIRECT_URI)

    def test_loopback_redirect_uris_match_on_any_port(self):
        registered = [
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb?x=1",
            "http://localhost/cb",
            "https://a.example:8443/cb",
        ]
        for uri in (
            "http://127.0.0.1/cb",
            "http://127.0.0.1:53219/cb",
            "http://[::1]/cb?x=1",
            "http://[::1]:1/cb?x=1",
            "http://localhost:65535/cb",
            "https://a.example:8443/cb",
        ):
            with self.subTest(uri=uri):
                self.assertTrue(is_registered(uri, registered))
        for uri in (
            "http://localhost:53219/other",
            "http://127.0.0.1:53219/cb?x=1",
            "http://[::1]:53219/cb",
            "http://127.0.0.2:53219/cb",
            "https://127.0.0.1:53219/cb",
            "https://a.example/cb",
            "https://a.example:9443/cb",
            "http://127.0.0.1:99999/cb",
            "http://127.0.0.1:0/cb",
            "http://u@127.0.0.1:5/cb",
            "http://127.0.0.1:5/cb#f",
        ):
            with self.subTest(uri=uri):
                self.assertFalse(is_registered(uri, registered))
        # an unregistrable URI stored before the rules matches nothing
        self.assertFalse(
            is_registered("http://127.0.0.1:5/cb", ["http://u@127.0.0.1/cb"])
        )

    def test_post_logout_redirect_uris_follow_the_same_rules(self):
        for uri in WEB_URIS + NATIVE_URIS:
            with self.subTest(uri=uri):
                self.assertIsNone(post_logout_redirect_uri_refusal(uri))
        for uri in UNREGISTRABLE:
            with self.subTest(uri=uri):
                self.assertEqual(
                    post_logout_redirect_uri_refusal(uri),
                    NOT_POST_LOGOUT_REDIRECT_URI,
                )

    def test_backchannel_logout_uris_are_web_uris(self):
        for uri in WEB_URIS:
            with self.subTest(uri=uri):
                self.assertIsNone(backchannel_logout_uri_refusal(uri))
        for uri in NATIVE_URIS + UNREGISTRABLE:
            with self.subTest(uri=uri):
                self.assertEqual(
                    backchannel_logout_uri_refusal(uri), NOT_BACKCHANNEL_LOGOUT_URI
                )

    def test_web_origins(self):
        for origin in (
            "https://app.example.com",
            "https://app.example.com:8443",
            "http://127.0.0.1:3000",
            "http://[::1]",
            "HTTPS://app.example.com",
        ):
            with self.subTest(origin=origin):
                self.assertIsNone(web_origin_refusal(origin))
        for origin in (
            "*",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?query",
            "http://app.example.com",
            "com.example.myapp:/callback",
            "com.example.myapp://host",
            *UNREGISTRABLE,
        ):
            with self.subTest(origin=origin):
                self.assertEqual(web_origin_refusal(origin), NOT_WEB_ORIGIN)

    def test_destination_names_the_host_or_the_app(self):
        self.assertEqual(destination("https://a.example:8443/cb?x=1"), "a.example:8443")
        self.assertEqual(destination("HTTP://localhost/cb"), "localhost")
        self.assertEqual(
            destination("com.example.myapp:/callback"), "com.example.myapp"
        )
