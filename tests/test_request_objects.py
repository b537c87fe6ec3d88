# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Request objects by value at the authorization endpoint (RFC 9101, OpenID
Connect Core §6.1): signed by the client with keys it registered, as a JWKS
or at a JWKS URI served here on 127.0.0.1, and every way one is refused; the
rules of the application's JWKS and JWKS URI."""

import json
import re
import time
import unittest
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from odoo.exceptions import ValidationError

from ..models.oauth2_application_client import FETCHED_JWKS
from ..oauth import request_objects
from .common import (
    REDIRECT_URI,
    OpenIDCase,
    answer_status,
    ec_key,
    jwks_text,
    loopback_server,
    public_jwk,
    rsa_key,
)


class RequestObjectCase(OpenIDCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rsa = rsa_key()
        cls.ec = ec_key()
        cls.app.jwks = jwks_text(
            public_jwk(cls.rsa, "rsa-1"), public_jwk(cls.ec, "ec-1")
        )
        cls.other_key = rsa_key()
        cls.other_app.write(
            {
                "redirect_uris": REDIRECT_URI,
                "grant_authorization_code": True,
                "jwks": jwks_text(public_jwk(cls.other_key, "rsa-1")),
            }
        )

    def setUp(self):
        super().setUp()
        self.app.skip_consent = True

    def request_object(self, key=None, algorithm="RS256", kid="rsa-1", **claims):
        now = int(time.time())
        claims = {
            "iss": "integration",
            "aud": self.issuer(),
            "iat": now,
            "exp": now + 300,
            "client_id": "integration",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "from-object",
            "nonce": "nonce-from-object",
            **claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(
            claims,
            self.rsa if key is None else key,
            algorithm=algorithm,
            headers={"kid": kid} if kid else None,
        )

    def assertRefused(self, response, error="invalid_request_object"):
        params = self.assertRedirectsTo(response)
        self.assertEqual(params["error"], error, params)
        # the query's state: the object's is not trusted
        self.assertEqual(params["state"], "xyz")
        return params


class TestSignedRequestObjects(RequestObjectCase):
    def test_signed_objects_work_and_their_parameters_win(self):
        for key, algorithm, kid in (
            (self.rsa, "RS256", "rsa-1"),
            (self.rsa, "PS256", "rsa-1"),
            (self.ec, "ES256", "ec-1"),
        ):
            with self.subTest(algorithm=algorithm):
                token = self.request_object(key, algorithm, kid)
                params = self.assertRedirectsTo(
                    self.authorize(scope="openid", state="from-query", request=token)
                )
                self.assertEqual(params["state"], "from-object")
                tokens = self.assertTokenAnswer(self.exchange(params["code"]))
                claims = self.verify(tokens["id_token"])
                # only the object names a nonce, and the profile scope
                self.assertEqual(claims["nonce"], "nonce-from-object")
                self.assertEqual(claims["name"], self.user.name)

    def test_implicit_flow(self):
        token = self.request_object(response_type="id_token")
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", response_type="id_token", request=token),
            fragment=True,
        )
        claims = self.verify(params["id_token"])
        self.assertEqual(claims["nonce"], "nonce-from-object")
        # refused: in the fragment, as the query's response type asks
        token = self.request_object(rsa_key(), response_type="id_token")
        params = self.assertRedirectsTo(
            self.authorize(
                scope="openid", response_type="id_token", nonce="n", request=token
            ),
            fragment=True,
        )
        self.assertEqual(params["error"], "invalid_request_object")

    def test_consent_page_posts_the_unpacked_parameters(self):
        self.app.skip_consent = False
        page = self.authorize(scope="openid", request=self.request_object())
        self.assertEqual(page.status_code, 200, page.text[:300])
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)[1]
        action = action.replace("&amp;", "&")
        query = parse_qs(urlsplit(action).query)
        self.assertNotIn("request", query)
        self.assertEqual(query["nonce"], ["nonce-from-object"])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        answer = self.opener.post(
            action,
            data={"csrf_token": csrf, "decision": "allow"},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(self.assertRedirectsTo(answer)["state"], "from-object")

    def test_oauth2_request_uses_the_object_alone(self):
        # RFC 9101 §5: without openid in the query, only the object counts
        token = self.request_object(scope="read", nonce=None, state=None)
        params = self.assertRedirectsTo(self.authorize(scope="write", request=token))
        self.assertNotIn("state", params)
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertEqual(tokens["scope"], "read")

    def test_redirect_uri_of_the_object_is_checked(self):
        token = self.request_object(redirect_uri="https://evil.example.com/cb")
        page = self.authorize(scope="openid", request=token)
        self.assertEqual(page.status_code, 400, page.text[:300])
        self.assertNotIn("Location", page.headers)

    def test_refused_objects(self):
        now = int(time.time())
        hs256 = jwt.encode(
            {"iss": "integration", "aud": self.issuer(), "exp": now + 60},
            self.secret,
            algorithm="HS256",
        )
        cases = {
            "wrong key": self.request_object(rsa_key()),
            "another client's key": self.request_object(self.other_key),
            "unknown kid": self.request_object(kid="rsa-9"),
            "wrong audience": self.request_object(aud="https://other.example.com"),
            "wrong issuer": self.request_object(iss="other"),
            "expired": self.request_object(exp=now - 120),
            "no expiry": self.request_object(exp=None),
            "too long a life": self.request_object(exp=now + 7200),
            "issued in the future": self.request_object(iat=now + 600),
            "not yet valid": self.request_object(nbf=now + 600),
            "exp of 10**400": self.request_object(exp=10**400),
            "exp a string": self.request_object(exp=str(now + 60)),
            "iat a string": self.request_object(iat=str(now)),
            "infinite nbf": self.request_object(nbf=float("-inf")),
            "client_id mismatch": self.request_object(client_id="other"),
            "response_type mismatch": self.request_object(response_type="token"),
            "HS256": hs256,
            "malformed": "eyJhbGciOiJSUzI1NiJ9.not-json.c2ln",
            "not a JWT": "hello",
            "encrypted": "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d",
            "nested request": self.request_object(request_uri="https://x.example"),
            "NUL": self.request_object(login_hint="a\x00b"),
            "unsigned": jwt.encode(
                {"client_id": "integration", "response_type": "code"},
                None,
                algorithm="none",
            ),
        }
        for case, token in cases.items():
            with self.subTest(case):
                self.assertRefused(self.authorize(scope="openid", request=token))

    def test_oversized_object(self):
        token = self.request_object(login_hint="x" * 9000)
        response = self.opener.post(
            self.base_url() + "/orestapi/oauth2/authorize",
            data={
                "response_type": "code",
                "client_id": "integration",
                "redirect_uri": REDIRECT_URI,
                "scope": "openid",
                "state": "xyz",
                "request": token,
            },
            allow_redirects=False,
            timeout=30,
        )
        params = self.assertRefused(response)
        self.assertIn("at most", params["error_description"])

    def test_repeated_request_and_missing_client(self):
        token = self.request_object()
        url = (
            f"{self.base_url()}/orestapi/oauth2/authorize?response_type=code"
            f"&client_id=integration&redirect_uri={REDIRECT_URI}&state=xyz"
            f"&scope=openid&request={token}&request={token}"
        )
        self.assertRefused(self.opener.get(url, allow_redirects=False, timeout=30))
        page = self.authorize(client_id=None, request=token)
        self.assertEqual(page.status_code, 400, page.text[:300])

    def test_required_algorithm(self):
        self.app.request_object_signing_alg = "ES256"
        self.assertRefused(
            self.authorize(scope="openid", request=self.request_object())
        )
        token = self.request_object(self.ec, "ES256", "ec-1")
        params = self.assertRedirectsTo(self.authorize(scope="openid", request=token))
        self.assertIn("code", params)

    def test_request_uri_is_not_supported(self):
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", request_uri="https://client.example.com/r")
        )
        self.assertEqual(params["error"], "request_uri_not_supported")

    def test_metadata(self):
        metadata = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        self.assertIs(metadata["request_parameter_supported"], True)
        self.assertIs(metadata["request_uri_parameter_supported"], False)
        self.assertEqual(
            metadata["request_object_signing_alg_values_supported"],
            ["RS256", "PS256", "ES256", "none"],
        )


class TestUnsignedRequestObjects(RequestObjectCase):
    def unsigned(self, **claims):
        claims = {
            "client_id": "integration",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "state": "from-object",
            **claims,
        }
        return jwt.encode(claims, None, algorithm="none")

    def test_refused_unless_the_application_allows_them(self):
        self.assertRefused(self.authorize(scope="openid", request=self.unsigned()))
        self.app.request_object_signing_alg = "none"
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", request=self.unsigned())
        )
        self.assertEqual(params["state"], "from-object")
        # an expired one is refused all the same
        self.assertRefused(
            self.authorize(
                scope="openid", request=self.unsigned(exp=int(time.time()) - 120)
            )
        )


class TestJwksUri(RequestObjectCase):
    def setUp(self):
        super().setUp()
        self.allow_loopback_calls()
        self.published = [public_jwk(self.rsa, "rsa-1")]

        def answer(handler):
            answer_status(
                200,
                jwks_text(*self.published).encode(),
                [("Content-Type", "application/json")],
            )(handler)

        self.server = loopback_server(self, answer)
        self.app.write({"jwks": False, "jwks_uri": self.server.url})

    def test_keys_are_fetched_kept_and_fetched_again_for_a_new_kid(self):
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", request=self.request_object())
        )
        self.assertIn("code", params)
        self.assertRedirectsTo(
            self.authorize(scope="openid", request=self.request_object())
        )
        self.assertEqual(len(self.server.requests), 1, "the keys are kept")
        # the client rotates: a new key, under a new kid
        new_key = ec_key()
        self.published.append(public_jwk(new_key, "ec-2"))
        token = self.request_object(new_key, "ES256", "ec-2")
        # Fetched again at most every half minute: here, as if it were later.
        FETCHED_JWKS.clear()
        params = self.assertRedirectsTo(self.authorize(scope="openid", request=token))
        self.assertIn("code", params)
        self.assertEqual(len(self.server.requests), 2)

    def test_unreachable_jwks_uri(self):
        self.server.stop()
        FETCHED_JWKS.clear()
        params = self.assertRefused(
            self.authorize(scope="openid", request=self.request_object())
        )
        self.assertIn("JWKS URI", params["error_description"])

    def test_unparsable_jwks_is_refused_and_not_fetched_again_at_once(self):
        # nested deeper than Python's JSON parser recurses, within the size cap
        deep = '{"keys":' + "[" * 8000 + "]" * 8000 + "}"
        server = loopback_server(
            self,
            answer_status(200, deep.encode(), [("Content-Type", "application/json")]),
        )
        self.app.jwks_uri = server.url
        FETCHED_JWKS.clear()
        self.addCleanup(FETCHED_JWKS.clear)
        for _ in range(3):
            params = self.assertRefused(
                self.authorize(scope="openid", request=self.request_object())
            )
            self.assertIn("no JWKS this server can use", params["error_description"])
        self.assertEqual(len(server.requests), 1, "the failure is kept")


class TestJwksRules(RequestObjectCase):
    def test_invalid_jwks_are_refused(self):
        private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa))
        for case, text in {
            "private key": jwks_text(private),
            "symmetric key": jwks_text({"kty": "oct", "k": "c2VjcmV0"}),
            "not JSON": "{keys",
            "nested too deeply": '{"keys":' + "[" * 8000 + "]" * 8000 + "}",
            "no keys": '{"keys": []}',
            "a list": "[]",
            "other curve": jwks_text(
                public_jwk(ec.generate_private_key(ec.SECP384R1()), "p384")
            ),
            "too many": jwks_text(*[public_jwk(self.ec, str(n)) for n in range(11)]),
            "too long": jwks_text(public_jwk(self.ec, "x" * 20000)),
            "encryption key": jwks_text({**public_jwk(self.ec, "e"), "use": "enc"}),
            "kid not a string": jwks_text({**public_jwk(self.ec, "e"), "kid": 1}),
            "broken key": jwks_text({**public_jwk(self.rsa, "r"), "n": "!"}),
        }.items():
            with self.subTest(case), self.assertRaises(ValidationError) as refused:
                self.other_app.jwks = text
                self.env.flush_all()
            self.assertIn("The JWKS cannot be used.", str(refused.exception))
        with self.assertRaises(ValidationError) as refused:
            self.other_app.jwks = jwks_text(private)
        self.assertIn("private", str(refused.exception))

    def test_jwks_uri_rules(self):
        for uri in ("http://client.example.com/jwks", "https://10.0.0.1/jwks"):
            with self.subTest(uri), self.assertRaises(ValidationError):
                self.other_app.write({"jwks": False, "jwks_uri": uri})
                self.env.flush_all()
        with self.assertRaises(ValidationError):
            self.other_app.jwks_uri = "https://client.example.com/jwks"
            self.env.flush_all()


class TestPureHelpers(unittest.TestCase):
    """oauth/request_objects.py's merge and cache; no database."""

    def test_merge_follows_core_for_openid_and_rfc_9101_otherwise(self):
        query = [("client_id", "c"), ("scope", "openid"), ("prompt", "login")]
        self.assertEqual(
            request_objects.merged_parameters(query, {"scope": "openid email"}),
            [("client_id", "c"), ("prompt", "login"), ("scope", "openid email")],
        )
        query = [("client_id", "c"), ("scope", "read"), ("prompt", "login")]
        self.assertEqual(
            request_objects.merged_parameters(query, {"scope": "write"}),
            [("client_id", "c"), ("scope", "write")],
        )

    def test_one_client_id_names_whose_keys_verify(self):
        """Another client's keys never verify a request: a repeated client_id
        is refused before any key is looked up."""
        token = jwt.encode({"response_type": "code"}, None, algorithm="none")
        query = [("client_id", "victim"), ("client_id", "attacker")]
        with self.assertRaises(request_objects.InvalidRequestObject):
            request_objects.unpack(
                [*query, ("request", token)], lambda refresh: [], "none", "issuer"
            )

    def test_parameter_values(self):
        parameters = request_objects.object_parameters(
            {"max_age": 60, "claims": {"id_token": {}}, "exp": 1, "iss": "c"}, {}
        )
        self.assertEqual(parameters, {"max_age": "60", "claims": '{"id_token":{}}'})
        for value in (True, None, 1.5):
            with (
                self.subTest(value),
                self.assertRaises(request_objects.InvalidRequestObject),
            ):
                request_objects.object_parameters({"max_age": value}, {})

    def test_cache_fetches_again_at_most_every_half_minute(self):
        cache = request_objects.JWKSCache()
        fetches = []

        def fetch():
            fetches.append(1)
            return ["key"]

        def failing_fetch():
            fetches.append(0)
            raise request_objects.InvalidRequestObject("unreachable")

        for now, refresh in ((0, False), (10, True), (40, True), (100, False)):
            self.assertEqual(cache.keys("uri", fetch, refresh, now=now), ["key"])
        self.assertEqual(fetches, [1, 1])
        cache.keys("uri", fetch, now=400)
        self.assertEqual(fetches, [1, 1, 1])
        fetches.clear()
        for now in (0, 10, 40):
            with self.assertRaises(request_objects.InvalidRequestObject):
                cache.keys("dead", failing_fetch, now=now)
        self.assertEqual(fetches, [0, 0])
        fetches.clear()

        def broken_fetch():
            fetches.append(0)
            raise RecursionError("maximum recursion depth exceeded")

        # whatever a fetch raises, the host is not asked again at once
        for now in (0, 10):
            with self.assertRaises(RecursionError):
                cache.keys("broken", broken_fetch, now=now)
        self.assertEqual(fetches, [0])
