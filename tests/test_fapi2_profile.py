# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The FAPI 2.0 Security Profile switch of an application: the full flow
(PAR, private_key_jwt, PKCE S256, DPoP, userinfo) with oauth4webapi and
openid-client; every request the profile refuses, none of which leaves a
token; PAR binding the code to a DPoP key (RFC 9449 §10.1); the form's
onchange and the constraint."""

import json
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..oauth import dpop
from ..oauth.client_assertions import JWT_BEARER
from ..oauth.fapi2 import MAX_AUTHORIZATION_CODE_LIFETIME
from .common import (
    MODULE_ROOT,
    PREFIX,
    REDIRECT_URI,
    TOKEN_PATH,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    jwks_text,
    pem,
    public_jwk,
    run_node,
    s256,
)

PAR_PATH = PREFIX + "par"
USERINFO_PATH = PREFIX + "userinfo"
CLIENT_ID = "fapi-client"
CLIENTS = MODULE_ROOT / "tests" / "clients"


def spki(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def thumbprint(key):
    return dpop.thumbprint(public_jwk(key))


def make_proof(key, method, url, alg="ES256", access_token=None):
    """A DPoP proof of ``key`` for ``method`` at ``url``, with the ``ath``
    of ``access_token`` when given."""
    claims = {
        "jti": uuid.uuid4().hex,
        "htm": method,
        "htu": url,
        "iat": int(time.time()),
    }
    if access_token is not None:
        claims["ath"] = dpop.access_token_hash(access_token)
    headers = {"typ": "dpop+jwt", "jwk": public_jwk(key)}
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


@tagged("post_install", "-at_install")
class Fapi2Case(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_key = ec.generate_private_key(ec.SECP256R1())
        cls.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.dpop_key = ec.generate_private_key(ec.SECP256R1())
        cls.openid_scope = cls.env.ref("orestapi_oauth2.oauth2_scope_openid")
        cls.fapi_app = cls.env["oauth2.application"].create(
            {
                "name": "FAPI",
                "client_id": CLIENT_ID,
                "fapi2_profile": True,
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks": jwks_text(
                    public_jwk(cls.client_key, "ec-1"),
                    public_jwk(cls.rsa_key, "rsa-1"),
                ),
                "require_pushed_authorization_requests": True,
                "dpop_bound_access_tokens": True,
                "id_token_signed_response_alg": "ES256",
                "grant_authorization_code": True,
                "access_token_lifetime": 300,
                "redirect_uris": REDIRECT_URI,
                "scope_ids": [(6, 0, (cls.scope_read | cls.openid_scope).ids)],
            }
        )

    def setUp(self):
        super().setUp()
        # the issuer a FAPI client assertion's aud must be
        self.set_param("issuer_url", self.base_url())

    def url(self, path):
        return self.base_url() + path

    def dpop_token_request(self, data, key, auth=None, alg="ES256"):
        proof = make_proof(key, "POST", self.url(TOKEN_PATH), alg=alg)
        return self.http_request(
            "POST", TOKEN_PATH, data=data, headers={"DPoP": proof}, auth=auth
        )

    def client_assertion(self, aud=None, alg="ES256", key=None, kid="ec-1"):
        now = int(time.time())
        claims = {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": self.base_url() if aud is None else aud,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 60,
        }
        return jwt.encode(
            claims, key or self.client_key, algorithm=alg, headers={"kid": kid}
        )

    def assertion_data(self, **assertion):
        return {
            "client_id": CLIENT_ID,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self.client_assertion(**assertion),
        }

    def push_data(self, client_auth=None, **params):
        data = {
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid read",
            "state": "fapi-state",
            "code_challenge": s256(VERIFIER),
            "code_challenge_method": "S256",
            **(self.assertion_data() if client_auth is None else client_auth),
            **params,
        }
        return {name: value for name, value in data.items() if value is not None}

    def push(self, dpop_key=None, client_auth=None, auth=None, **params):
        """The PAR endpoint's answer to a code request with PKCE S256 of the
        FAPI client, pushed with ``params`` over the defaults (None leaves
        one out), authenticated by ``client_auth`` (a private_key_jwt
        assertion unless given), with a DPoP proof of ``dpop_key``."""
        data = self.push_data(client_auth, **params)
        headers = {}
        if dpop_key:
            headers["DPoP"] = make_proof(dpop_key, "POST", self.url(PAR_PATH))
        return self.http_request("POST", PAR_PATH, data, headers=headers, auth=auth)

    def code_of(self, request_uri):
        """The code the logged-in user's approval of the pushed request
        gives, with the parameters of the authorization response."""
        page = self.authorize(
            client_id=CLIENT_ID,
            request_uri=request_uri,
            response_type=None,
            redirect_uri=None,
            state=None,
        )
        if page.status_code == 200:
            # the consent page, the first time
            page = self.decide(page, "allow")
        return self.assertRedirectsTo(page)

    def pushed_code(self, dpop_key=None, **params):
        response = self.push(dpop_key=dpop_key, **params)
        request_uri = self.assertTokenAnswer(response, status=201)["request_uri"]
        return self.code_of(request_uri)["code"]

    def exchange_fapi(
        self, code, dpop_key=None, client_auth=None, auth=None, alg="ES256", **extra
    ):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
            **(self.assertion_data() if client_auth is None else client_auth),
            **extra,
        }
        data = {name: value for name, value in data.items() if value is not None}
        if dpop_key is None:
            return self.token_request(data, auth=auth)
        return self.dpop_token_request(data, dpop_key, auth=auth, alg=alg)

    def fapi_tokens(self):
        return self.env["oauth2.token"].search(
            [("application_id", "=", self.fapi_app.id)]
        )

    def assertNoToken(self):
        self.assertFalse(self.fapi_tokens())

    def pushed_requests(self):
        return self.env["oauth2.pushed.authorization.request"].search(
            [("application_id", "=", self.fapi_app.id)]
        )


class TestFapi2Flow(Fapi2Case):
    def run_client(self, script):
        """The full flow of the Node client ``script``: its push, the
        user's approval in the test's session, its exchange and userinfo."""
        options = {
            "issuer": self.base_url(),
            "client_id": CLIENT_ID,
            "client_key": {
                "alg": "ES256",
                "kid": "ec-1",
                "pem": pem(self.client_key).decode(),
            },
            "dpop_key": {
                "private": pem(self.dpop_key).decode(),
                "public": spki(self.dpop_key).decode(),
            },
            "redirect_uri": REDIRECT_URI,
            "state": "state-" + uuid.uuid4().hex,
        }
        self.env.flush_all()
        result = run_node(script, "push", json.dumps(options))
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        pushed = json.loads(result.stdout.strip().splitlines()[-1])
        # the push carried a proof: the pushed request binds the code to its key
        [parameters] = self.pushed_requests().mapped("parameters")
        self.assertIn(["dpop_jkt", thumbprint(self.dpop_key)], json.loads(parameters))
        page = self.opener.get(
            pushed["authorization_url"], allow_redirects=False, timeout=30
        )
        self.assertEqual(page.status_code, 200, page.text[:500])
        callback = self.decide(page, "allow").headers["Location"]
        # RFC 9207: the response names the issuer
        self.assertEqual(parse_qs(urlsplit(callback).query)["iss"], [self.base_url()])
        self.env.flush_all()
        options.update(callback_url=callback, code_verifier=pushed["code_verifier"])
        result = run_node(script, "exchange", json.dumps(options))
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        done = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(done["token_type"].lower(), "dpop")
        self.assertEqual(done["userinfo_sub"], done["sub"])
        self.assertEqual(done["id_token_alg"], "ES256")
        token = self.fapi_tokens()
        self.assertEqual(len(token), 1)
        self.assertEqual(token.dpop_jkt, thumbprint(self.dpop_key))
        # the token is the client's own, lifetime and all
        self.assertLessEqual(
            token.expires_at - fields.Datetime.now(), timedelta(seconds=300)
        )
        # stolen, it is useless as a Bearer token
        response = self.bearer_get(USERINFO_PATH, done["access_token"])
        self.assertEqual(response.status_code, 401, response.text)
        self.assertIn('error="invalid_token"', response.headers["WWW-Authenticate"])
        return pushed, done

    def bearer_get(self, path, token):
        return self.opener.get(
            self.url(path),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            allow_redirects=False,
        )

    def test_oauth4webapi(self):
        self.run_client(CLIENTS / "oauth4webapi_fapi2.mjs")

    def test_openid_client(self):
        self.run_client(CLIENTS / "openid_client_fapi2.mjs")

    def test_with_a_server_nonce(self):
        self.set_param("dpop_require_nonce", "1")
        pushed, done = self.run_client(CLIENTS / "oauth4webapi_fapi2.mjs")
        # each process's first proof, at the PAR and the token endpoint, had none
        self.assertEqual((pushed["nonce_retries"], done["nonce_retries"]), (1, 1))


class TestFapi2Refusals(Fapi2Case):
    def test_authorization_request_without_par(self):
        response = self.authorize(
            client_id=CLIENT_ID,
            scope="openid read",
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        answer = self.assertRedirectsTo(response)
        self.assertEqual(answer["error"], "invalid_request")
        # RFC 9207: errors name the issuer too
        self.assertEqual(answer["iss"], self.base_url())
        self.assertNotIn("code", answer)

    def test_par_without_redirect_uri(self):
        # its only registered redirect URI would do for another client
        body = self.assertOAuthError(self.push(redirect_uri=None), "invalid_request")
        self.assertIn("redirect_uri", body["error_description"])
        self.assertFalse(self.pushed_requests())

    def test_other_client_authentication_methods(self):
        self.fapi_app.client_secret = "a-secret-the-fapi-client-should-not-use-0123"
        secret = self.fapi_app.client_secret
        hmac_assertion = jwt.encode(
            {
                "iss": CLIENT_ID,
                "sub": CLIENT_ID,
                "aud": self.base_url(),
                "jti": uuid.uuid4().hex,
                "exp": int(time.time()) + 60,
            },
            "a-secret-the-fapi-client-should-not-use-0123",
            algorithm="HS256",
        )
        refusals = {
            "client_secret_basic": ({}, (CLIENT_ID, secret), 401),
            "client_secret_post": (
                {"client_id": CLIENT_ID, "client_secret": secret},
                None,
                400,
            ),
            "client_secret_jwt": (
                {
                    "client_id": CLIENT_ID,
                    "client_assertion_type": JWT_BEARER,
                    "client_assertion": hmac_assertion,
                },
                None,
                400,
            ),
            # FAPI 2.0 §5.4.1: not RS256
            "RS256": (
                self.assertion_data(alg="RS256", key=self.rsa_key, kid="rsa-1"),
                None,
                400,
            ),
            # §5.3.2.1: the issuer alone, as a string
            "aud the PAR endpoint": (
                self.assertion_data(aud=self.url(PAR_PATH)),
                None,
                400,
            ),
            "aud a list": (self.assertion_data(aud=[self.base_url()]), None, 400),
        }
        for name, (client_auth, auth, status) in refusals.items():
            with self.subTest(name):
                response = self.push(client_auth=client_auth, auth=auth)
                self.assertOAuthError(response, "invalid_client", status=status)
        self.assertFalse(self.pushed_requests())
        # and at the token endpoint
        code = self.pushed_code(dpop_key=self.dpop_key)
        response = self.exchange_fapi(
            code, self.dpop_key, client_auth={}, auth=(CLIENT_ID, secret)
        )
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertNoToken()

    def test_pkce_plain_or_none(self):
        for params in (
            {"code_challenge": VERIFIER, "code_challenge_method": "plain"},
            {"code_challenge": VERIFIER, "code_challenge_method": None},
            {"code_challenge": None, "code_challenge_method": None},
        ):
            with self.subTest(**params):
                self.assertOAuthError(self.push(**params), "invalid_request")
        self.assertFalse(self.pushed_requests())
        # a confidential client without a verifier at the token endpoint
        code = self.pushed_code(dpop_key=self.dpop_key)
        response = self.exchange_fapi(code, self.dpop_key, code_verifier=None)
        self.assertOAuthError(response, "invalid_request")
        self.assertNoToken()

    def test_implicit_and_hybrid_response_types(self):
        for response_type in ("token", "id_token", "code id_token", "code token"):
            with self.subTest(response_type):
                response = self.push(response_type=response_type, nonce="n-1")
                self.assertOAuthError(response, "unauthorized_client")
        self.assertFalse(self.pushed_requests())

    def test_password_grant(self):
        response = self.token_request(
            {
                "grant_type": "password",
                "username": self.user.login,
                "password": USER_PASSWORD,
                **self.assertion_data(),
            }
        )
        self.assertOAuthError(response, "unauthorized_client")
        self.assertNoToken()

    def test_token_request_without_dpop_proof(self):
        code = self.pushed_code()
        self.assertOAuthError(self.exchange_fapi(code), "invalid_request")
        self.assertNoToken()

    def test_dpop_proof_signed_with_rs256(self):
        # FAPI 2.0 §5.4.1: PS256 and not RS256, with the same RSA key
        headers = {
            "DPoP": make_proof(self.rsa_key, "POST", self.url(PAR_PATH), alg="RS256")
        }
        response = self.http_request(
            "POST", PAR_PATH, self.push_data(), headers=headers
        )
        self.assertOAuthError(response, "invalid_dpop_proof")
        self.assertFalse(self.pushed_requests())
        code = self.pushed_code()
        response = self.exchange_fapi(code, self.rsa_key, alg="RS256")
        body = self.assertOAuthError(response, "invalid_dpop_proof")
        self.assertIn("PS256", body["error_description"])
        self.assertNoToken()
        code = self.pushed_code()
        self.assertTokenAnswer(self.exchange_fapi(code, self.rsa_key, alg="PS256"))
        self.assertEqual(self.fapi_tokens().dpop_jkt, thumbprint(self.rsa_key))

    def test_dpop_proof_at_a_resource_signed_with_rs256(self):
        """§5.4.1 holds at the resources too: the token's key is the one
        bound, but its proof is signed with RS256."""
        code = self.pushed_code()
        answer = self.assertTokenAnswer(
            self.exchange_fapi(code, self.rsa_key, alg="PS256")
        )
        token = answer["access_token"]

        def userinfo(alg):
            proof = make_proof(
                self.rsa_key, "GET", self.url(USERINFO_PATH), alg, access_token=token
            )
            return self.opener.get(
                self.url(USERINFO_PATH),
                headers={"Authorization": f"DPoP {token}", "DPoP": proof},
                timeout=30,
                allow_redirects=False,
            )

        refused = userinfo("RS256")
        self.assertEqual(refused.status_code, 401, refused.text)
        self.assertEqual(refused.json()["error"], "invalid_dpop_proof")
        self.assertIn("PS256", refused.json()["error_description"])
        self.assertIn(
            'DPoP error="invalid_dpop_proof"', refused.headers["WWW-Authenticate"]
        )
        accepted = userinfo("PS256")
        self.assertEqual(accepted.status_code, 200, accepted.text)

    def test_code_lives_at_most_60_seconds(self):
        self.set_param("authorization_code_lifetime", "600")
        code = self.pushed_code(dpop_key=self.dpop_key)
        record = self.env["oauth2.authorization.code"].search(
            [("application_id", "=", self.fapi_app.id)]
        )
        lifetime = record.expires_at - record.create_date
        self.assertLessEqual(
            lifetime, timedelta(seconds=MAX_AUTHORIZATION_CODE_LIFETIME)
        )
        # 61 seconds later: what the global setting would still take
        record.expires_at -= timedelta(seconds=61)
        response = self.exchange_fapi(code, self.dpop_key)
        self.assertOAuthError(response, "invalid_grant")
        self.assertNoToken()
        # another application's codes keep the global lifetime
        self.app.write({"grant_authorization_code": True})
        self.get_code(code_challenge=s256(VERIFIER), code_challenge_method="S256")
        other = self.env["oauth2.authorization.code"].search(
            [("application_id", "=", self.app.id)]
        )
        self.assertGreater(other.expires_at - other.create_date, timedelta(seconds=590))


class TestFapi2PushedDpop(Fapi2Case):
    def test_proof_at_par_binds_the_code(self):
        code = self.pushed_code(dpop_key=self.dpop_key)
        other_key = ec.generate_private_key(ec.SECP256R1())
        response = self.exchange_fapi(code, other_key)
        self.assertOAuthError(response, "invalid_grant")
        self.assertNoToken()

    def test_dpop_jkt_must_be_the_proof_key(self):
        other_key = ec.generate_private_key(ec.SECP256R1())
        response = self.push(dpop_key=self.dpop_key, dpop_jkt=thumbprint(other_key))
        self.assertOAuthError(response, "invalid_dpop_proof")
        self.assertTrue(response.headers.get("DPoP-Nonce"))
        self.assertFalse(self.pushed_requests())
        # the same thumbprint is fine
        response = self.push(dpop_key=self.dpop_key, dpop_jkt=thumbprint(self.dpop_key))
        self.assertTokenAnswer(response, status=201)
        self.assertEqual(self.pushed_requests().parameters.count("dpop_jkt"), 1)

    def test_bad_proof_at_par(self):
        headers = {"DPoP": make_proof(self.dpop_key, "POST", self.url(TOKEN_PATH))}
        response = self.http_request(
            "POST", PAR_PATH, self.push_data(), headers=headers
        )
        self.assertOAuthError(response, "invalid_dpop_proof")
        self.assertFalse(self.pushed_requests())

    def test_other_clients_may_push_a_proof_too(self):
        # RFC 9449 §10.1 holds for every client, FAPI or not
        data = {
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "read",
            "code_challenge": s256(VERIFIER),
            "code_challenge_method": "S256",
        }
        headers = {"DPoP": make_proof(self.dpop_key, "POST", self.url(PAR_PATH))}
        response = self.http_request(
            "POST", PAR_PATH, data, headers=headers, auth=("integration", self.secret)
        )
        self.assertTokenAnswer(response, status=201)
        pushed = self.env["oauth2.pushed.authorization.request"].search(
            [("application_id", "=", self.app.id)]
        )
        self.assertIn(
            ["dpop_jkt", thumbprint(self.dpop_key)], json.loads(pushed.parameters)
        )


class TestFapi2Settings(Fapi2Case):
    def test_onchange_sets_the_profile(self):
        self.set_param("access_token_lifetime", "420")
        form = Form(self.env["oauth2.application"])
        form.name = "New FAPI client"
        form.client_type = "public"
        form.grant_implicit = True
        form.allow_pkce_plain = True
        form.jwks = jwks_text(public_jwk(self.client_key, "ec-1"))
        form.fapi2_profile = True
        self.assertEqual(form.client_type, "confidential")
        self.assertEqual(form.token_endpoint_auth_method, "private_key_jwt")
        self.assertTrue(form.require_pushed_authorization_requests)
        self.assertTrue(form.dpop_bound_access_tokens)
        self.assertEqual(form.id_token_signed_response_alg, "ES256")
        self.assertTrue(form.grant_authorization_code)
        self.assertFalse(form.grant_implicit)
        self.assertFalse(form.grant_password)
        self.assertFalse(form.allow_pkce_plain)
        self.assertEqual(form.refresh_token_policy, "reusable")
        self.assertEqual(form.access_token_lifetime, 420)
        app = form.save()
        self.assertTrue(app.fapi2_profile)

    def test_contradicting_settings_are_refused(self):
        changes = {
            "grant_implicit": (True, "Implicit: off"),
            "grant_password": (True, "Password: off"),
            "allow_pkce_plain": (True, "Allow PKCE plain: off"),
            "dpop_bound_access_tokens": (False, "Require DPoP: on"),
            "require_pushed_authorization_requests": (
                False,
                "Require Pushed Authorization Requests: on",
            ),
            "access_token_lifetime": (0, "Access token lifetime"),
            "token_endpoint_auth_method": (
                "client_secret_basic",
                "Token Endpoint Authentication: private_key_jwt",
            ),
            "token_endpoint_auth_signing_alg": ("RS256", "Client Assertion Algorithm"),
            "id_token_signed_response_alg": (
                "RS256",
                "ID Token Signing Algorithm: ES256",
            ),
        }
        for name, (value, named) in changes.items():
            with self.subTest(name), self.assertRaises(ValidationError) as caught:
                with self.env.cr.savepoint():
                    self.fapi_app.write({name: value})
            self.assertIn(named, str(caught.exception))
        self.assertTrue(self.fapi_app.fapi2_profile)

    def test_turning_the_profile_on_lists_every_change(self):
        with self.assertRaises(ValidationError) as caught:
            self.app.fapi2_profile = True
        message = str(caught.exception)
        for named in (
            "private_key_jwt",
            "Require Pushed Authorization Requests",
            "Require DPoP",
            "Implicit: off",
            "Password: off",
            "Access token lifetime",
            "ID Token Signing Algorithm: ES256",
        ):
            self.assertIn(named, message)
