# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect Core §5.5: the claims request parameter, over HTTP. A claim
asked for by name is released when the user approved its scope: the consent
page lists the scopes of the claims asked for, and the consent keeps them;
essential, value and values are hints, but for a sub asked with a value."""

import json
import re
import unittest
from urllib.parse import parse_qs, urlencode, urlsplit

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from ..oauth.acr import ACR_PASSWORD
from ..oauth.claims import (
    MAX_CLAIMS_LENGTH,
    approved_only,
    check_claims_parameter,
    claim_request,
    dumps,
    loads,
    parse_claims,
    released_claims,
    requested,
    requested_subject,
    scopes_of_claims,
)
from .common import NONCE, USER_PASSWORD, OpenIDCase, forget_test_session_cookie

USERINFO_PATH = "/orestapi/oauth2/userinfo"
EMAIL = "oauth2.user@example.com"


def claims_parameter(**members):
    return json.dumps(members)


class TestClaimsDocument(unittest.TestCase):
    """oauth/claims.py, without a database."""

    def test_release(self):
        document = {
            "id_token": {"email": None, "sub": {"value": "abc"}},
            "userinfo": {"address": {"essential": True}, "acr": None},
        }
        self.assertEqual(scopes_of_claims(document), ["email", "address"])
        self.assertEqual(scopes_of_claims(document, ["userinfo"]), ["address"])
        held = {
            "sub": "abc",
            "name": "Ann",
            "email": "a@example.com",
            "email_verified": False,
            "address": {"locality": "Pécs"},
        }
        self.assertEqual(
            released_claims(held, ["openid", "profile"], document, "id_token"),
            {"sub": "abc", "name": "Ann", "email": "a@example.com"},
        )
        self.assertEqual(
            released_claims(held, ["openid"], document, "userinfo"),
            {"sub": "abc", "address": {"locality": "Pécs"}},
        )
        self.assertEqual(
            released_claims(held, ["openid"], None, "id_token"), {"sub": "abc"}
        )
        self.assertEqual(requested_subject(document), "abc")
        self.assertEqual(claim_request(document, "userinfo", "acr"), {})
        self.assertEqual(
            claim_request(document, "userinfo", "address"), {"essential": True}
        )
        self.assertIsNone(claim_request(document, "id_token", "acr"))

    def test_only_approved_claims_are_kept(self):
        document = {
            "id_token": {"email": None, "acr": {"essential": True}},
            "userinfo": {"phone_number": None, "picture": None},
        }
        self.assertEqual(
            approved_only(document, ["openid", "email"]),
            {
                "id_token": {"email": None, "acr": {"essential": True}},
                "userinfo": {"picture": None},
            },
        )
        self.assertEqual(approved_only(None, ["openid"]), {})

    def test_stored_form(self):
        document = parse_claims('{"id_token": {"name": {"value": "\\u0000"}}, "x": 1}')
        stored = dumps(document)
        self.assertNotIn("\x00", stored)
        # only the members this provider reads are kept
        self.assertEqual(loads(stored), {"id_token": {"name": {"value": "\x00"}}})
        self.assertIsNone(dumps({"x": 1}))
        self.assertEqual(loads(None), {})

    def test_check_on_the_request(self):
        def authorization_request(scope, claims):
            query = urlencode({"scope": scope, "claims": claims})
            request = Request("https://odoo.test/authorize?" + query)
            request.scopes = scope.split()
            return request

        request = authorization_request("openid", '{"userinfo": {"email": null}}')
        self.assertEqual(check_claims_parameter(request), {})
        self.assertEqual(requested(request), {"userinfo": {"email": None}})
        with self.assertRaises(InvalidRequestError):
            check_claims_parameter(authorization_request("openid", "{"))
        plain = authorization_request("read", "{")
        check_claims_parameter(plain)
        self.assertIsNone(requested(plain))


class TestClaimsParameter(OpenIDCase):
    def userinfo(self, access_token):
        response = self.opener.get(
            self.base_url() + USERINFO_PATH,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def consented_scopes(self):
        consent = self.env["oauth2.consent"]._of(self.user, self.app)
        return set(consent.scope_ids.mapped("name"))

    def test_metadata_says_it_is_supported(self):
        metadata = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        self.assertIs(metadata["claims_parameter_supported"], True)

    def test_id_token_claim_without_its_scope_is_approved_on_the_consent_page(self):
        claims = claims_parameter(id_token={"email": None})
        page = self.authorize(scope="openid", claims=claims)
        self.assertEqual(page.status_code, 200, page.text[:300])
        # the page says what the application will see, and the consent keeps it
        self.assertIn("See your email address", page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        self.assertEqual(self.consented_scopes(), {"openid", "email"})
        tokens = self.assertTokenAnswer(self.exchange(code))
        id_token = self.verify(tokens["id_token"])
        self.assertEqual(id_token["email"], EMAIL)
        # only the claim asked for, not the rest of its scope's
        self.assertNotIn("email_verified", id_token)
        self.assertNotIn("name", id_token)
        # the token keeps the scopes asked for; userinfo was asked for nothing
        self.assertEqual(tokens["scope"], "openid")
        self.assertNotIn("email", self.userinfo(tokens["access_token"]))

    def test_consent_on_file_for_the_scopes_does_not_cover_more_claims(self):
        self.env["oauth2.consent"]._grant(self.user, self.app, ["openid"])
        claims = claims_parameter(userinfo={"phone_number": None})
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", claims=claims, prompt="none")
        )
        self.assertEqual(params["error"], "consent_required")
        page = self.authorize(scope="openid", claims=claims)
        self.assertIn("See your phone number", page.text)
        self.decide(page, "allow")
        # approved once, the claim is asked for without a page from then on
        params = self.assertRedirectsTo(
            self.authorize(scope="openid", claims=claims, prompt="none")
        )
        self.assertIn("code", params)

    def test_userinfo_claims(self):
        claims = claims_parameter(
            userinfo={"email": None, "phone_number": {"essential": True}}
        )
        tokens = self.code_tokens(scope="openid", claims=claims)
        userinfo = self.userinfo(tokens["access_token"])
        self.assertEqual(userinfo["email"], EMAIL)
        self.assertEqual(userinfo["phone_number"], "+36 1 234 5678")
        self.assertNotIn("email_verified", userinfo)
        id_token = self.verify(tokens["id_token"])
        self.assertEqual(userinfo["sub"], id_token["sub"])
        self.assertNotIn("email", id_token)
        self.assertNotIn("phone_number", id_token)

    def test_claims_of_scopes_the_application_may_not_obtain_are_not_released(self):
        phone = self.env["oauth2.scope"].search([("name", "=", "phone")])
        self.app.scope_ids = [(3, phone.id)]
        claims = claims_parameter(
            id_token={"phone_number": {"essential": True}},
            userinfo={"phone_number": None},
        )
        page = self.authorize(scope="openid", claims=claims)
        self.assertNotIn("See your phone number", page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        self.assertEqual(self.consented_scopes(), {"openid"})
        tokens = self.assertTokenAnswer(self.exchange(code))
        self.assertNotIn("phone_number", self.verify(tokens["id_token"]))
        self.assertNotIn("phone_number", self.userinfo(tokens["access_token"]))
        # allowed later, the scope was still never approved by this user
        self.app.scope_ids = [(4, phone.id)]
        self.assertNotIn("phone_number", self.userinfo(tokens["access_token"]))
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        }
        refreshed = self.assertTokenAnswer(
            self.token_request(refresh, auth=("integration", self.secret))
        )
        self.assertNotIn("phone_number", self.verify(refreshed["id_token"]))

    def test_essential_value_and_values_are_hints(self):
        # §5.5.1: the user's own values, and no error for a claim not held
        self.user.partner_id.tz = False
        claims = claims_parameter(
            id_token={
                "email": {"essential": True, "value": "someone@example.org"},
                "name": {"values": ["Somebody", "Nobody"]},
                "zoneinfo": {"essential": True},
                "picture": {"essential": True},
            }
        )
        tokens = self.code_tokens(scope="openid", claims=claims)
        id_token = self.verify(tokens["id_token"])
        self.assertEqual(id_token["email"], EMAIL)
        self.assertEqual(id_token["name"], "OAuth User")
        self.assertNotIn("zoneinfo", id_token)
        self.assertNotIn("picture", id_token)

    def test_sub_asked_with_another_users_value_is_refused(self):
        self.app.skip_consent = True
        codes = self.env["oauth2.authorization.code"]
        for prompt in (None, "none"):
            with self.subTest(prompt=prompt):
                claims = claims_parameter(id_token={"sub": {"value": "someone-else"}})
                params = self.assertRedirectsTo(
                    self.authorize(scope="openid", claims=claims, prompt=prompt)
                )
                self.assertEqual(params["error"], "login_required")
                self.assertEqual(params["state"], "xyz")
        self.assertFalse(codes.search([("application_id", "=", self.app.id)]))
        # the user's own sub is answered
        claims = claims_parameter(
            id_token={"sub": {"value": self.user._oidc_subject(self.app)}}
        )
        tokens = self.code_tokens(scope="openid", claims=claims)
        self.assertEqual(
            self.verify(tokens["id_token"])["sub"], self.user._oidc_subject(self.app)
        )

    def test_sub_asked_with_another_users_value_is_refused_after_the_login(self):
        self.app.skip_consent = True
        self.authenticate(None, None)
        claims = claims_parameter(id_token={"sub": {"value": "someone-else"}})
        login = self.authorize(scope="openid", claims=claims, login_hint="oauth2_user")
        location = urlsplit(login.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        page = self.opener.get(
            self.base_url() + f"{location.path}?{location.query}", timeout=30
        )
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        logged_in = self.opener.post(
            self.base_url() + "/web/login",
            data={
                "csrf_token": csrf,
                "login": self.user.login,
                "password": USER_PASSWORD,
                "redirect": parse_qs(location.query)["redirect"][0],
            },
            allow_redirects=False,
            timeout=30,
        )
        # the server's new cookie, after the login, as a browser has it
        forget_test_session_cookie(self.opener)
        back = self.opener.get(
            self.base_url() + logged_in.headers["Location"],
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(self.assertRedirectsTo(back)["error"], "login_required")

    def test_malformed_claims_get_invalid_request_at_the_redirect_uri(self):
        too_long = claims_parameter(id_token={"x" * MAX_CLAIMS_LENGTH: None})
        for claims in (
            "{",
            "null",
            "[]",
            '"id_token"',
            '{"id_token": []}',
            '{"userinfo": "email"}',
            '{"id_token": {"email": 1}}',
            '{"id_token": {"email": {"essential": "yes"}}}',
            '{"userinfo": {"email": {"values": "a"}}}',
            '{"id_token": {"email": NaN}}',
            "[" * 3000,
            too_long,
        ):
            with self.subTest(claims=claims[:40]):
                params = self.assertRedirectsTo(
                    self.authorize(scope="openid", claims=claims)
                )
                self.assertEqual(params["error"], "invalid_request")
                self.assertEqual(params["state"], "xyz")
                self.assertEqual(params["iss"], self.issuer())
        # in the implicit flow, in the fragment
        params = self.assertRedirectsTo(
            self.authorize(
                scope="openid",
                response_type="id_token token",
                nonce=NONCE,
                claims="{",
            ),
            fragment=True,
        )
        self.assertEqual(params["error"], "invalid_request")
        self.assertFalse(
            self.env["oauth2.authorization.code"].search(
                [("application_id", "=", self.app.id)]
            )
        )

    def test_claims_sent_twice_are_refused(self):
        query = "&".join(
            [
                "response_type=code",
                "client_id=integration",
                "redirect_uri=https%3A%2F%2Fclient.example.com%2Fcallback",
                "scope=openid",
                "state=xyz",
                "claims=%7B%7D",
                "claims=%7B%7D",
            ]
        )
        response = self.opener.get(
            f"{self.base_url()}/orestapi/oauth2/authorize?{query}",
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(self.assertRedirectsTo(response)["error"], "invalid_request")

    def test_plain_oauth2_request_ignores_claims(self):
        # claims is OpenID Connect's: a request without openid is not refused
        self.app.skip_consent = True
        params = self.assertRedirectsTo(self.authorize(scope="read", claims="{"))
        code = self.env["oauth2.authorization.code"]._find_by_code(params["code"])
        self.assertFalse(code.claims)

    def test_claims_are_kept_with_the_code_and_across_refreshes(self):
        self.app.skip_consent = True
        asked = {"id_token": {"email": None}, "userinfo": {"phone_number": None}}
        code = self.get_code(scope="openid", claims=json.dumps(asked))
        record = self.env["oauth2.authorization.code"]._find_by_code(code)
        self.assertEqual(loads(record.claims), asked)
        tokens = self.assertTokenAnswer(self.exchange(code))
        for _refresh in range(2):
            tokens = self.assertTokenAnswer(
                self.token_request(
                    {
                        "grant_type": "refresh_token",
                        "refresh_token": tokens["refresh_token"],
                    },
                    auth=("integration", self.secret),
                )
            )
            self.assertEqual(self.verify(tokens["id_token"])["email"], EMAIL)
            userinfo = self.userinfo(tokens["access_token"])
            self.assertEqual(userinfo["phone_number"], "+36 1 234 5678")
            self.assertNotIn("email", userinfo)
        token = self.env["oauth2.token"]._find_by_token(tokens["access_token"])
        self.assertEqual(loads(token.claims), asked)

    def test_a_token_request_cannot_add_claims(self):
        # only the authorization request the user approved says what is asked
        self.app.skip_consent = True
        code = self.get_code(scope="openid")
        tokens = self.assertTokenAnswer(
            self.exchange(code, claims=claims_parameter(id_token={"email": None}))
        )
        self.assertNotIn("email", self.verify(tokens["id_token"]))
        self.assertNotIn("email", self.userinfo(tokens["access_token"]))

    def test_implicit_flow(self):
        claims = claims_parameter(
            id_token={"email": None}, userinfo={"phone_number": None}
        )
        page = self.authorize(
            scope="openid", response_type="id_token token", nonce=NONCE, claims=claims
        )
        params = self.assertRedirectsTo(self.decide(page, "allow"), fragment=True)
        id_token = self.verify(params["id_token"])
        self.assertEqual(id_token["email"], EMAIL)
        self.assertNotIn("phone_number", id_token)
        userinfo = self.userinfo(params["access_token"])
        self.assertEqual(userinfo["phone_number"], "+36 1 234 5678")
        self.assertNotIn("email", userinfo)

    def test_acr_asked_for_is_kept_for_whoever_reads_it(self):
        # the sign-in strength reads the acr asked for from what is stored
        self.app.skip_consent = True
        acr = {"essential": True, "values": [ACR_PASSWORD]}
        code = self.get_code(
            scope="openid", claims=claims_parameter(id_token={"acr": acr})
        )
        record = self.env["oauth2.authorization.code"]._find_by_code(code)
        self.assertEqual(claim_request(loads(record.claims), "id_token", "acr"), acr)
