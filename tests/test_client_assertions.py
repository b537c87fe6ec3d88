# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Client authentication with keys (RFC 7523 §2.2, OpenID Connect Core §9):
private_key_jwt and client_secret_jwt at the token, introspection,
revocation and device authorization endpoints, driven by Authlib's client;
each application held to its token_endpoint_auth_method; and every way an
assertion is refused, none of which leaves a token."""

import base64
import hashlib
import hmac
import json
import threading
import time
import unittest
import uuid

import jwt
from psycopg2.errors import SerializationFailure
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import (
    client_secret_jwt_sign,
    private_key_jwt_sign,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged

from ..models.oauth2_application_client import FETCHED_JWKS
from ..models.oauth2_jti import CLIENT_ASSERTION, jti_digest
from ..oauth import client_assertions
from ..oauth.client_assertions import JWT_BEARER
from ..oauth.request_objects import parse_jwks
from ..oauth.secrets import decrypt_secret as decrypt_with, encrypt_secret
from ..provider.configuration import decrypt_secret
from .common import (
    MODULE_ROOT,
    PREFIX,
    REDIRECT_URI,
    TOKEN_PATH,
    AuthorizationCase,
    answer_status,
    loopback_server,
    run_node,
)

INTROSPECT_PATH = PREFIX + "introspect"
REVOKE_PATH = PREFIX + "revoke"
DEVICE_PATH = PREFIX + "device_authorization"
SECRET_JWT_SECRET = "a-client-secret-jwt-secret-with-enough-characters"


def pem(private_key):
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwk(private_key, kid):
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm = jwt.algorithms.RSAAlgorithm
    elif isinstance(private_key, ec.EllipticCurvePrivateKey):
        algorithm = jwt.algorithms.ECAlgorithm
    else:
        algorithm = jwt.algorithms.OKPAlgorithm
    return {**json.loads(algorithm.to_jwk(private_key.public_key())), "kid": kid}


def jwks_text(*jwks):
    return json.dumps({"keys": list(jwks)})


class ShortLived:
    """Authlib's assertion, made to live a minute as oauth4webapi's do:
    Authlib signs for an hour unless told, which this server refuses."""

    def sign(self, auth, token_endpoint):
        sign = (
            private_key_jwt_sign
            if isinstance(self, PrivateKeyJWT)
            else client_secret_jwt_sign
        )
        return sign(
            auth.client_secret,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            claims=self.claims,
            header=self.headers,
            alg=self.alg,
            expires_in=60,
        )


class ShortLivedPrivateKeyJWT(ShortLived, PrivateKeyJWT):
    pass


class ShortLivedClientSecretJWT(ShortLived, ClientSecretJWT):
    pass


class TestAssertionChecks(unittest.TestCase):
    """oauth/client_assertions.py, on values alone: each check in order."""

    AUDIENCE = "https://op.example.com"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = ec.generate_private_key(ec.SECP256R1())
        cls.keys = parse_jwks(jwks_text(public_jwk(cls.key, "k")))

    def sign(self, algorithm="ES256", key=None, header=None, **claims):
        now = int(time.time())
        payload = {
            "iss": "c",
            "sub": "c",
            "aud": self.AUDIENCE,
            "exp": now + 60,
            "jti": "j",
            **claims,
        }
        # a claim given as ... is left out
        payload = {name: value for name, value in payload.items() if value != ...}
        return jwt.encode(
            payload, key or self.key, algorithm=algorithm, headers=header or {}
        )

    def verify(self, assertion, method="private_key_jwt", **options):
        return client_assertions.verify_assertion(
            assertion,
            options.pop("assertion_type", JWT_BEARER),
            method,
            "c",
            {self.AUDIENCE},
            client_keys=lambda refresh: self.keys,
            **options,
        )

    def assertRefused(self, assertion, words, **options):
        with self.assertRaises(client_assertions.InvalidClientAssertion) as refused:
            self.verify(assertion, **options)
        self.assertIn(words, str(refused.exception))

    def test_accepted(self):
        verified = self.verify(self.sign())
        self.assertEqual((verified.client_id, verified.jti), ("c", "j"))
        self.assertGreater(verified.exp, time.time() + 60)

    def test_each_check(self):
        now = int(time.time())
        self.assertRefused(self.sign(), "client_assertion_type", assertion_type=None)
        self.assertRefused("x" * 5000, "at most")
        self.assertRefused(self.sign(), "with EdDSA", required_algorithm="EdDSA")
        self.assertRefused(self.sign(aud="https://other.example.com"), "aud")
        self.assertRefused(self.sign(sub="d"), "iss and sub")
        self.assertRefused(self.sign(exp=...), "no exp")
        self.assertRefused(self.sign(exp="soon"), "not a number")
        self.assertRefused(self.sign(exp=now - 120), "expired")
        self.assertRefused(self.sign(exp=now + 900), "5 minutes")
        self.assertRefused(self.sign(iat=now + 600), "future")
        self.assertRefused(self.sign(nbf=now + 600), "not valid yet")
        self.assertRefused(self.sign(jti=...), "jti")
        self.assertRefused(self.sign(jti="j" * 256), "jti")
        other = ec.generate_private_key(ec.SECP256R1())
        self.assertRefused(self.sign(key=other), "signature")
        self.assertRefused(self.sign(key=other, header={"kid": "k2"}), "registered")

    def test_clock_skew_and_audience_lists(self):
        now = int(time.time())
        self.verify(self.sign(exp=now - 10))
        self.verify(self.sign(aud=["https://other.example.com", self.AUDIENCE]))

    def test_client_secret_jwt(self):
        secret = "s" * 43
        assertion = self.sign("HS256", key=secret)
        self.verify(assertion, method="client_secret_jwt", client_secret=secret)
        self.assertRefused(
            assertion, "HMAC", method="client_secret_jwt", client_secret=None
        )
        # never an HMAC for private_key_jwt, nor a signature for the secret
        self.assertRefused(assertion, "signed with one of")
        self.assertRefused(
            self.sign(), "signed with one of", method="client_secret_jwt"
        )

    def test_asserted_client_id(self):
        self.assertEqual(client_assertions.asserted_client_id(self.sign()), "c")
        self.assertEqual(
            client_assertions.asserted_client_id(self.sign(sub=..., iss="i")), "i"
        )
        self.assertIsNone(client_assertions.asserted_client_id("not a jwt"))

    def test_encrypted_secret(self):
        sealed = encrypt_secret("database secret", "7", "the secret")
        again = encrypt_secret("database secret", "7", "the secret")
        self.assertNotEqual(sealed, again, "a nonce of its own each time")
        self.assertEqual(decrypt_with("database secret", "7", sealed), "the secret")
        self.assertIsNone(decrypt_with("database secret", "8", sealed))
        self.assertIsNone(decrypt_with("another secret", "7", sealed))
        self.assertIsNone(decrypt_with("database secret", "7", sealed[:-4] + "AAAA"))
        self.assertIsNone(decrypt_with("database secret", "7", "not base64!"))


@tagged("post_install", "-at_install")
class ClientAssertionCase(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.ec = ec.generate_private_key(ec.SECP256R1())
        cls.ed = ed25519.Ed25519PrivateKey.generate()
        cls.stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.keys_app = cls.env["oauth2.application"].create(
            {
                "name": "Keys",
                "client_id": "keys-client",
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks": jwks_text(
                    public_jwk(cls.rsa, "rsa-1"),
                    public_jwk(cls.ec, "ec-1"),
                    public_jwk(cls.ed, "ed-1"),
                ),
                "grant_client_credentials": True,
                "grant_authorization_code": True,
                "redirect_uris": REDIRECT_URI,
                "user_id": cls.user.id,
                "scope_ids": [(6, 0, cls.scope_read.ids)],
            }
        )
        cls.other_keys_app = cls.env["oauth2.application"].create(
            {
                "name": "Other keys",
                "client_id": "other-keys-client",
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks": jwks_text(public_jwk(cls.stranger, "other-1")),
                "grant_client_credentials": True,
                "user_id": cls.user.id,
            }
        )
        cls.secret_jwt_app = cls.env["oauth2.application"].create(
            {
                "name": "HMAC",
                "client_id": "hmac-client",
                "token_endpoint_auth_method": "client_secret_jwt",
                "client_secret": SECRET_JWT_SECRET,
                "grant_client_credentials": True,
                "user_id": cls.user.id,
            }
        )

    def token_url(self):
        return self.base_url() + TOKEN_PATH

    def issuer_url(self):
        return self.env["ir.config_parameter"].sudo().get_param("web.base.url")

    def assertion(
        self,
        key=None,
        algorithm="RS256",
        kid="rsa-1",
        client_id="keys-client",
        omit=(),
        header=None,
        **claims,
    ):
        now = int(time.time())
        payload = {
            "iss": client_id,
            "sub": client_id,
            "aud": self.token_url(),
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        for name in omit:
            payload.pop(name)
        headers = {"kid": kid, **(header or {})} if kid else header
        return jwt.encode(
            payload, key or self.rsa, algorithm=algorithm, headers=headers
        )

    def with_assertion(self, path, assertion, data=None, auth=None, **extra):
        body = {
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion,
            **(data or {}),
            **extra,
        }
        return self.http_request("POST", path, data=body, auth=auth)

    def client_credentials(self, assertion, **extra):
        return self.with_assertion(
            TOKEN_PATH, assertion, {"grant_type": "client_credentials"}, **extra
        )

    def token_count(self, application=None):
        return self.env["oauth2.token"].search_count(
            [("application_id", "=", (application or self.keys_app).id)]
        )

    def assertRefused(self, response, application=None, tokens_before=None):
        # 401 only with a Basic challenge, for a client that sent Basic
        # credentials (oauth/responses.py token_answer)
        status = 401 if response.request.headers.get("Authorization") else 400
        body = self.assertOAuthError(response, "invalid_client", status)
        if tokens_before is not None:
            self.assertEqual(self.token_count(application), tokens_before)
        return body

    def authlib_session(self, client_id, key, method):
        return OAuth2Session(
            client_id, key, token_endpoint_auth_method=method, scope="read"
        )


class TestPrivateKeyJwt(ClientAssertionCase):
    def test_authlib_client_credentials_with_each_algorithm(self):
        for algorithm, key in (
            ("RS256", self.rsa),
            ("PS256", self.rsa),
            ("ES256", self.ec),
            ("EdDSA", self.ed),
        ):
            with self.subTest(algorithm=algorithm):
                session = self.authlib_session(
                    "keys-client",
                    pem(key),
                    ShortLivedPrivateKeyJWT(self.token_url(), alg=algorithm),
                )
                token = session.fetch_token(
                    self.token_url(), grant_type="client_credentials"
                )
                self.assertEqual(token["token_type"], "Bearer")
                record = self.env["oauth2.token"]._find_by_token(
                    token["access_token"], "access_token"
                )
                self.assertEqual(record.application_id, self.keys_app)

    def test_authlib_code_grant(self):
        code = self.get_code(client_id="keys-client", scope="read")
        session = self.authlib_session(
            "keys-client", pem(self.ec), ShortLivedPrivateKeyJWT(alg="ES256")
        )
        token = session.fetch_token(
            self.token_url(), code=code, redirect_uri=REDIRECT_URI
        )
        self.assertTrue(token["access_token"])
        self.assertEqual(token["scope"], "read")

    def test_authlib_default_hour_long_assertion_is_refused(self):
        before = self.token_count()
        session = self.authlib_session(
            "keys-client", pem(self.rsa), PrivateKeyJWT(self.token_url())
        )
        with self.assertRaises(OAuthError) as refused:
            session.fetch_token(self.token_url(), grant_type="client_credentials")
        self.assertEqual(refused.exception.error, "invalid_client")
        self.assertIn("5 minutes", refused.exception.description)
        self.assertEqual(self.token_count(), before)

    def test_audiences(self):
        for audience in (
            self.issuer_url(),
            self.token_url(),
            [self.issuer_url(), "https://elsewhere.example.com"],
        ):
            with self.subTest(audience=audience):
                response = self.client_credentials(self.assertion(aud=audience))
                self.assertTokenAnswer(response)
        # the URL of another endpoint than the one called
        response = self.client_credentials(
            self.assertion(aud=self.base_url() + INTROSPECT_PATH)
        )
        self.assertRefused(response)

    def test_client_id_in_the_body(self):
        self.assertTokenAnswer(
            self.client_credentials(self.assertion(), client_id="keys-client")
        )
        before = self.token_count()
        self.assertRefused(
            self.client_credentials(self.assertion(), client_id="other-keys-client"),
            tokens_before=before,
        )

    def test_introspection_revocation_and_device_authorization(self):
        token = self.assertTokenAnswer(self.client_credentials(self.assertion()))
        access_token = token["access_token"]
        # the endpoint's own URL, and the token endpoint's, are both audiences
        for audience in (self.base_url() + INTROSPECT_PATH, self.token_url()):
            with self.subTest(audience=audience):
                answer = self.assertTokenAnswer(
                    self.with_assertion(
                        INTROSPECT_PATH,
                        self.assertion(aud=audience),
                        {"token": access_token},
                    )
                )
                self.assertTrue(answer["active"])
                self.assertEqual(answer["client_id"], "keys-client")
        refused = self.with_assertion(
            INTROSPECT_PATH,
            self.assertion(key=self.stranger, kid="other-1"),
            {"token": access_token},
        )
        self.assertRefused(refused)
        revoked = self.with_assertion(
            REVOKE_PATH,
            self.assertion(aud=self.base_url() + REVOKE_PATH),
            {"token": access_token},
        )
        self.assertEqual(revoked.status_code, 200, revoked.text)
        record = self.env["oauth2.token"]._find_by_token(access_token, "access_token")
        self.assertTrue(record.revoked)
        self.keys_app.grant_device_code = True
        device = self.assertTokenAnswer(
            self.with_assertion(
                DEVICE_PATH,
                self.assertion(aud=self.base_url() + DEVICE_PATH),
                {"scope": "read"},
            )
        )
        self.assertTrue(device["device_code"])

    def test_key_rotation_at_the_jwks_uri(self):
        self.allow_loopback_calls()
        published = [public_jwk(self.rsa, "rsa-1")]

        def answer(handler):
            answer_status(
                200,
                jwks_text(*published).encode(),
                [("Content-Type", "application/json")],
            )(handler)

        server = loopback_server(self, answer)
        self.keys_app.write({"jwks": False, "jwks_uri": server.url})
        FETCHED_JWKS.clear()
        self.addCleanup(FETCHED_JWKS.clear)
        self.assertTokenAnswer(self.client_credentials(self.assertion()))
        self.assertTokenAnswer(self.client_credentials(self.assertion()))
        self.assertEqual(len(server.requests), 1, "the keys are kept")
        new_key = ec.generate_private_key(ec.SECP256R1())
        published.append(public_jwk(new_key, "ec-2"))
        # an unknown kid fetches the keys again, at most every half minute:
        # here, as if that long had passed
        FETCHED_JWKS.clear()
        token = self.assertion(key=new_key, algorithm="ES256", kid="ec-2")
        self.assertTokenAnswer(self.client_credentials(token))
        self.assertEqual(len(server.requests), 2)
        # a kid published nowhere is not fetched for again within the half
        # minute: requests cannot make this server call the client's host
        unknown = self.assertion(
            key=ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", kid="ec-3"
        )
        self.assertRefused(self.client_credentials(unknown))
        self.assertEqual(len(server.requests), 2)


class TestOauth4webapi(ClientAssertionCase):
    """oauth4webapi's PrivateKeyJwt and ClientSecretJwt at the token,
    introspection and revocation endpoints: its assertions name the issuer
    as their audience, and an Ed25519 key's algorithm Ed25519 (RFC 9864)."""

    def test_oauth4webapi(self):
        self.set_param("issuer_url", self.base_url())
        keys = [
            {"alg": "RS256", "kid": "rsa-1", "pem": pem(self.rsa).decode()},
            {"alg": "PS256", "kid": "rsa-1", "pem": pem(self.rsa).decode()},
            {"alg": "ES256", "kid": "ec-1", "pem": pem(self.ec).decode()},
            {"alg": "Ed25519", "kid": "ed-1", "pem": pem(self.ed).decode()},
        ]
        self.env.flush_all()
        result = run_node(
            MODULE_ROOT / "tests" / "clients" / "oauth4webapi_private_key_jwt.mjs",
            self.base_url(),
            "keys-client",
            json.dumps(keys),
            "hmac-client",
            SECRET_JWT_SECRET,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        steps = json.loads(result.stdout.strip().splitlines()[-1])
        for algorithm in ("RS256", "PS256", "ES256", "Ed25519"):
            self.assertEqual(
                steps["signed"][algorithm], {"token_type": "bearer", "scope": "read"}
            )
        self.assertEqual(
            steps["introspection"], {"active": True, "client_id": "keys-client"}
        )
        self.assertEqual(steps["after_revocation"], {"active": False})
        self.assertEqual(steps["client_secret_jwt"], {"token_type": "bearer"})


class TestClientSecretJwt(ClientAssertionCase):
    def test_authlib_client_secret_jwt(self):
        session = self.authlib_session(
            "hmac-client",
            SECRET_JWT_SECRET,
            ShortLivedClientSecretJWT(self.token_url()),
        )
        token = session.fetch_token(self.token_url(), grant_type="client_credentials")
        self.assertTrue(token["access_token"])

    def test_secret_is_kept_encrypted_only_for_client_secret_jwt(self):
        app = self.secret_jwt_app.sudo()
        stored = app.client_secret_encrypted
        self.assertTrue(stored)
        self.assertNotIn(SECRET_JWT_SECRET, stored)
        self.assertNotIn(
            base64.b64encode(SECRET_JWT_SECRET.encode()).decode(), stored
        )
        self.assertFalse(self.app.sudo().client_secret_encrypted)
        # sealed for its application: another's row cannot borrow it
        self.assertEqual(
            decrypt_secret(self.env, str(app.id), stored), SECRET_JWT_SECRET
        )
        self.assertIsNone(decrypt_secret(self.env, str(self.app.id), stored))
        app.token_endpoint_auth_method = "client_secret_post"
        self.assertFalse(app.client_secret_encrypted, "forgotten with its method")
        # back to client_secret_jwt: a new secret must be generated first
        app.token_endpoint_auth_method = "client_secret_jwt"
        assertion = self.assertion(
            key=SECRET_JWT_SECRET, algorithm="HS256", kid=None, client_id="hmac-client"
        )
        body = self.assertRefused(self.client_credentials(assertion))
        self.assertIn("generate a new one", body["error_description"])

    def test_wrong_secret(self):
        before = self.token_count(self.secret_jwt_app)
        assertion = self.assertion(
            key="another-secret-of-enough-characters-to-sign-with",
            algorithm="HS256",
            kid=None,
            client_id="hmac-client",
        )
        self.assertRefused(
            self.client_credentials(assertion), self.secret_jwt_app, before
        )

    def test_hmac_keyed_with_the_public_key(self):
        """Algorithm confusion: HS256 keyed with the client's public key,
        which anyone can read, for a private_key_jwt client."""
        public_pem = self.rsa.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )

        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        now = int(time.time())
        header = b64(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
        payload = b64(
            json.dumps(
                {
                    "iss": "keys-client",
                    "sub": "keys-client",
                    "aud": self.token_url(),
                    "exp": now + 60,
                    "jti": uuid.uuid4().hex,
                }
            ).encode()
        )
        signing_input = f"{header}.{payload}"
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256)
        before = self.token_count()
        self.assertRefused(
            self.client_credentials(f"{signing_input}.{b64(signature.digest())}"),
            tokens_before=before,
        )


class TestAssertionAttacks(ClientAssertionCase):
    def test_replayed_assertion(self):
        assertion = self.assertion()
        self.assertTokenAnswer(self.client_credentials(assertion))
        before = self.token_count()
        body = self.assertRefused(self.client_credentials(assertion), None, before)
        self.assertIn("used before", body["error_description"])

    def test_refused_assertions(self):
        now = int(time.time())
        cases = {
            "wrong aud": self.assertion(aud="https://elsewhere.example.com"),
            "expired": self.assertion(iat=now - 600, exp=now - 300),
            "no exp": self.assertion(omit=("exp",)),
            "too long lived": self.assertion(exp=now + 3600),
            "no jti": self.assertion(omit=("jti",)),
            "iss is not sub": self.assertion(iss="other-keys-client"),
            "unregistered key": self.assertion(key=self.stranger, kid=None),
            "another client's key": self.assertion(key=self.stranger, kid="other-1"),
            "key of another kid": self.assertion(kid="ec-1"),
            "alg none": jwt.encode(
                {
                    "iss": "keys-client",
                    "sub": "keys-client",
                    "aud": self.token_url(),
                    "exp": now + 60,
                    "jti": "x",
                },
                None,
                algorithm="none",
            ),
            "not a JWT": "not-a-jwt",
            "oversized": self.assertion(padding="x" * 5000),
        }
        for name, assertion in cases.items():
            with self.subTest(name):
                # each failure counts towards the throttle, which would
                # answer 429 before the end
                self.env["oauth2.client.auth.failure"].search([]).unlink()
                before = self.token_count()
                self.assertRefused(self.client_credentials(assertion), None, before)

    def test_wrong_assertion_type(self):
        before = self.token_count()
        response = self.http_request(
            "POST",
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:example:saml",
                "client_assertion": self.assertion(),
            },
        )
        self.assertRefused(response, tokens_before=before)

    def test_registered_algorithm_only(self):
        self.keys_app.token_endpoint_auth_signing_alg = "ES256"
        before = self.token_count()
        body = self.assertRefused(
            self.client_credentials(self.assertion()), tokens_before=before
        )
        self.assertIn("ES256", body["error_description"])
        self.assertTokenAnswer(
            self.client_credentials(
                self.assertion(key=self.ec, algorithm="ES256", kid="ec-1")
            )
        )

    def test_each_client_its_own_method(self):
        # an assertion for a client registered for its secret
        before = self.token_count(self.app)
        assertion = self.assertion(
            key=self.secret, algorithm="HS256", kid=None, client_id="integration"
        )
        self.assertRefused(self.client_credentials(assertion), self.app, before)
        # the secret of a client registered for private_key_jwt
        self.keys_app.client_secret = "a-secret-the-keys-client-also-holds-0123"
        before = self.token_count()
        data = {"grant_type": "client_credentials"}
        self.assertRefused(
            self.token_request(
                data, auth=("keys-client", "a-secret-the-keys-client-also-holds-0123")
            ),
            tokens_before=before,
        )
        self.assertRefused(
            self.token_request(
                dict(
                    data,
                    client_id="keys-client",
                    client_secret="a-secret-the-keys-client-also-holds-0123",
                )
            ),
            tokens_before=before,
        )
        # client_secret_basic and client_secret_post stand for each other
        self.assertEqual(self.app.token_endpoint_auth_method, "client_secret_basic")
        self.assertTokenAnswer(
            self.token_request(
                dict(data, client_id="integration", client_secret=self.secret)
            )
        )

    def test_assertion_with_another_method(self):
        before = self.token_count()
        self.assertRefused(
            self.client_credentials(
                self.assertion(), auth=("keys-client", "whatever-secret")
            ),
            tokens_before=before,
        )
        self.assertRefused(
            self.client_credentials(self.assertion(), client_secret="anything"),
            tokens_before=before,
        )

    def test_failures_count_towards_the_throttle(self):
        failures = self.env["oauth2.client.auth.failure"]
        before = failures.search_count([("client_id", "=", "keys-client")])
        self.assertRefused(self.client_credentials(self.assertion(kid="ec-1")))
        after = failures.search_count([("client_id", "=", "keys-client")])
        self.assertEqual(after, before + 1)

    def test_one_assertion_sent_twice_at_once(self):
        assertion = self.assertion()
        statuses = []

        def send():
            statuses.append(self.client_credentials(assertion).status_code)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(statuses), [200, 400])

    def test_basic_challenge_not_for_an_assertion(self):
        response = self.client_credentials(self.assertion(kid="ec-1"))
        self.assertRefused(response)
        self.assertNotIn("WWW-Authenticate", response.headers)


class TestReplayStoreAcrossTransactions(ClientAssertionCase):
    """Two transactions, on two connections, record one jti at once: the
    second waits for the first and loses once it commits."""

    def test_only_the_first_transaction_wins(self):
        registry = self.env.registry
        jti = uuid.uuid4().hex
        expires = time.time() + 60
        outcomes = {}

        def use_once(cursor):
            env = api.Environment(cursor, SUPERUSER_ID, {})
            return env["oauth2.jti"]._use_once(
                CLIENT_ASSERTION, "keys-client", jti, expires
            )

        def record(name, cursor):
            try:
                outcomes[name] = use_once(cursor)
            except SerializationFailure:
                # what Odoo does with the request: retry it
                cursor.rollback()
                outcomes[f"{name} retried"] = use_once(cursor)

        db = registry.db_name
        first = db_connect(db).cursor()
        second = db_connect(db).cursor()
        try:
            record("first", first)
            waiting = threading.Thread(target=record, args=("second", second))
            waiting.start()
            waiting.join(1)
            self.assertTrue(waiting.is_alive(), "the second waits for the first")
            first.commit()
            waiting.join(10)
            second.rollback()
            self.assertEqual(outcomes, {"first": True, "second retried": False})
        finally:
            first.execute(
                "DELETE FROM oauth2_jti WHERE digest = %s",
                (jti_digest(CLIENT_ASSERTION, "keys-client", jti),),
            )
            first.commit()
            first.close()
            second.close()


class TestDiscoveryAndRegistration(ClientAssertionCase):
    def test_metadata_lists_the_methods_and_algorithms(self):
        metadata = self.http_request(
            "GET", "/.well-known/oauth-authorization-server"
        ).json()
        for endpoint in ("token", "introspection", "revocation"):
            with self.subTest(endpoint=endpoint):
                methods = metadata[f"{endpoint}_endpoint_auth_methods_supported"]
                self.assertIn("private_key_jwt", methods)
                self.assertIn("client_secret_jwt", methods)
                self.assertEqual(
                    metadata[f"{endpoint}_endpoint_auth_signing_alg_values_supported"],
                    ["RS256", "PS256", "ES256", "EdDSA", "Ed25519", "HS256"],
                )

    def test_dynamic_registration_of_a_private_key_jwt_client(self):
        self.set_param("client_registration", "open")
        self.set_param("client_registration_max_per_hour", 1000)
        metadata = {
            "client_name": "Keys by registration",
            "redirect_uris": ["http://127.0.0.1:8765/callback"],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "ES256",
            "jwks": {"keys": [public_jwk(self.ec, "ec-1")]},
        }
        response = self.http_request(
            "POST",
            PREFIX + "register",
            data=json.dumps(metadata),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 201, response.text)
        answer = response.json()
        self.assertNotIn("client_secret", answer)
        self.assertEqual(answer["token_endpoint_auth_method"], "private_key_jwt")
        self.assertEqual(answer["token_endpoint_auth_signing_alg"], "ES256")
        self.assertEqual(answer["jwks"], metadata["jwks"])
        app = self.env["oauth2.application"].search(
            [("client_id", "=", answer["client_id"])]
        )
        self.assertFalse(app.has_client_secret)
        # no secret was issued: it cannot turn to one by an update (RFC 7592)
        update = dict(
            metadata,
            client_id=answer["client_id"],
            token_endpoint_auth_method="client_secret_basic",
        )
        del update["token_endpoint_auth_signing_alg"]
        response = self.opener.put(
            answer["registration_client_uri"],
            data=json.dumps(update),
            headers={
                "Authorization": f"Bearer {answer['registration_access_token']}",
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("register a new client", response.json()["error_description"])
        for refused in (
            dict(metadata, jwks=None),
            dict(metadata, token_endpoint_auth_signing_alg="HS256"),
            dict(metadata, jwks_uri="https://client.example.com/jwks"),
        ):
            refused = {k: v for k, v in refused.items() if v is not None}
            with self.subTest(refused=refused):
                response = self.http_request(
                    "POST",
                    PREFIX + "register",
                    data=json.dumps(refused),
                    headers={"Content-Type": "application/json"},
                )
                self.assertEqual(response.status_code, 400, response.text)
                self.assertEqual(response.json()["error"], "invalid_client_metadata")
