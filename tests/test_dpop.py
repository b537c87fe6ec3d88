# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""DPoP (RFC 9449): proofs at the token endpoint binding the tokens to a
key, the bound tokens at the resources, server nonces, and the attacks a
proof must stop."""

import base64
import hashlib
import http.client
import json
import time
import uuid
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from odoo.tests import TransactionCase, tagged

from ..oauth import dpop
from ..oauth.constants import DPOP_REQUIRE_NONCE_PARAM, TOKEN_EXCHANGE
from ..provider.checks import check_dpop_binding
from ..provider.server import oauth2_server
from .common import (
    MODULE_ROOT,
    PREFIX,
    REDIRECT_URI,
    TOKEN_PATH,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    EndpointCase,
    basic_auth,
    ec_key,
    public_jwk,
    run_node,
    s256,
)

USERINFO_PATH = PREFIX + "userinfo"
TOKENINFO_PATH = PREFIX + "tokeninfo"
WHOAMI_PATH = "/orestapi_oauth2_test/whoami"


def server_validator():
    return oauth2_server().auth_grant.request_validator


def thumbprint(key):
    return dpop.thumbprint(public_jwk(key))


def make_proof(
    key,
    method,
    url,
    access_token=None,
    nonce=None,
    issued_at=None,
    jti=None,
    alg="ES256",
    typ="dpop+jwt",
    jwk=None,
    signing_key=None,
):
    claims = {
        "jti": jti or uuid.uuid4().hex,
        "htm": method,
        "htu": url,
        "iat": int(time.time()) if issued_at is None else issued_at,
    }
    if access_token is not None:
        digest = hashlib.sha256(access_token.encode()).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    if nonce:
        claims["nonce"] = nonce
    headers = {"typ": typ, "jwk": jwk or public_jwk(key)}
    return jwt.encode(claims, signing_key or key, algorithm=alg, headers=headers)


class DpopMixin:
    def url(self, path):
        return self.base_url() + path

    def dpop_token_request(self, data, key, auth=None, proof=None):
        proof = proof or make_proof(key, "POST", self.url(TOKEN_PATH))
        return self.http_request(
            "POST", TOKEN_PATH, data=data, headers={"DPoP": proof}, auth=auth
        )

    def client_credentials(self, key, proof=None):
        return self.dpop_token_request(
            {"grant_type": "client_credentials", "scope": "read"},
            key,
            auth=("integration", self.secret),
            proof=proof,
        )

    def dpop_get(self, path, token, key, proof=None, method="GET", data=None):
        proof = proof or make_proof(key, method, self.url(path), access_token=token)
        return self.opener.request(
            method,
            self.url(path),
            data=data,
            headers={"Authorization": f"DPoP {token}", "DPoP": proof},
            timeout=30,
            allow_redirects=False,
        )

    def two_proofs_request(self, path, proofs, body):
        """A POST with two DPoP headers, which requests cannot send."""
        connection = http.client.HTTPConnection(urlsplit(self.base_url()).netloc)
        self.addCleanup(connection.close)
        connection.putrequest("POST", path)
        for proof in proofs:
            connection.putheader("DPoP", proof)
        connection.putheader("Authorization", basic_auth("integration", self.secret))
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body.encode())
        return connection.getresponse()

    def assertDpopRefused(self, response, error, status=401):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.json()["error"], error)
        challenges = response.headers["WWW-Authenticate"]
        self.assertIn(f'DPoP error="{error}"', challenges)
        self.assertIn('algs="ES256 PS256 RS256 EdDSA"', challenges)
        self.assertTrue(response.headers.get("DPoP-Nonce"))


@tagged("post_install", "-at_install")
class TestDpopTokenEndpoint(DpopMixin, EndpointCase):
    def test_client_credentials_bound_to_the_proof_key(self):
        key = ec_key()
        answer = self.assertJson(self.client_credentials(key))
        self.assertEqual(answer["token_type"], "DPoP")
        record = self.env["oauth2.token"]._find_by_token(answer["access_token"])
        self.assertEqual(record.dpop_jkt, thumbprint(key))
        # introspection tells a resource server the key (§6.2)
        introspected = self.assertJson(
            self.call(
                "POST",
                "introspect",
                data={"token": answer["access_token"]},
                auth=self.integration,
            )
        )
        self.assertEqual(introspected["token_type"], "DPoP")
        self.assertEqual(introspected["cnf"], {"jkt": thumbprint(key)})
        # the bound token works with a proof of its key, at Odoo's routes,
        # userinfo (GET and POST) and tokeninfo
        token = answer["access_token"]
        whoami = self.dpop_get(WHOAMI_PATH, token, key)
        self.assertEqual(whoami.status_code, 200, whoami.text)
        self.assertEqual(whoami.json()["application"], "integration")
        for method in ("GET", "POST"):
            with self.subTest(method=method):
                userinfo = self.dpop_get(USERINFO_PATH, token, key, method=method)
                self.assertEqual(userinfo.status_code, 200, userinfo.text)
        tokeninfo = self.dpop_get(TOKENINFO_PATH, token, key)
        self.assertEqual(tokeninfo.status_code, 200, tokeninfo.text)

    def test_jwt_access_token_confirms_the_key(self):
        self.app.access_token_format = "jwt"
        key = ec_key()
        answer = self.assertJson(self.client_credentials(key))
        claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
        self.assertEqual(claims["cnf"], {"jkt": thumbprint(key)})
        whoami = self.dpop_get(WHOAMI_PATH, answer["access_token"], key)
        self.assertEqual(whoami.status_code, 200, whoami.text)

    def test_other_algorithms(self):
        for alg, key in (
            ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            ("PS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
        ):
            with self.subTest(alg=alg):
                proof = make_proof(key, "POST", self.url(TOKEN_PATH), alg=alg)
                answer = self.assertJson(self.client_credentials(key, proof=proof))
                self.assertEqual(answer["token_type"], "DPoP")
                token = answer["access_token"]
                proof = make_proof(
                    key, "GET", self.url(WHOAMI_PATH), access_token=token, alg=alg
                )
                whoami = self.dpop_get(WHOAMI_PATH, token, key, proof=proof)
                self.assertEqual(whoami.status_code, 200, whoami.text)

    def test_proof_for_the_issuer_url_behind_a_proxy(self):
        """A proxy that does not pass the host on: the proof names the URL
        the client knows, under the Issuer URL."""
        self.set_param("issuer_url", "https://sso.example.com")
        key = ec_key()
        proof = make_proof(
            key, "POST", "https://SSO.example.com:443" + TOKEN_PATH + "?ignored=1"
        )
        self.assertEqual(
            self.assertJson(self.client_credentials(key, proof=proof))["token_type"],
            "DPoP",
        )
        proof = make_proof(key, "POST", "https://evil.example.com" + TOKEN_PATH)
        self.assertOAuthError(
            self.client_credentials(key, proof=proof), "invalid_dpop_proof"
        )

    def test_proof_for_the_host_the_request_names_is_refused(self):
        """RFC 9449 §11.1: the Host header is the sender's to choose, so a
        proof made for another server is not accepted by naming that server
        in it; only the configured URLs count."""
        proof = make_proof(ec_key(), "POST", "http://evil.example" + TOKEN_PATH)
        response = self.http_request(
            "POST",
            TOKEN_PATH,
            data={"grant_type": "client_credentials", "scope": "read"},
            headers={"DPoP": proof, "Host": "evil.example"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_dpop_proof")
        self.assertFalse(self.env["oauth2.token"].search([("dpop_jkt", "!=", False)]))

    def test_malformed_proofs_are_refused_at_the_token_endpoint(self):
        key = ec_key()
        url = self.url(TOKEN_PATH)
        invalid_proofs = {
            "jwk not a P-256 point": make_proof(
                key,
                "POST",
                url,
                jwk={"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
            ),
            "jwk without y": make_proof(
                key, "POST", url, jwk={"kty": "EC", "crv": "P-256", "x": "AAAA"}
            ),
            "jwk members not strings": make_proof(
                key, "POST", url, jwk={"kty": "EC", "crv": "P-256", "x": 1, "y": 2}
            ),
            "non-ASCII nonce": make_proof(key, "POST", url, nonce="\u00e9"),
            "huge iat": make_proof(key, "POST", url, issued_at=10**400),
            "infinite iat": make_proof(key, "POST", url, issued_at=float("inf")),
            "htu not a URL": make_proof(key, "POST", "http://[::1" + TOKEN_PATH),
        }
        for name, proof in invalid_proofs.items():
            with self.subTest(name):
                response = self.client_credentials(key, proof=proof)
                self.assertEqual(response.status_code, 400, response.text[:300])
                self.assertIn(
                    response.json()["error"], ("invalid_dpop_proof", "use_dpop_nonce")
                )
        self.assertFalse(self.env["oauth2.token"].search([("dpop_jkt", "!=", False)]))

    def test_dpop_required_application_gets_no_token_from_the_front_channel(self):
        self.app.write({"dpop_bound_access_tokens": True, "grant_implicit": True})
        self.assertTrue(self.app._allows_response_type("token"))
        validator = server_validator()
        self.assertFalse(
            validator.validate_response_type("integration", "token", self.app, None)
        )
        self.assertTrue(
            validator.validate_response_type("integration", "code", self.app, None)
        )

    def test_token_exchange_checks_the_binding_as_every_grant(self):
        registered = oauth2_server().grant_types[TOKEN_EXCHANGE]
        self.assertIn(check_dpop_binding, registered.custom_validators.post_token)

    def test_metadata_names_the_algorithms(self):
        for path in (
            "/.well-known/oauth-authorization-server",
            "/.well-known/oauth-protected-resource",
        ):
            with self.subTest(path):
                document = self.opener.get(self.url(path), timeout=30).json()
                self.assertEqual(
                    document["dpop_signing_alg_values_supported"],
                    ["ES256", "PS256", "RS256", "EdDSA"],
                )

    def test_without_proof_a_bearer_token_as_before(self):
        answer = self.password_pair()
        self.assertEqual(answer["token_type"], "Bearer")
        self.assertNotIn("DPoP-Nonce", self.refresh(answer["refresh_token"]).headers)

    def test_application_requiring_dpop_refuses_a_request_without_proof(self):
        self.app.dpop_bound_access_tokens = True
        refused = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            auth=self.integration,
        )
        self.assertOAuthError(refused, "invalid_request")
        self.assertFalse(
            self.env["oauth2.token"].search([("application_id", "=", self.app.id)])
        )
        self.assertEqual(
            self.assertJson(self.client_credentials(ec_key()))["token_type"], "DPoP"
        )

    def test_nonce_required(self):
        self.env["ir.config_parameter"].sudo().set_param(DPOP_REQUIRE_NONCE_PARAM, "1")
        key = ec_key()
        refused = self.client_credentials(key)
        self.assertOAuthError(refused, "use_dpop_nonce")
        nonce = refused.headers["DPoP-Nonce"]
        proof = make_proof(key, "POST", self.url(TOKEN_PATH), nonce=nonce)
        answer = self.client_credentials(key, proof=proof)
        self.assertEqual(self.assertJson(answer)["token_type"], "DPoP")
        self.assertTrue(answer.headers["DPoP-Nonce"])
        token = answer.json()["access_token"]
        # at a resource: 401 with the nonce, then accepted with it
        refused = self.dpop_get(WHOAMI_PATH, token, key)
        self.assertDpopRefused(refused, "use_dpop_nonce")
        proof = make_proof(
            key,
            "GET",
            self.url(WHOAMI_PATH),
            access_token=token,
            nonce=refused.headers["DPoP-Nonce"],
        )
        whoami = self.dpop_get(WHOAMI_PATH, token, key, proof=proof)
        self.assertEqual(whoami.status_code, 200, whoami.text)
        # a nonce the server never gave
        proof = make_proof(key, "POST", self.url(TOKEN_PATH), nonce="made-up")
        self.assertOAuthError(
            self.client_credentials(key, proof=proof), "use_dpop_nonce"
        )

    def test_refresh_of_a_confidential_client_binds_to_the_new_key(self):
        first, second = ec_key(), ec_key()
        data = {
            "grant_type": "password",
            "username": self.user.login,
            "password": USER_PASSWORD,
        }
        pair = self.assertJson(
            self.dpop_token_request(data, first, auth=self.integration)
        )
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": pair["refresh_token"],
        }
        refreshed = self.assertJson(
            self.dpop_token_request(refresh, second, auth=self.integration)
        )
        record = self.env["oauth2.token"]._find_by_token(refreshed["access_token"])
        self.assertEqual(record.dpop_jkt, thumbprint(second))

    def test_forged_proofs_are_refused_at_the_token_endpoint(self):
        key = ec_key()
        url = self.url(TOKEN_PATH)
        private_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))
        replayed = make_proof(key, "POST", url)
        self.assertJson(self.client_credentials(key, proof=replayed))
        cases = {
            "replayed": replayed,
            "another URL": make_proof(key, "POST", self.url(PREFIX + "revoke")),
            "another method": make_proof(key, "GET", url),
            "signed by another key than its jwk": make_proof(
                key, "POST", url, jwk=public_jwk(ec_key())
            ),
            "too old": make_proof(key, "POST", url, issued_at=int(time.time()) - 600),
            "in the future": make_proof(
                key, "POST", url, issued_at=int(time.time()) + 600
            ),
            "typ JWT": make_proof(key, "POST", url, typ="JWT"),
            "HS256": make_proof(
                key,
                "POST",
                url,
                alg="HS256",
                signing_key="a-shared-secret-that-is-long-enough-for-hs256",
            ),
            "alg none": jwt.encode(
                {"jti": "x", "htm": "POST", "htu": url, "iat": int(time.time())},
                None,
                algorithm="none",
                headers={"typ": "dpop+jwt", "jwk": public_jwk(key)},
            ),
            "jwk with its private part": make_proof(key, "POST", url, jwk=private_jwk),
            "an ath at the token endpoint": make_proof(
                key, "POST", url, access_token="x"
            ),
            "oversized": make_proof(key, "POST", url, jti="j" * 9000),
            "not a JWT": "not-a-jwt",
        }
        before = self.env["oauth2.token"].search_count([])
        for name, proof in cases.items():
            with self.subTest(name):
                self.assertOAuthError(
                    self.client_credentials(key, proof=proof), "invalid_dpop_proof"
                )
        two_headers = self.two_proofs_request(
            TOKEN_PATH,
            [make_proof(key, "POST", url), make_proof(key, "POST", url)],
            "grant_type=client_credentials",
        )
        self.assertEqual(two_headers.status, 400)
        self.assertEqual(json.loads(two_headers.read())["error"], "invalid_dpop_proof")
        self.assertEqual(self.env["oauth2.token"].search_count([]), before)


@tagged("post_install", "-at_install")
class TestDpopResources(DpopMixin, EndpointCase):
    def setUp(self):
        super().setUp()
        self.key = ec_key()
        self.token = self.assertJson(self.client_credentials(self.key))["access_token"]

    def test_stolen_bound_token_used_as_bearer(self):
        for path in (WHOAMI_PATH, USERINFO_PATH):
            with self.subTest(path):
                response = self.bearer_get(path, self.token)
                self.assertBearerError(response, 401, "invalid_token")
                self.assertIn("DPoP algs=", response.headers["WWW-Authenticate"])
        tokeninfo = self.bearer_get(TOKENINFO_PATH, self.token)
        self.assertEqual(tokeninfo.json()["error"], "invalid_token")
        tokeninfo = self.bearer_get(TOKENINFO_PATH, params={"access_token": self.token})
        self.assertEqual(tokeninfo.json()["error"], "invalid_token")

    def test_bound_token_never_passes_for_an_api_key(self):
        self.app.scope_ids = [(4, self.env.ref("orestapi_oauth2.oauth2_scope_rpc").id)]
        answer = self.assertJson(
            self.dpop_token_request(
                {"grant_type": "client_credentials", "scope": "rpc"},
                self.key,
                auth=self.integration,
            )
        )
        record = self.env["oauth2.token"]._find_by_token(answer["access_token"])
        self.assertTrue(record.dpop_jkt)
        self.assertFalse(record._grants_rpc_to(self.user))

    def test_forged_proofs_are_refused_at_a_resource(self):
        url = self.url(WHOAMI_PATH)
        other = ec_key()
        replayed = make_proof(self.key, "GET", url, access_token=self.token)
        self.assertEqual(
            self.dpop_get(
                WHOAMI_PATH, self.token, self.key, proof=replayed
            ).status_code,
            200,
        )
        invalid_proofs = {
            "replayed": replayed,
            "without ath": make_proof(self.key, "GET", url),
            "wrong ath": make_proof(self.key, "GET", url, access_token="another"),
            "another URL": make_proof(
                self.key, "GET", self.url(USERINFO_PATH), access_token=self.token
            ),
            "another method": make_proof(
                self.key, "POST", url, access_token=self.token
            ),
            "too old": make_proof(
                self.key,
                "GET",
                url,
                access_token=self.token,
                issued_at=int(time.time()) - 400,
            ),
        }
        for name, proof in invalid_proofs.items():
            with self.subTest(name):
                response = self.dpop_get(WHOAMI_PATH, self.token, self.key, proof=proof)
                self.assertDpopRefused(response, "invalid_dpop_proof")
        # a good proof of another key than the token's
        proof = make_proof(other, "GET", url, access_token=self.token)
        response = self.dpop_get(WHOAMI_PATH, self.token, other, proof=proof)
        self.assertDpopRefused(response, "invalid_token")
        # no proof at all
        response = self.opener.get(
            url, headers={"Authorization": f"DPoP {self.token}"}, timeout=30
        )
        self.assertDpopRefused(response, "invalid_dpop_proof")

    def test_malformed_proofs_are_refused_at_the_resources(self):
        """A proof no key or claim of can be read is refused with the DPoP
        challenge, never an error page."""
        for path in (WHOAMI_PATH, USERINFO_PATH, TOKENINFO_PATH):
            url = self.url(path)
            invalid_proofs = {
                "jwk not a P-256 point": make_proof(
                    self.key,
                    "GET",
                    url,
                    access_token=self.token,
                    jwk={"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
                ),
                "non-ASCII ath": jwt.encode(
                    {
                        "jti": uuid.uuid4().hex,
                        "htm": "GET",
                        "htu": url,
                        "iat": int(time.time()),
                        "ath": "\u00e9",
                    },
                    self.key,
                    algorithm="ES256",
                    headers={"typ": "dpop+jwt", "jwk": public_jwk(self.key)},
                ),
                "huge iat": make_proof(
                    self.key, "GET", url, access_token=self.token, issued_at=10**400
                ),
            }
            for name, proof in invalid_proofs.items():
                with self.subTest(path=path, proof=name):
                    response = self.dpop_get(path, self.token, self.key, proof=proof)
                    if path == TOKENINFO_PATH:
                        # Google's style there: every refusal a 400
                        self.assertOAuthError(response, "invalid_dpop_proof")
                    else:
                        self.assertDpopRefused(response, "invalid_dpop_proof")

    def test_proof_for_the_host_the_request_names_is_refused(self):
        proof = make_proof(
            self.key,
            "GET",
            "http://evil.example" + USERINFO_PATH,
            access_token=self.token,
        )
        response = self.opener.get(
            self.url(USERINFO_PATH),
            headers={
                "Authorization": f"DPoP {self.token}",
                "DPoP": proof,
                "Host": "evil.example",
            },
            timeout=30,
            allow_redirects=False,
        )
        self.assertDpopRefused(response, "invalid_dpop_proof")

    def test_replayed_proof_at_a_read_only_route(self):
        """userinfo runs on a read-only cursor: the proof is recorded on a
        cursor of its own, and refused the second time all the same."""
        proof = make_proof(
            self.key, "GET", self.url(USERINFO_PATH), access_token=self.token
        )
        first = self.dpop_get(USERINFO_PATH, self.token, self.key, proof=proof)
        self.assertEqual(first.status_code, 200, first.text)
        again = self.dpop_get(USERINFO_PATH, self.token, self.key, proof=proof)
        self.assertDpopRefused(again, "invalid_dpop_proof")

    def test_unbound_token_in_the_dpop_scheme(self):
        answer = self.password_pair()
        response = self.dpop_get(WHOAMI_PATH, answer["access_token"], self.key)
        self.assertDpopRefused(response, "invalid_token")

    def test_no_token_offers_both_schemes(self):
        response = self.bearer_get(WHOAMI_PATH)
        self.assertBearerError(response, 401)
        self.assertIn(
            'DPoP algs="ES256 PS256 RS256 EdDSA"', response.headers["WWW-Authenticate"]
        )


@tagged("post_install", "-at_install")
class TestDpopCodeFlow(DpopMixin, AuthorizationCase):
    def test_code_bound_by_dpop_jkt(self):
        key = ec_key()
        code = self.get_code(dpop_jkt=thumbprint(key))
        record = self.env["oauth2.authorization.code"].search(
            [("application_id", "=", self.app.id)], order="id desc", limit=1
        )
        self.assertEqual(record.dpop_jkt, thumbprint(key))
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
        }
        auth = ("integration", self.secret)
        # another key, or none: refused, and the code is still the client's
        self.assertOAuthError(
            self.dpop_token_request(data, ec_key(), auth=auth), "invalid_grant"
        )
        self.assertOAuthError(self.exchange(code), "invalid_grant")
        answer = self.assertTokenAnswer(self.dpop_token_request(data, key, auth=auth))
        self.assertEqual(answer["token_type"], "DPoP")

    def test_refresh_of_a_public_client_is_bound_to_the_key(self):
        key = ec_key()
        self.public_app.issue_refresh_token = True
        redirect_uri = "com.example.myapp:/callback"
        code = self.authorize(
            client_id="browser-app",
            redirect_uri=redirect_uri,
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        if code.status_code == 200:
            code = self.decide(code, "allow")
        code = self.assertRedirectsTo(code, base=redirect_uri)["code"]
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": "browser-app",
            "code_verifier": VERIFIER,
        }
        pair = self.assertTokenAnswer(self.dpop_token_request(data, key))
        self.assertEqual(pair["token_type"], "DPoP")
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": pair["refresh_token"],
            "client_id": "browser-app",
        }
        # another key, or none, is refused, and the refresh token stays good
        self.assertOAuthError(
            self.dpop_token_request(refresh, ec_key()), "invalid_grant"
        )
        self.assertOAuthError(self.token_request(refresh), "invalid_grant")
        refreshed = self.assertTokenAnswer(self.dpop_token_request(refresh, key))
        self.assertEqual(refreshed["token_type"], "DPoP")
        record = self.env["oauth2.token"]._find_by_token(refreshed["access_token"])
        self.assertEqual(record.dpop_jkt, thumbprint(key))

    def test_malformed_dpop_jkt(self):
        response = self.authorize(dpop_jkt="not-a-thumbprint")
        self.assertEqual(self.assertRedirectsTo(response)["error"], "invalid_request")

    def test_oauth4webapi_dpop(self):
        """oauth4webapi's DPoP(): client_credentials with its nonce retry, a
        code flow bound to the key, a refresh, and userinfo."""
        self.set_param("issuer_url", self.base_url())
        self.env["ir.config_parameter"].sudo().set_param(DPOP_REQUIRE_NONCE_PARAM, "1")
        self.app.scope_ids = [
            (4, self.env.ref("orestapi_oauth2.oauth2_scope_openid").id)
        ]
        self.app.dpop_bound_access_tokens = True
        verifier = VERIFIER
        page = self.authorize(
            scope="openid read",
            code_challenge=s256(verifier),
            code_challenge_method="S256",
        )
        if page.status_code == 200:
            page = self.decide(page, "allow")
        self.env.flush_all()
        result = run_node(
            MODULE_ROOT / "tests" / "clients" / "oauth4webapi_dpop.mjs",
            self.base_url(),
            "integration",
            self.secret,
            page.headers["Location"],
            "xyz",
            REDIRECT_URI,
            verifier,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        steps = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(steps["client_credentials"]["token_type"], "dpop", steps)
        self.assertEqual(steps["code_flow"]["token_type"], "dpop", steps)
        self.assertEqual(steps["refresh"]["token_type"], "dpop", steps)
        self.assertEqual(steps["userinfo"]["sub"], steps["code_flow"]["sub"], steps)
        tokens = self.env["oauth2.token"].search([("application_id", "=", self.app.id)])
        self.assertTrue(tokens)
        self.assertEqual(set(tokens.mapped("dpop_jkt")), {steps["jkt"]})
        # the first token request; every later proof carries the nonce the
        # answer before gave, userinfo's included
        self.assertEqual(steps["nonce_retries"], 1, steps)


@tagged("post_install", "-at_install")
class TestProofReplayStore(TransactionCase):
    """Where a proof's jti is recorded: in the request's transaction, which
    at a read-only route commits without waiting for the disk (on a
    read-only cursor, a replica's, on a cursor of its own:
    test_replayed_proof_at_a_read_only_route)."""

    def use_once(self, jti, **kwargs):
        return self.env["oauth2.jti"]._use_once(
            dpop.JTI_PURPOSE, "a-key-thumbprint", jti, time.time() + 60, **kwargs
        )

    def synchronous_commit(self):
        self.env.cr.execute("SHOW synchronous_commit")
        return self.env.cr.fetchone()[0]

    def test_read_only_route_records_without_waiting_for_the_disk(self):
        self.assertEqual(self.synchronous_commit(), "on")
        self.assertTrue(self.use_once("first", asynchronous_commit=True))
        self.assertEqual(self.synchronous_commit(), "off")
        # in this very transaction: a replay within the request loses too
        self.assertFalse(self.use_once("first", asynchronous_commit=True))

    def test_other_routes_wait_for_the_disk(self):
        self.assertTrue(self.use_once("second"))
        self.assertEqual(self.synchronous_commit(), "on")
        self.assertFalse(self.use_once("second"))


@tagged("post_install", "-at_install")
class TestProofKeys(TransactionCase):
    """A client signs its proofs with one key: each worker parses it once."""

    def test_a_key_is_parsed_once_and_a_bad_one_refused_each_time(self):
        key = ec_key()
        url = "https://server.example/orestapi/oauth2/userinfo"

        def check(proof):
            return dpop.check_proof([proof], "GET", [url], time.time())

        check(make_proof(key, "GET", url))
        parsed = dpop._parsed_key.cache_info()
        again = check(make_proof(key, "GET", url))
        self.assertEqual(dpop._parsed_key.cache_info().hits, parsed.hits + 1)
        self.assertEqual(dpop._parsed_key.cache_info().misses, parsed.misses)
        self.assertEqual(again.algorithm, "ES256")
        self.assertEqual(again.jkt, thumbprint(key))
        bad = dict(public_jwk(key), x="AAAA")
        for _attempt in range(2):
            with self.assertRaisesRegex(dpop.InvalidProof, "not a valid public key"):
                check(make_proof(key, "GET", url, jwk=bad))
