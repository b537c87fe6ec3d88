# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Real OpenID Connect relying parties against the provider: openid-client
(v6) with the person's part done in Chromium, oauth4webapi's strict checks,
and what an RP that checks id_tokens with PyJWT against the JWKS sees of an
ES256 and of pairwise applications."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from .common import (
    BROWSER_DIR,
    MODULE_ROOT,
    REDIRECT_URI,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    TokenEndpointCase,
    free_port,
    require_external_clients,
    run_node,
    s256,
)

OPENID_CLIENT_FLOW_SCRIPT = BROWSER_DIR / "openid_client_flow.mjs"
OAUTH4WEBAPI_OIDC_SCRIPT = MODULE_ROOT / "tests" / "clients" / "oauth4webapi_oidc.mjs"
RP_SECRET = "test-secret-of-the-openid-connect-relying-party"


class TestOpenIDClient(TokenEndpointCase):
    """openid-client signs the test user in through Chromium, as a web
    application's back end does."""

    def setUp(self):
        super().setUp()
        # openid-client checks every issuer it sees against the one it asked
        self.set_param("issuer_url", self.base_url())
        self.rp_port = free_port()
        rp = f"http://127.0.0.1:{self.rp_port}"
        self.rp_app = self.env["oauth2.application"].create(
            {
                "name": "OpenID Connect RP",
                "client_id": "oidc-rp",
                "client_secret": RP_SECRET,
                "redirect_uris": f"{rp}/callback",
                "post_logout_redirect_uris": f"{rp}/logged-out",
            }
        )

    def run_flow(self, logout=False):
        chromium = require_external_clients(chromium=True)
        # the browser's requests reach the server through the database, not the
        # test's ORM cache
        self.env.flush_all()
        options = {
            "issuer": self.base_url(),
            "client_id": self.rp_app.client_id,
            "client_secret": RP_SECRET,
            "port": self.rp_port,
            "login": self.user.login,
            "password": USER_PASSWORD,
            "id_token_signed_response_alg": self.rp_app.id_token_signed_response_alg,
            "logout": logout,
        }
        result = run_node(
            OPENID_CLIENT_FLOW_SCRIPT,
            json.dumps(options),
            env={"CHROMIUM_PATH": chromium},
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        steps = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", steps, steps)
        return steps

    def assertSignedIn(self, steps, algorithm):
        issuer = self.base_url()
        subject = self.user._oidc_subject(self.rp_app)
        self.assertEqual(steps["discovery"]["issuer"], issuer)
        # enableNonRepudiationChecks: the id_token's signature was checked
        # with the published keys
        self.assertIn(f"GET {steps['discovery']['jwks_uri']}", steps["requests"])
        self.assertEqual(steps["callback"]["iss"], issuer)
        self.assertTrue(steps["callback"]["state_matches"])
        code = steps["code"]
        self.assertEqual(code["token_type"].lower(), "bearer")
        self.assertEqual(code["scope"].split(), ["openid", "profile", "email"])
        self.assertTrue(code["has_refresh_token"])
        self.assertEqual(code["id_token_header"]["alg"], algorithm)
        kids = [key["kid"] for key in self.env["oauth2.signing.key"]._jwks()["keys"]]
        self.assertIn(code["id_token_header"]["kid"], kids)
        claims = code["claims"]
        self.assertTrue(code["nonce_matches"])
        self.assertEqual(claims["iss"], issuer)
        self.assertEqual(claims["aud"], "oidc-rp")
        self.assertEqual(claims["sub"], subject)
        self.assertEqual(claims["preferred_username"], self.user.login)
        self.assertEqual(claims["name"], "OAuth User")
        self.assertGreater(claims["exp"], claims["iat"])
        self.assertIn("auth_time", claims)
        self.assertIn("at_hash", claims)
        userinfo = steps["userinfo"]
        self.assertEqual(userinfo["sub"], subject)
        self.assertEqual(userinfo["preferred_username"], self.user.login)
        # the subject check of fetchUserInfo is real: another subject fails
        self.assertNotEqual(steps["userinfo_other_subject"]["kind"], "accepted")
        refresh = steps["refresh"]
        self.assertTrue(refresh["has_id_token"], refresh)
        self.assertEqual(refresh["id_token_header"]["alg"], algorithm)
        self.assertEqual(refresh["claims"]["sub"], subject)
        self.assertEqual(refresh["claims"]["aud"], "oidc-rp")
        self.assertEqual(refresh["claims"]["auth_time"], claims["auth_time"])
        self.assertNotIn("nonce", refresh["claims"])
        self.assertTrue(refresh["new_refresh_token"])

    def test_code_flow_with_pkce_nonce_userinfo_and_refresh(self):
        self.assertSignedIn(self.run_flow(), "RS256")

    def test_code_flow_es256(self):
        self.rp_app.id_token_signed_response_alg = "ES256"
        self.assertSignedIn(self.run_flow(), "ES256")

    def test_rp_initiated_logout(self):
        steps = self.run_flow(logout=True)
        self.assertSignedIn(steps, "RS256")
        end_session = steps["discovery"]["end_session_endpoint"]
        self.assertEqual(end_session, self.base_url() + "/orestapi/oauth2/logout")
        sent = parse_qs(urlsplit(steps["end_session_url"]).query)
        self.assertEqual(sent["client_id"], ["oidc-rp"])
        self.assertIn("id_token_hint", sent)
        self.assertEqual(steps["session_uid_before_logout"], self.user.id)
        self.assertTrue(steps["logout"]["state_matches"], steps["logout"])
        self.assertIsNone(steps["session_uid_after_logout"])


class TestStrictOpenIDClient(AuthorizationCase):
    """oauth4webapi's OpenID Connect code flow: the iss of the authorization
    response (RFC 9207), the nonce, max_age's auth_time and the id_token's
    signature against the JWKS."""

    def test_oauth4webapi_oidc_code_flow(self):
        self.set_param("issuer_url", self.base_url())
        self.app.scope_ids = False  # every scope, openid and profile among them
        nonce = "n-0S6_WzA2Mj"
        page = self.authorize(
            scope="openid profile",
            nonce=nonce,
            max_age="300",
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        if page.status_code == 200:
            page = self.decide(page, "allow")
        self.env.flush_all()
        options = {
            "issuer": self.base_url(),
            "client_id": "integration",
            "client_secret": self.secret,
            "callback": page.headers["Location"],
            "state": "xyz",
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
            "nonce": nonce,
            "max_age": 300,
        }
        result = run_node(OAUTH4WEBAPI_OIDC_SCRIPT, json.dumps(options))
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        steps = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", steps, steps)
        subject = self.user._oidc_subject(self.app)
        self.assertEqual(steps["issuer"], self.base_url())
        self.assertEqual(steps["code_flow"]["claims"]["sub"], subject)
        self.assertEqual(steps["code_flow"]["claims"]["nonce"], nonce)
        self.assertIn("auth_time", steps["code_flow"]["claims"])
        self.assertTrue(steps["code_flow"]["signature_valid"])
        self.assertEqual(steps["userinfo"]["sub"], subject)
        # the same response with another issuer's iss, or none, is refused
        self.assertEqual(steps["other_iss"]["kind"], "OperationProcessingError")
        self.assertEqual(steps["no_iss"]["kind"], "OperationProcessingError")
        # a nonce other than the request's is refused
        self.assertEqual(steps["other_nonce"]["kind"], "OperationProcessingError")


class TestIdTokensAsRelyingParty(AuthorizationCase):
    """What a relying party checking the id_token itself with PyJWT, against
    the keys of the jwks_uri that discovery names, sees."""

    def setUp(self):
        super().setUp()
        self.set_param("issuer_url", self.base_url())

    def relying_party(self, client_id, secret, redirect_uri=REDIRECT_URI, **values):
        return self.env["oauth2.application"].create(
            {
                "name": client_id,
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uris": redirect_uri,
                **values,
            }
        )

    def sign_in(self, application, secret, nonce="a-nonce-of-the-rp"):
        """The token response of a code flow with openid for ``application``."""
        page = self.authorize(
            client_id=application.client_id, scope="openid profile", nonce=nonce
        )
        if page.status_code == 200:
            page = self.decide(page, "allow")
        code = self.assertRedirectsTo(page)["code"]
        return self.assertTokenAnswer(
            self.exchange(code, auth=(application.client_id, secret))
        )

    def verified_claims(self, id_token, client_id, algorithms):
        """The claims of ``id_token`` as an RP checks them: discovery, the
        JWKS, the key its kid names, ``algorithms``, iss, aud and exp."""
        discovery = requests.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        jwks = jwt.PyJWKSet.from_json(
            requests.get(discovery["jwks_uri"], timeout=30).text
        )
        kid = jwt.get_unverified_header(id_token)["kid"]
        key = next(key for key in jwks.keys if key.key_id == kid)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=algorithms,
            audience=client_id,
            issuer=discovery["issuer"],
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
        return claims, key

    def userinfo_subject(self, access_token):
        response = self.opener.get(
            self.base_url() + "/orestapi/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["sub"]

    def test_es256_application(self):
        secret = "test-secret-of-the-es256-relying-party"
        app = self.relying_party(
            "es256-rp", secret, id_token_signed_response_alg="ES256"
        )
        body = self.sign_in(app, secret)
        header = jwt.get_unverified_header(body["id_token"])
        self.assertEqual(header["alg"], "ES256")
        claims, key = self.verified_claims(body["id_token"], "es256-rp", ["ES256"])
        self.assertEqual(key.key_type, "EC")
        self.assertIsInstance(key.key, ec.EllipticCurvePublicKey)
        self.assertEqual(key.key.curve.name, "secp256r1")
        self.assertEqual(claims["sub"], self.user._oidc_subject(app))
        self.assertEqual(claims["nonce"], "a-nonce-of-the-rp")
        # an RP that accepts RS256 only refuses it
        with self.assertRaises(jwt.InvalidAlgorithmError):
            self.verified_claims(body["id_token"], "es256-rp", ["RS256"])
        # and another application's RP refuses it for its audience
        with self.assertRaises(jwt.InvalidAudienceError):
            self.verified_claims(body["id_token"], "integration", ["ES256"])

    def test_pairwise_subjects(self):
        secrets = {
            "pairwise-a": "test-secret-of-pairwise-relying-party-a",
            "pairwise-b": "test-secret-of-pairwise-relying-party-b",
            "public-c": "test-secret-of-the-public-relying-party-c",
        }
        apps = {
            name: self.relying_party(
                name,
                secret,
                subject_type="public" if name.startswith("public") else "pairwise",
            )
            for name, secret in secrets.items()
        }
        subjects = {}
        for name, app in apps.items():
            body = self.sign_in(app, secrets[name])
            claims, _key = self.verified_claims(body["id_token"], name, ["RS256"])
            subjects[name] = claims["sub"]
            # userinfo names the user as the id_token does (Core §5.3.2)
            self.assertEqual(self.userinfo_subject(body["access_token"]), claims["sub"])
            # and so does the next sign-in of the same application
            again = self.sign_in(app, secrets[name], nonce="another-nonce")
            claims, _key = self.verified_claims(again["id_token"], name, ["RS256"])
            self.assertEqual(claims["sub"], subjects[name])
        self.assertEqual(len(set(subjects.values())), 3, subjects)
        self.assertNotIn(str(self.user.id), subjects.values())
        # the public subject is the one of every public application
        self.assertEqual(subjects["public-c"], self.user._oidc_subject(self.app))
        for subject in subjects.values():
            # Core §2: at most 255 ASCII characters
            self.assertRegex(subject, r"^[\x21-\x7e]{1,255}$")

    def test_implicit_id_token(self):
        secret = "test-secret-of-the-implicit-relying-party"
        app = self.relying_party("implicit-rp", secret, grant_implicit=True)
        for response_type in ("id_token", "id_token token"):
            page = self.authorize(
                client_id=app.client_id,
                response_type=response_type,
                scope="openid",
                nonce=f"nonce-of-{response_type}",
            )
            if page.status_code == 200:
                page = self.decide(page, "allow")
            params = self.assertRedirectsTo(page, fragment=True)
            claims, _key = self.verified_claims(
                params["id_token"], app.client_id, ["RS256"]
            )
            self.assertEqual(claims["nonce"], f"nonce-of-{response_type}")
            self.assertEqual(claims["sub"], self.user._oidc_subject(app))
            if response_type == "id_token":
                self.assertNotIn("access_token", params)
                continue
            # Core §3.2.2.9: at_hash binds the access token to the id_token
            digest = hashlib.sha256(params["access_token"].encode()).digest()
            at_hash = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
            self.assertEqual(claims["at_hash"], at_hash)
