# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""oauth/pkce.py: the shape of a code_challenge and a code_verifier, and
plain only for the applications allowed it; no database."""

import unittest
from types import SimpleNamespace
from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from ..oauth.pkce import check_code_challenge, check_code_verifier

# RFC 7636 Appendix B
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
S256_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGN8Sn0-cM"


def authorization_request(allow_pkce_plain=False, **params):
    request = Request("https://odoo.test/oauth2/authorize?" + urlencode(params))
    request.client = SimpleNamespace(allow_pkce_plain=allow_pkce_plain)
    return request


def token_request(**params):
    return Request("https://odoo.test/oauth2/access_token", "POST", params)


class TestCodeChallenge(unittest.TestCase):
    def assertRefused(self, request, description):
        with self.assertRaises(InvalidRequestError) as caught:
            check_code_challenge(request)
        self.assertEqual(caught.exception.description, description)

    def test_a_request_without_challenge_passes(self):
        self.assertEqual(check_code_challenge(authorization_request()), {})

    def test_s256_challenge_of_rfc_7636_passes(self):
        request = authorization_request(
            code_challenge=S256_CHALLENGE, code_challenge_method="S256"
        )
        self.assertEqual(check_code_challenge(request), {})

    def test_malformed_s256_challenges_are_refused(self):
        for challenge in (
            S256_CHALLENGE[:-1],
            S256_CHALLENGE + "=",
            S256_CHALLENGE + "A",
            S256_CHALLENGE[:-1] + "+",
            VERIFIER + ".",  # the verifier's characters, not base64url
        ):
            with self.subTest(challenge=challenge):
                self.assertRefused(
                    authorization_request(
                        code_challenge=challenge, code_challenge_method="S256"
                    ),
                    "code_challenge must be 43 characters of unpadded base64url "
                    "(RFC 7636 §4.2).",
                )

    def test_plain_needs_the_applications_leave(self):
        plain_refused = (
            "This application accepts only code_challenge_method=S256 "
            "(RFC 9700 §2.1.1)."
        )
        for method in ({"code_challenge_method": "plain"}, {}):
            with self.subTest(method=method):
                request = authorization_request(code_challenge=VERIFIER, **method)
                self.assertRefused(request, plain_refused)
                allowed = authorization_request(
                    allow_pkce_plain=True, code_challenge=VERIFIER, **method
                )
                self.assertEqual(check_code_challenge(allowed), {})

    def test_malformed_plain_challenges_are_refused(self):
        for challenge in ("a" * 42, "a" * 129, VERIFIER[:-1] + "+", ""):
            with self.subTest(challenge=challenge):
                self.assertRefused(
                    authorization_request(
                        allow_pkce_plain=True, code_challenge=challenge
                    ),
                    "code_challenge must be 43 to 128 characters among A-Z, a-z, "
                    "0-9, '-', '.', '_' and '~' (RFC 7636 §4.2).",
                )
        longest = authorization_request(allow_pkce_plain=True, code_challenge="~" * 128)
        self.assertEqual(check_code_challenge(longest), {})


class TestCodeVerifier(unittest.TestCase):
    def test_well_formed_verifiers_pass(self):
        for params in ({}, {"code_verifier": VERIFIER}, {"code_verifier": "-._~" * 32}):
            with self.subTest(params=params):
                self.assertIsNone(check_code_verifier(token_request(**params)))

    def test_malformed_verifiers_are_refused(self):
        for verifier in (VERIFIER[:42], "a" * 129, VERIFIER[:-1] + "/", ""):
            with self.subTest(verifier=verifier):
                with self.assertRaises(InvalidRequestError) as caught:
                    check_code_verifier(token_request(code_verifier=verifier))
                self.assertEqual(
                    caught.exception.description,
                    "code_verifier must be 43 to 128 characters among A-Z, a-z, "
                    "0-9, '-', '.', '_' and '~' (RFC 7636 §4.1).",
                )
