# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The signing keys of the OpenID Provider: thumbprints, signing, rotation,
retirement, and the tokens that verification refuses."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from psycopg2 import IntegrityError

from odoo import fields
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from ..models.oauth2_signing_key import PUBLISHED, RETIRED, RETIREMENT_MARGIN, SIGNING
from ..oauth import jose
from ..provider.configuration import issuer

# RFC 7638 §3.1: the example RSA key and its thumbprint.
RFC7638_KEY = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxu"
    "hDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6C"
    "f0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9"
    "1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44"
    "-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
AUDIENCE = "a-relying-party"


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class TestSigningKeys(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = cls.env["oauth2.signing.key"]
        cls.issuer = issuer(cls.env)

    def claims(self, **extra):
        now = int(time.time())
        return {
            "iss": self.issuer,
            "sub": "a-subject",
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 300,
            **extra,
        }

    def signing(self, algorithm):
        return self.keys.search(
            [("algorithm", "=", algorithm), ("state", "=", SIGNING)]
        )

    def header_kid(self, token):
        return jwt.get_unverified_header(token)["kid"]

    def published_kids(self):
        return {jwk["kid"] for jwk in self.keys._jwks()["keys"]}

    def assertRefused(self, token):
        with self.assertRaises(jose.InvalidSignedToken):
            self.keys._verify(token, audience=AUDIENCE)

    def test_thumbprint_of_rfc7638_example(self):
        self.assertEqual(jose.thumbprint(RFC7638_KEY), RFC7638_THUMBPRINT)

    def test_a_key_per_algorithm_after_install(self):
        for algorithm in jose.SIGNING_ALGORITHMS:
            with self.subTest(algorithm=algorithm):
                key = self.signing(algorithm)
                self.assertEqual(len(key), 1)
                self.assertEqual(key.kid, jose.thumbprint(key.public_jwk))
                self.assertEqual(key.public_jwk["kid"], key.kid)
                self.assertEqual(key.public_jwk["alg"], algorithm)
                self.assertTrue(key.private_key.startswith("-----BEGIN PRIVATE KEY"))

    def test_signature_verifies_with_the_published_jwk(self):
        """As a relying party verifies: the JWK the header's kid names in the
        JWKS, and nothing else."""
        for algorithm in jose.SIGNING_ALGORITHMS:
            with self.subTest(algorithm=algorithm):
                token = self.keys._sign(self.claims(), algorithm)
                header = jwt.get_unverified_header(token)
                self.assertEqual(header["alg"], algorithm)
                self.assertEqual(header["kid"], self.signing(algorithm).kid)
                [jwk] = [
                    jwk
                    for jwk in self.keys._jwks()["keys"]
                    if jwk["kid"] == header["kid"]
                ]
                claims = jwt.decode(
                    token,
                    jwt.PyJWK(jwk).key,
                    algorithms=[jwk["alg"]],
                    audience=AUDIENCE,
                    issuer=self.issuer,
                )
                self.assertEqual(claims["sub"], "a-subject")
                self.assertEqual(
                    self.keys._verify(token, audience=AUDIENCE)["sub"], "a-subject"
                )

    def test_rotation_signs_with_the_new_key_at_once(self):
        old = {alg: self.signing(alg) for alg in jose.SIGNING_ALGORITHMS}
        before = {
            alg: self.keys._sign(self.claims(), alg) for alg in jose.SIGNING_ALGORITHMS
        }
        lifetime = 1800
        self.env["ir.config_parameter"].set_param(
            "orestapi_oauth2.id_token_lifetime", lifetime
        )
        rotated_at = fields.Datetime.now()
        self.keys.action_rotate()
        for algorithm, old_key in old.items():
            with self.subTest(algorithm=algorithm):
                new_key = self.signing(algorithm)
                self.assertEqual(len(new_key), 1)
                self.assertNotEqual(new_key, old_key)
                token = self.keys._sign(self.claims(), algorithm)
                self.assertEqual(self.header_kid(token), new_key.kid)
                self.assertEqual(old_key.state, PUBLISHED)
                self.assertAlmostEqual(
                    old_key.retire_at,
                    rotated_at + timedelta(seconds=lifetime) + RETIREMENT_MARGIN,
                    delta=timedelta(seconds=30),
                )
                self.assertLessEqual({old_key.kid, new_key.kid}, self.published_kids())
                # what the old key signed still verifies
                self.keys._verify(before[algorithm], audience=AUDIENCE)

    def test_retirement_after_the_tokens_expired(self):
        old = self.signing(jose.RS256)
        token = self.keys._sign(self.claims())
        self.keys.action_rotate()
        # not before the tokens it signed have expired
        self.keys._cron_rotate_keys()
        self.assertEqual(old.state, PUBLISHED)
        self.keys._verify(token, audience=AUDIENCE)

        old.retire_at = fields.Datetime.now() - timedelta(seconds=1)
        self.keys._cron_rotate_keys()
        self.assertEqual(old.state, RETIRED)
        self.assertFalse(old.sudo().private_key)
        self.assertNotIn(old.kid, self.published_kids())
        self.assertRefused(token)
        # a retired key never comes back
        self.keys._cron_rotate_keys()
        self.assertEqual(old.state, RETIRED)

    def test_scheduled_rotation(self):
        old = self.keys.search([("state", "=", SIGNING)])
        self.assertEqual(len(old), len(jose.SIGNING_ALGORITHMS))
        self.env.cr.execute(
            "UPDATE oauth2_signing_key SET create_date = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=31), tuple(old.ids)),
        )
        old.invalidate_recordset(["create_date"])
        # no rotation period: the keys sign until an administrator rotates them
        self.keys._cron_rotate_keys()
        self.assertEqual(set(old.mapped("state")), {SIGNING})
        parameters = self.env["ir.config_parameter"]
        parameters.set_param("orestapi_oauth2.key_rotation_days", 60)
        self.keys._cron_rotate_keys()
        self.assertEqual(set(old.mapped("state")), {SIGNING})

        parameters.set_param("orestapi_oauth2.key_rotation_days", 30)
        self.keys._cron_rotate_keys()
        self.assertEqual(set(old.mapped("state")), {PUBLISHED})
        new = self.keys.search([("state", "=", SIGNING)])
        self.assertEqual(
            sorted(new.mapped("algorithm")), sorted(jose.SIGNING_ALGORITHMS)
        )
        self.assertEqual(
            self.header_kid(self.keys._sign(self.claims(), jose.RS256)),
            self.signing(jose.RS256).kid,
        )
        # the new keys are young: the next run leaves them be
        self.keys._cron_rotate_keys()
        self.assertEqual(self.keys.search([("state", "=", SIGNING)]), new)

    def test_one_signing_key_per_algorithm(self):
        """A second signing key, as two concurrent first generations would
        make, is refused by the database."""
        pem = jose.generate_private_key(jose.RS256)
        jwk = jose.public_jwk(jose.load_private_key(pem), jose.RS256)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.keys.create(
                {
                    "kid": jwk["kid"],
                    "algorithm": jose.RS256,
                    "private_key": pem,
                    "public_jwk": jwk,
                }
            )

    def test_verify_refuses_alg_none(self):
        kid = self.signing(jose.RS256).kid
        token = jwt.encode(self.claims(), None, algorithm="none", headers={"kid": kid})
        self.assertRefused(token)

    def test_verify_refuses_a_foreign_key_with_our_kid(self):
        for algorithm, foreign in (
            (
                jose.RS256,
                rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ),
            (jose.ES256, ec.generate_private_key(ec.SECP256R1())),
        ):
            with self.subTest(algorithm=algorithm):
                kid = self.signing(algorithm).kid
                token = jwt.encode(
                    self.claims(), foreign, algorithm=algorithm, headers={"kid": kid}
                )
                self.assertRefused(token)

    def test_verify_refuses_hmac_keyed_with_our_public_key(self):
        """The algorithm confusion attack: HS256 with the public key, which
        anybody has, as the secret. PyJWT refuses to sign so; by hand."""
        key = self.signing(jose.RS256)
        public_pem = jwt.PyJWK(key.public_jwk).key.public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        for secret in (public_pem, json.dumps(key.public_jwk).encode()):
            header = b64url(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
            payload = b64url(json.dumps(self.claims()).encode())
            signing_input = f"{header}.{payload}".encode()
            signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
            self.assertRefused(f"{header}.{payload}.{b64url(signature)}")

    def test_verify_refuses_another_issuer_audience_or_expired(self):
        now = int(time.time())
        for claims in (
            self.claims(iss="https://elsewhere.example"),
            self.claims(aud="another-relying-party"),
            self.claims(iat=now - 600, exp=now - 300),
        ):
            with self.subTest(claims=claims):
                self.assertRefused(self.keys._sign(claims))
        # an expired id_token_hint still names its user
        expired = self.keys._sign(self.claims(iat=now - 600, exp=now - 300))
        self.assertEqual(
            self.keys._verify(expired, audience=AUDIENCE, verify_expiry=False)["sub"],
            "a-subject",
        )

    def test_verify_refuses_a_token_naming_no_key_of_ours(self):
        token = self.keys._sign(self.claims())
        _header, payload, signature = token.split(".")
        unknown = b64url(json.dumps({"alg": "RS256", "kid": "unknown"}).encode())
        for forged in (f"{unknown}.{payload}.{signature}", "not.a.jwt", ""):
            with self.subTest(token=forged):
                self.assertRefused(forged)
