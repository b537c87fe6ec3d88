# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect Core §3.3, the hybrid flow: a code and tokens from the
authorization endpoint, in the fragment or posted, each id_token checked as a
relying party checks it, its c_hash and at_hash computed here."""

import base64
import hashlib
import json
import re
from html import unescape

import jwt

from ..oauth import routes
from .common import MODULE_ROOT, NONCE, REDIRECT_URI, OpenIDCase, run_node, s256

HYBRID_RESPONSE_TYPES = ("code id_token", "code token", "code id_token token")
VERIFIER = "hybrid-verifier-" + "x" * 40
OAUTH4WEBAPI_HYBRID_SCRIPT = (
    MODULE_ROOT / "tests" / "clients" / "oauth4webapi_hybrid.mjs"
)


def left_half(value, alg):
    """Core §3.3.2.11: the base64url left half of ``value``'s hash, the hash
    being the one the id_token's ``alg`` names (SHA-256 for RS256 and
    ES256)."""
    digest = hashlib.new(f"sha{alg[2:]}", value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


class TestHybridFlow(OpenIDCase):
    def hybrid(self, response_type, scope="openid profile", **params):
        """The user's approval of a hybrid request: the response's parameters,
        from the fragment or from the page posting them."""
        page = self.authorize(
            response_type=response_type, scope=scope, nonce=NONCE, **params
        )
        # the consent page, until the user's consent is on file
        consent = 'name="decision"' in page.text
        answer = self.decide(page, "allow") if consent else page
        if params.get("response_mode") == "form_post":
            return self.posted_fields(answer)
        return self.assertRedirectsTo(answer, fragment=True)

    def posted_fields(self, page):
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn(f'<form method="post" action="{REDIRECT_URI}">', page.text)
        return {
            name: unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"/>', page.text
            )
        }

    def assertHybridResponse(self, params, response_type):
        """The front channel's answer to ``response_type``: its code, and
        its id_token's claims (None without one), each hash checked."""
        self.assertEqual(params["state"], "xyz")
        self.assertEqual(params["iss"], self.issuer())
        self.assertNotIn("refresh_token", params)
        parts = response_type.split()
        self.assertEqual("access_token" in params, "token" in parts)
        self.assertEqual("id_token" in params, "id_token" in parts)
        if "token" in parts:
            self.assertEqual(params["token_type"], "Bearer")
        if "id_token" not in parts:
            return params["code"], None
        alg = jwt.get_unverified_header(params["id_token"])["alg"]
        claims = self.verify(params["id_token"])
        self.assertEqual(claims["nonce"], NONCE)
        self.assertEqual(claims["c_hash"], left_half(params["code"], alg))
        if "token" in parts:
            self.assertEqual(claims["at_hash"], left_half(params["access_token"], alg))
        else:
            self.assertNotIn("at_hash", claims)
        return params["code"], claims

    def assertExchangeKeepsTheSignIn(self, code, front_claims):
        """The code's id_token names the same user and sign-in as the one
        the authorization endpoint returned (Core §3.3.2.11)."""
        tokens = self.assertTokenAnswer(self.exchange(code))
        self.assertIn("refresh_token", tokens)
        claims = self.verify(tokens["id_token"])
        self.assertEqual(claims["nonce"], NONCE)
        self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
        if front_claims:
            for name in ("sub", "nonce", "auth_time", "sid", "iss", "aud"):
                self.assertEqual(claims[name], front_claims[name], name)
        return tokens

    def test_each_response_type_in_the_fragment(self):
        for response_type in HYBRID_RESPONSE_TYPES:
            with self.subTest(response_type=response_type):
                params = self.hybrid(response_type)
                code, claims = self.assertHybridResponse(params, response_type)
                tokens = self.assertExchangeKeepsTheSignIn(code, claims)
                if "access_token" in params:
                    self.assertNotEqual(tokens["access_token"], params["access_token"])
                    self.assertUserinfoWorks(params["access_token"])

    def test_each_response_type_posted(self):
        for response_type in HYBRID_RESPONSE_TYPES:
            with self.subTest(response_type=response_type):
                params = self.hybrid(response_type, response_mode="form_post")
                code, claims = self.assertHybridResponse(params, response_type)
                self.assertExchangeKeepsTheSignIn(code, claims)

    def test_hashes_follow_the_signing_algorithm(self):
        self.app.id_token_signed_response_alg = "ES256"
        params = self.hybrid("code id_token token")
        self.assertEqual(jwt.get_unverified_header(params["id_token"])["alg"], "ES256")
        self.assertHybridResponse(params, "code id_token token")

    def test_front_channel_token_is_no_refreshable_grant(self):
        params = self.hybrid("code token", scope="openid")
        token = self.env["oauth2.token"]._find_by_token(params["access_token"])
        self.assertEqual(token.grant_type, "implicit")
        self.assertFalse(token.refresh_token_hash)
        self.assertEqual(token.user_id, self.user)
        self.assertTrue(token.auth_time)

    def test_nonce_required_with_an_id_token(self):
        for response_type in ("code id_token", "code id_token token"):
            with self.subTest(response_type=response_type):
                params = self.assertRedirectsTo(
                    self.authorize(response_type=response_type, scope="openid"),
                    fragment=True,
                )
                self.assertEqual(params["error"], "invalid_request")
                self.assertIn("nonce", params["error_description"])
                self.assertEqual(params["state"], "xyz")
        self.assertNothingIssued()
        # optional for "code token", which returns no id_token (§3.3.2.11)
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        page = self.authorize(response_type="code token", scope="openid")
        params = self.assertRedirectsTo(page, fragment=True)
        self.assertIn("access_token", params)
        claims = self.verify(
            self.assertTokenAnswer(self.exchange(params["code"]))["id_token"]
        )
        self.assertNotIn("nonce", claims)

    def test_never_in_the_query(self):
        for response_type in HYBRID_RESPONSE_TYPES:
            with self.subTest(response_type=response_type):
                params = self.assertRedirectsTo(
                    self.authorize(
                        response_type=response_type,
                        scope="openid",
                        nonce=NONCE,
                        response_mode="query",
                    )
                )
                self.assertEqual(params["error"], "invalid_request")
                self.assertIn("query", params["error_description"])
        self.assertNothingIssued()

    def test_code_replay_revokes_the_front_channel_token(self):
        params = self.hybrid("code id_token token")
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertOAuthError(self.exchange(params["code"]), "invalid_grant")
        for access_token in (params["access_token"], tokens["access_token"]):
            response = self.opener.get(
                self.base_url() + routes.USERINFO,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=30,
            )
            self.assertEqual(response.status_code, 401)

    def test_code_is_this_clients_alone(self):
        params = self.hybrid("code id_token")
        self.other_app.redirect_uris = REDIRECT_URI
        self.assertOAuthError(
            self.exchange(params["code"], auth=("other", self.other_secret)),
            "invalid_grant",
        )
        # a forged code, even one whose hash the id_token does not carry
        self.assertOAuthError(self.exchange(params["code"] + "x"), "invalid_grant")
        self.assertExchangeKeepsTheSignIn(params["code"], None)

    def test_oversized_nonce(self):
        params = self.assertRedirectsTo(
            self.authorize(
                response_type="code id_token", scope="openid", nonce="n" * 513
            ),
            fragment=True,
        )
        self.assertEqual(params["error"], "invalid_request")
        self.assertNothingIssued()

    def test_application_needs_both_grants(self):
        for field_name in ("grant_implicit", "grant_authorization_code"):
            self.app.write({"grant_implicit": True, "grant_authorization_code": True})
            self.app[field_name] = False
            for response_type in HYBRID_RESPONSE_TYPES:
                with self.subTest(without=field_name, response_type=response_type):
                    params = self.assertRedirectsTo(
                        self.authorize(
                            response_type=response_type, scope="openid", nonce=NONCE
                        ),
                        fragment=True,
                    )
                    self.assertEqual(params["error"], "unauthorized_client")
        self.assertNothingIssued()

    def test_id_token_needs_openid(self):
        params = self.assertRedirectsTo(
            self.authorize(response_type="code id_token", scope="read", nonce=NONCE),
            fragment=True,
        )
        self.assertEqual(params["error"], "invalid_scope")
        # a code and a token without openid: OAuth 2.0 Multiple Response Types
        page = self.authorize(response_type="code token", scope="read")
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertNotIn("id_token", params)
        tokens = self.assertTokenAnswer(self.exchange(params["code"]))
        self.assertNotIn("id_token", tokens)
        self.assertEqual(tokens["scope"], "read")

    def test_other_orders_are_not_served(self):
        params = self.assertRedirectsTo(
            self.authorize(response_type="id_token code", scope="openid", nonce=NONCE)
        )
        self.assertEqual(params["error"], "unsupported_response_type")

    def test_public_client_needs_pkce(self):
        self.public_app.write(
            {
                "grant_implicit": True,
                "redirect_uris": REDIRECT_URI,
                "scope_ids": self.app.scope_ids.ids,
            }
        )
        request = {
            "client_id": "browser-app",
            "response_type": "code id_token",
            "scope": "openid",
            "nonce": NONCE,
        }
        params = self.assertRedirectsTo(self.authorize(**request), fragment=True)
        self.assertEqual(params["error"], "invalid_request")
        self.assertIn("challenge", params["error_description"].lower())
        page = self.authorize(
            **request, code_challenge=s256(VERIFIER), code_challenge_method="S256"
        )
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        self.assertEqual(self.verify(params["id_token"], "browser-app")["nonce"], NONCE)
        public = {"auth": ("browser-app", None), "client_id": "browser-app"}
        self.assertOAuthError(
            self.exchange(params["code"], **public), "invalid_request"
        )
        tokens = self.assertTokenAnswer(
            self.exchange(params["code"], code_verifier=VERIFIER, **public)
        )
        self.assertIn("id_token", tokens)

    def test_prompt_none_without_consent(self):
        params = self.assertRedirectsTo(
            self.authorize(
                response_type="code id_token",
                scope="openid",
                nonce=NONCE,
                prompt="none",
            ),
            fragment=True,
        )
        self.assertEqual(params["error"], "consent_required")
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        params = self.assertRedirectsTo(
            self.authorize(
                response_type="code id_token",
                scope="openid",
                nonce=NONCE,
                prompt="none",
            ),
            fragment=True,
        )
        self.assertHybridResponse(params, "code id_token")

    def test_oauth4webapi_checks_the_response_and_its_code(self):
        """A relying-party library's own checks of a ``code id_token``
        response (oauthlib computes c_hash; oauth4webapi verifies it)."""
        for response_mode in ("fragment", "form_post"):
            with self.subTest(response_mode=response_mode):
                page = self.authorize(
                    response_type="code id_token",
                    scope="openid",
                    nonce=NONCE,
                    response_mode=response_mode,
                    code_challenge=s256(VERIFIER),
                    code_challenge_method="S256",
                )
                if 'name="decision"' in page.text:
                    page = self.decide(page, "allow")
                options = {
                    "issuer": self.base_url(),
                    "client_id": "integration",
                    "client_secret": self.secret,
                    "state": "xyz",
                    "redirect_uri": REDIRECT_URI,
                    "code_verifier": VERIFIER,
                    "nonce": NONCE,
                }
                if response_mode == "form_post":
                    options["posted"] = self.posted_fields(page)
                else:
                    options["callback"] = page.headers["Location"]
                self.env.flush_all()
                result = run_node(OAUTH4WEBAPI_HYBRID_SCRIPT, json.dumps(options))
                self.assertEqual(result.returncode, 0, result.stderr[-3000:])
                steps = json.loads(result.stdout.strip().splitlines()[-1])
                self.assertNotIn("error", steps, steps)
                self.assertTrue(steps["front_channel"]["accepted"])
                claims = steps["code_exchange"]["claims"]
                self.assertEqual(claims["sub"], self.user._oidc_subject(self.app))
                self.assertEqual(claims["nonce"], NONCE)
                # the same response with another code, or for another nonce
                for refused, claim in (
                    ("swapped_code", "c_hash"),
                    ("other_nonce", "nonce"),
                ):
                    self.assertEqual(
                        steps[refused]["code"], "OAUTH_JWT_CLAIM_COMPARISON_FAILED"
                    )
                    self.assertIn(f'"{claim}"', steps[refused]["message"])

    def assertUserinfoWorks(self, access_token):
        response = self.opener.get(
            self.base_url() + routes.USERINFO,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["sub"], self.user._oidc_subject(self.app))

    def assertNothingIssued(self):
        self.assertFalse(
            self.env["oauth2.authorization.code"].search(
                [("application_id", "=", self.app.id)]
            )
        )
        self.assertFalse(
            self.env["oauth2.token"].search([("application_id", "=", self.app.id)])
        )
