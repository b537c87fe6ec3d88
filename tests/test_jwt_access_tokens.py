# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JWT access tokens (RFC 9068) and resource indicators (RFC 8707): each
token checked as an independent resource server checks it offline (jose, in
tests/clients/jose_resource_server.mjs, with the keys of the published JWKS),
and as this server checks it wherever a client presents it."""

import base64
import json
import xmlrpc.client
from datetime import timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo import fields
from odoo.tests import get_db_name

from ..oauth import routes
from .common import (
    MODULE_ROOT,
    PREFIX,
    VERIFIER,
    AuthorizationCase,
    BearerCase,
    run_node,
    s256,
)

JOSE_RESOURCE_SERVER = MODULE_ROOT / "tests" / "clients" / "jose_resource_server.mjs"
WHOAMI = "/orestapi_oauth2_test/whoami"
API = "https://api.example.com"
REPORTS = "https://reports.example.com/v1"
# RFC 9068 §2.2: what every JWT access token carries; auth_time and sid only
# where a user logged in
REQUIRED_CLAIMS = {"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"}


def unverified_claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def b64url_json(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


class JwtAccessTokenCase(AuthorizationCase, BearerCase):
    """The Integration application issuing JWT access tokens, with openid and
    rpc among its scopes; the test user logged into the browser session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.write(
            {
                "access_token_format": "jwt",
                "scope_ids": [
                    (4, cls.env.ref("orestapi_oauth2.oauth2_scope_openid").id),
                    (4, cls.env.ref("orestapi_oauth2.oauth2_scope_rpc").id),
                ],
            }
        )
        cls.db = get_db_name()

    def setUp(self):
        super().setUp()
        # the issuer the resource server trusts, and the one tokens name
        self.set_param("issuer_url", self.base_url())
        # refused RPC logins must not trigger the login cooldown of later tests
        self.env["ir.config_parameter"].sudo().set_param(
            "base.login_cooldown_after", 1000
        )

    # Obtaining tokens

    def client_credentials(self, *resources, client=None):
        data = [("grant_type", "client_credentials"), ("scope", "read")]
        data += [("resource", resource) for resource in resources]
        return self.token_request(data, auth=client or self.integration)

    def client_token(self, *resources):
        return self.assertTokenAnswer(self.client_credentials(*resources))[
            "access_token"
        ]

    def code_flow_tokens(self, **token_request):
        """The token answer of a code flow with PKCE and openid."""
        code = self.get_code(
            scope="openid read",
            nonce="nonce-of-the-jwt-test",
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        return self.assertTokenAnswer(
            self.exchange(code, code_verifier=VERIFIER, **token_request)
        )

    @property
    def integration(self):
        return ("integration", self.secret)

    # The independent resource server

    def resource_server(self, token, audience=None):
        """jose's verdict on ``token`` as the resource server ``audience``,
        by default Odoo's APIs, known by the issuer, which tokens naming no
        resource are for."""
        # it reads the issuer and the keys through HTTP, from the database
        self.env.flush_all()
        audience = audience or self.base_url()
        return run_node(JOSE_RESOURCE_SERVER, self.base_url(), audience, token)

    def verified_offline(self, token, audience=None):
        """``{"header": ..., "claims": ...}`` of ``token`` as jose verified it."""
        result = self.resource_server(token, audience)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def assertRefusedOffline(self, token, audience=None):
        result = self.resource_server(token, audience)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertTrue(result.stderr.strip(), "the refusal says why")
        return result.stderr

    # This server, where a client presents the token

    def introspect(self, token):
        response = self.http_request(
            "POST", PREFIX + "introspect", data={"token": token}, auth=self.integration
        )
        return self.assertTokenAnswer(response)

    def tokeninfo(self, token):
        return self.http_request(
            "GET", PREFIX + "tokeninfo", headers={"Authorization": f"Bearer {token}"}
        )

    def revoke(self, token):
        response = self.http_request(
            "POST", PREFIX + "revoke", data={"token": token}, auth=self.integration
        )
        self.assertEqual(self.assertTokenAnswer(response), {})

    def assertAcceptedHere(self, token):
        response = self.bearer_get(WHOAMI, token)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assertRefusedHere(self, token):
        self.assertBearerError(self.bearer_get(WHOAMI, token), 401, "invalid_token")
        self.assertOAuthError(self.tokeninfo(token), "invalid_token")
        self.assertEqual(self.introspect(token), {"active": False})

    def read_own_login_over_xmlrpc(self, token):
        [record] = self.xmlrpc_object.execute_kw(
            self.db,
            self.user.id,
            token,
            "res.users",
            "read",
            [[self.user.id], ["login"]],
        )
        return record["login"]

    def assertRpcRefused(self, token):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.read_own_login_over_xmlrpc(token)
        self.assertIn("Access Denied", caught.exception.faultString)

    def signing_kid(self, algorithm):
        return (
            self.env["oauth2.signing.key"]
            .sudo()
            .search([("algorithm", "=", algorithm), ("state", "=", "signing")])
            .kid
        )


class TestJwtAccessTokens(JwtAccessTokenCase):
    def test_client_credentials_token_verifies_offline_and_works_here(self):
        answer = self.assertTokenAnswer(self.client_credentials())
        token = answer["access_token"]
        self.assertEqual(answer["token_type"], "Bearer")
        verified = self.verified_offline(token)
        header, claims = verified["header"], verified["claims"]
        self.assertEqual(header["typ"], "at+jwt")
        self.assertEqual(header["alg"], "RS256")
        self.assertEqual(header["kid"], self.signing_kid("RS256"))
        # no user logged in: no auth_time, no sid
        self.assertEqual(set(claims), REQUIRED_CLAIMS)
        self.assertEqual(claims["iss"], self.base_url())
        # RFC 9068 §2.2: without a resource owner the subject is the client
        self.assertEqual(claims["sub"], "integration")
        # no resource named: the token is for Odoo's APIs, known by the issuer
        self.assertEqual(claims["aud"], self.base_url())
        self.assertEqual(claims["client_id"], "integration")
        self.assertEqual(claims["scope"], "read")
        self.assertEqual(claims["exp"] - claims["iat"], answer["expires_in"])
        self.assertNotEqual(
            unverified_claims(self.client_token())["jti"], claims["jti"]
        )
        # the verifier does check the audience: another resource server refuses
        self.assertRefusedOffline(token, audience="other")

        self.assertEqual(self.assertAcceptedHere(token)["application"], "integration")
        tokeninfo = self.assertTokenAnswer(self.tokeninfo(token))
        self.assertEqual(tokeninfo["client_id"], "integration")
        self.assertEqual(tokeninfo["scope"], "read")
        introspection = self.introspect(token)
        self.assertIs(introspection["active"], True)
        self.assertEqual(introspection["aud"], self.base_url())
        self.assertEqual(introspection["client_id"], "integration")
        self.assertAlmostEqual(introspection["exp"], claims["exp"], delta=2)

    def test_code_flow_token_carries_the_login_of_the_id_token(self):
        # a refresh must keep the audience of the code exchange, which is not
        # the one a request naming no resource gets
        self.app.access_token_audiences = f"{API}\n{REPORTS}"
        tokens = self.code_flow_tokens(resource=REPORTS)
        id_token = unverified_claims(tokens["id_token"])
        claims = self.verified_offline(tokens["access_token"], REPORTS)["claims"]
        # the test's session recorded no amr (it did not log in over HTTP)
        self.assertEqual(set(claims), REQUIRED_CLAIMS | {"auth_time", "sid", "acr"})
        self.assertEqual(claims["acr"], id_token["acr"])
        self.assertEqual(claims["sub"], id_token["sub"])
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        self.assertEqual(claims["auth_time"], id_token["auth_time"])
        self.assertTrue(claims["sid"])
        self.assertEqual(claims["sid"], id_token["sid"])
        self.assertEqual(claims["aud"], REPORTS)
        self.assertEqual(set(claims["scope"].split()), {"openid", "read"})
        # a token for another resource server is none for Odoo's APIs
        userinfo = self.bearer_get(PREFIX + "userinfo", tokens["access_token"])
        self.assertBearerError(userinfo, 401, "invalid_token")

        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        }
        refreshed = self.assertTokenAnswer(
            self.token_request(refresh, auth=self.integration)
        )
        again = self.verified_offline(refreshed["access_token"], REPORTS)["claims"]
        for name in ("sub", "aud", "auth_time", "sid", "client_id"):
            self.assertEqual(again[name], claims[name], name)
        self.assertNotEqual(again["jti"], claims["jti"])
        self.assertBearerError(
            self.bearer_get(WHOAMI, refreshed["access_token"]), 401, "invalid_token"
        )

    def test_es256_application_signs_its_access_tokens_with_es256(self):
        self.app.id_token_signed_response_alg = "ES256"
        tokens = self.code_flow_tokens()
        header = self.verified_offline(tokens["access_token"])["header"]
        self.assertEqual(header["alg"], "ES256")
        self.assertEqual(header["kid"], self.signing_kid("ES256"))
        self.assertEqual(jwt.get_unverified_header(tokens["id_token"])["alg"], "ES256")
        self.assertAcceptedHere(tokens["access_token"])

    def test_token_signed_before_a_key_rotation_still_verifies(self):
        before = self.client_token()
        old_kid = jwt.get_unverified_header(before)["kid"]
        admin = self.env.ref("base.user_admin")
        self.env["oauth2.signing.key"].with_user(admin).action_rotate()
        after = self.client_token()
        new_kid = jwt.get_unverified_header(after)["kid"]
        self.assertNotEqual(new_kid, old_kid)
        self.assertEqual(new_kid, self.signing_kid("RS256"))
        # the replaced key stays in the JWKS until the tokens it signed expire
        self.assertEqual(self.verified_offline(before)["header"]["kid"], old_kid)
        self.assertEqual(self.verified_offline(after)["header"]["kid"], new_kid)
        self.assertAcceptedHere(before)
        self.assertAcceptedHere(after)

    def test_revoked_token_is_refused_here_yet_verifies_offline(self):
        token = self.assertTokenAnswer(self.password_grant(scope="read rpc"))[
            "access_token"
        ]
        self.assertAcceptedHere(token)
        self.revoke(token)
        self.assertRefusedHere(token)
        self.assertRpcRefused(token)
        # The documented limit: a signature cannot be taken back. A resource
        # server learns of the revocation only by introspecting the token, or
        # once it expires.
        self.assertEqual(
            self.verified_offline(token)["claims"]["sub"],
            self.user._oidc_subject(self.app),
        )

    def test_expired_token_is_refused_here(self):
        token = self.client_token()
        row = (
            self.env["oauth2.token"]
            .sudo()
            .search([("application_id", "=", self.app.id)], order="id desc", limit=1)
        )
        # the row decides, not the exp of the token, which is still ahead
        row.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertRefusedHere(token)

    def test_rpc_with_the_token_as_password_until_revoked(self):
        token = self.assertTokenAnswer(self.password_grant(scope="read rpc"))[
            "access_token"
        ]
        self.assertEqual(self.read_own_login_over_xmlrpc(token), "oauth2_user")
        self.revoke(token)
        self.assertRpcRefused(token)


class TestJwtAccessTokenResources(JwtAccessTokenCase):
    """RFC 8707: the client names the resource servers its token is for."""

    def test_audiences_of_the_resources_named(self):
        self.app.access_token_audiences = f"{API}\n\n{REPORTS}\n"
        cases = (
            ((), API),  # none named: the first Audience
            ((API,), API),
            ((REPORTS,), REPORTS),
            ((REPORTS, API), [REPORTS, API]),
        )
        for resources, audience in cases:
            with self.subTest(resources=resources):
                token = self.client_token(*resources)
                for resource_server in resources or (API,):
                    claims = self.verified_offline(token, resource_server)["claims"]
                    self.assertEqual(claims["aud"], audience)
                self.assertEqual(self.introspect(token)["aud"], audience)
        # a token for the API is no token for the application itself
        self.assertRefusedOffline(self.client_token(API), audience="integration")

    def test_unknown_or_malformed_resources_are_invalid_targets(self):
        self.app.access_token_audiences = API
        unknown = (("https://evil.example.com",), (API, "https://evil.example.com"))
        # RFC 8707 §2: an absolute URI without a fragment
        malformed = ((API + "#fragment",), ("api.example.com",), ("",))
        for resources in unknown + malformed:
            with self.subTest(resources=resources):
                body = self.assertOAuthError(
                    self.client_credentials(*resources), "invalid_target"
                )
                if resources in malformed:
                    self.assertIn("absolute URI", body["error_description"])
        # without Audiences, only registered resources (oauth2.resource) are
        # accepted, not the client_id itself
        self.app.access_token_audiences = False
        for resource in (API, "integration"):
            with self.subTest(resource=resource):
                self.assertOAuthError(
                    self.client_credentials(resource), "invalid_target"
                )


class TestJwtAccessTokenConfusions(JwtAccessTokenCase):
    """Nothing passes for a JWT access token, and it passes for nothing else."""

    def test_its_jti_is_no_opaque_token(self):
        token = self.client_token()
        jti = unverified_claims(token)["jti"]
        self.assertAcceptedHere(token)
        self.assertRefusedHere(jti)

    def test_an_id_token_is_no_access_token(self):
        # same issuer, same keys, aud the client_id, sub the user's: only the
        # type tells them apart
        id_token = self.code_flow_tokens()["id_token"]
        self.assertRefusedHere(id_token)
        userinfo = self.bearer_get(PREFIX + "userinfo", id_token)
        self.assertBearerError(userinfo, 401, "invalid_token")
        self.assertIn("typ", self.assertRefusedOffline(id_token))

    def test_an_access_token_is_no_id_token_hint(self):
        tokens = self.code_flow_tokens()
        access_token = tokens["access_token"]
        self.assertEqual(
            unverified_claims(access_token)["sub"],
            unverified_claims(tokens["id_token"])["sub"],
        )
        # the consent is remembered: a real hint of this user gets a code
        real = self.authorize(
            scope="openid", prompt="none", id_token_hint=tokens["id_token"]
        )
        self.assertIn("code", self.assertRedirectsTo(real))
        confused = self.authorize(
            scope="openid", prompt="none", id_token_hint=access_token
        )
        params = self.assertRedirectsTo(confused)
        self.assertNotIn("code", params)
        self.assertEqual(params["error"], "invalid_request")
        logout = self.opener.get(
            self.base_url() + routes.END_SESSION,
            params={"id_token_hint": access_token},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(logout.status_code, 400, logout.text[:500])
        self.assertIn("did not issue", logout.text)

    def test_forged_tokens_are_refused(self):
        token = self.client_token()
        header = jwt.get_unverified_header(token)
        claims = unverified_claims(token)
        header_part, _payload, signature = token.split(".")
        another_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = {
            # our kid, our claims, someone else's key
            "another key": jwt.encode(
                claims,
                another_key,
                algorithm="RS256",
                headers={"kid": header["kid"], "typ": "at+jwt"},
            ),
            "alg none": jwt.encode(
                claims,
                None,
                algorithm="none",
                headers={"kid": header["kid"], "typ": "at+jwt"},
            ),
            "tampered payload": f"{header_part}."
            f"{b64url_json({**claims, 'scope': 'read write'})}.{signature}",
        }
        for name, forgery in forged.items():
            with self.subTest(name):
                self.assertRefusedHere(forgery)
                self.assertRefusedOffline(forgery)
        # while the genuine token, whose jti they all carry, still works
        self.assertAcceptedHere(token)

    def test_an_opaque_application_still_gets_opaque_tokens(self):
        self.app.access_token_format = "opaque"
        self.app.access_token_audiences = API
        token = self.client_token(API)
        self.assertNotIn(".", token)
        self.assertRefusedOffline(token, audience=API)
        # a token for the API is none for Odoo's own
        self.assertBearerError(self.bearer_get(WHOAMI, token), 401, "invalid_token")
        # the audience asked for is still recorded, for introspection
        self.assertEqual(self.introspect(token)["aud"], API)
