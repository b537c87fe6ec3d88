# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""oauth/jose.py: the signing keys, their JWKs and thumbprints, and the JWTs
signed and verified with them; no database."""

import base64
import json
import time
import unittest

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..oauth import jose

ISSUER = "https://odoo.test"
# RFC 7638 §3.1
RFC_7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFF"
    "xuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w"
    "6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn"
    "1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1j"
    "F44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC_7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


class TestKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pems = {
            alg: jose.generate_private_key(alg) for alg in jose.SIGNING_ALGORITHMS
        }

    def test_generated_keys_are_pkcs8_of_their_algorithm(self):
        rsa_key = jose.load_private_key(self.pems[jose.RS256])
        self.assertIsInstance(rsa_key, rsa.RSAPrivateKey)
        self.assertEqual(rsa_key.key_size, 2048)
        ec_key = jose.load_private_key(self.pems[jose.ES256])
        self.assertIsInstance(ec_key, ec.EllipticCurvePrivateKey)
        self.assertEqual(ec_key.curve.name, "secp256r1")
        for pem in self.pems.values():
            self.assertTrue(pem.startswith("-----BEGIN PRIVATE KEY-----\n"))
        with self.assertRaises(ValueError):
            jose.generate_private_key("HS256")

    def test_public_jwk_holds_the_public_members_and_its_thumbprint(self):
        for alg, members, fixed in (
            (jose.RS256, {"kty", "n", "e"}, {"kty": "RSA", "e": "AQAB"}),
            (jose.ES256, {"kty", "crv", "x", "y"}, {"kty": "EC", "crv": "P-256"}),
        ):
            with self.subTest(alg=alg):
                jwk = jose.public_jwk(jose.load_private_key(self.pems[alg]), alg)
                self.assertEqual(set(jwk), members | {"kid", "alg", "use"})
                self.assertLessEqual(fixed.items(), jwk.items())
                self.assertEqual((jwk["alg"], jwk["use"]), (alg, "sig"))
                self.assertEqual(jwk["kid"], jose.thumbprint(jwk))

    def test_thumbprint_of_rfc_7638(self):
        self.assertEqual(jose.thumbprint(RFC_7638_JWK), RFC_7638_THUMBPRINT)
        other = dict(RFC_7638_JWK, e="AQAC")
        self.assertNotEqual(jose.thumbprint(other), RFC_7638_THUMBPRINT)


class TestSignedTokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = {}
        for alg in jose.SIGNING_ALGORITHMS:
            key = jose.load_private_key(jose.generate_private_key(alg))
            cls.keys[alg] = (jose.public_jwk(key, alg)["kid"], key)
        cls.public_keys = {
            kid: (alg, key.public_key()) for alg, (kid, key) in cls.keys.items()
        }

    def claims(self, **changes):
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": "42", "aud": "app", "iat": now, "exp": now + 60}
        return dict(claims, **changes)

    def sign(self, claims, alg=jose.RS256, token_type=jose.ID_TOKEN_TYPE):
        kid, key = self.keys[alg]
        return jose.sign(claims, key, alg, kid, token_type)

    def assertRefused(self, token, message, **options):
        with self.assertRaisesRegex(jose.InvalidSignedToken, message):
            jose.verify(token, self.public_keys, ISSUER, **options)

    def test_round_trip_with_each_algorithm(self):
        claims = self.claims()
        for alg in jose.SIGNING_ALGORITHMS:
            with self.subTest(alg=alg):
                token = self.sign(claims, alg)
                self.assertTrue(jose.looks_like_jws(token))
                self.assertEqual(jose.unverified_claims(token), claims)
                verified = jose.verify(token, self.public_keys, ISSUER, audience="app")
                self.assertEqual(verified, claims)

    def test_one_type_never_passes_for_another(self):
        access_token = self.sign(self.claims(), token_type=jose.ACCESS_TOKEN_TYPE)
        self.assertRefused(access_token, "not of type JWT")
        self.assertRefused(
            self.sign(self.claims()),
            "not of type at\\+jwt",
            token_type=jose.ACCESS_TOKEN_TYPE,
        )
        # RFC 7515 §4.1.9: the same media type, spelt in full
        spelt_out = self.sign(self.claims(), token_type="application/AT+JWT")
        verified = jose.verify(
            spelt_out, self.public_keys, ISSUER, token_type=jose.ACCESS_TOKEN_TYPE
        )
        self.assertEqual(verified["sub"], "42")

    def test_expired_token_is_refused_unless_expiry_is_not_checked(self):
        expired = self.sign(self.claims(exp=int(time.time()) - 60))
        self.assertRefused(expired, "expired")
        verified = jose.verify(expired, self.public_keys, ISSUER, verify_expiry=False)
        self.assertEqual(verified["sub"], "42")

    def test_tampered_token_is_refused(self):
        header, _payload, signature = self.sign(self.claims()).split(".")
        forged = json.dumps(self.claims(sub="1")).encode()
        payload = base64.urlsafe_b64encode(forged).decode().rstrip("=")
        self.assertRefused(
            f"{header}.{payload}.{signature}", "Signature verification failed"
        )

    def test_other_keys_issuers_and_audiences_are_refused(self):
        token = self.sign(self.claims())
        stranger = jose.load_private_key(jose.generate_private_key(jose.ES256))
        self.assertRefused(
            jose.sign(self.claims(), stranger, jose.ES256, "unknown"),
            "not signed with a key of this server",
        )
        # a kid of ours, with the algorithm of another of our keys
        rsa_kid = self.keys[jose.RS256][0]
        es256_key = self.keys[jose.ES256][1]
        self.assertRefused(
            jose.sign(self.claims(), es256_key, jose.ES256, rsa_kid),
            "algorithm is not its key's",
        )
        self.assertRefused(self.sign(self.claims(iss="https://evil.test")), "issuer")
        self.assertRefused(token, "Audience", audience="other")
        self.assertRefused("not a token", "not a JWS")

    def test_looks_like_jws(self):
        token = self.sign(self.claims())
        self.assertTrue(jose.looks_like_jws(token))
        self.assertTrue(jose.looks_like_jws("eyJa.b.c"))
        for value in (
            None,
            "",
            "opaque_Token-value",
            token.rpartition(".")[0],
            token.replace("eyJ", "eyK", 1),
            "eyJ" + "a" * jose.MAX_JWS_LENGTH + ".b.c",
        ):
            with self.subTest(value=value and value[:20]):
                self.assertFalse(jose.looks_like_jws(value))
