# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Sign-in strength: the amr and acr of Odoo's own logins (password, its
two-factor step), the levels a request or an application requires, the
second factor asked of a password-only session, and the level an
auth="oauth2" route requires (RFC 9470)."""

import json
import re
import unittest
from urllib.parse import urljoin

import jwt

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from ..oauth import acr
from .common import (
    TOTP_SECRET,
    USER_PASSWORD,
    OpenIDCase,
    forget_test_session_cookie,
    totp_code,
)

# auth_totp's cookie of a trusted device
TRUSTED_DEVICE = "td_id"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ESSENTIAL_MFA = json.dumps(
    {"id_token": {"acr": {"essential": True, "value": acr.ACR_MFA}}}
)


class TestAcrRequests(unittest.TestCase):
    """oauth/acr.py: what a request asks of the login; no database."""

    def test_essential_claim_values_and_minimum(self):
        asked = acr.acr_request(None, json.loads(ESSENTIAL_MFA))
        self.assertEqual(asked.required, acr.ACR_MFA)
        self.assertEqual(acr.acr_claim(asked, acr.ACR_MFA), acr.ACR_MFA)
        either = {"values": [acr.ACR_MFA, acr.ACR_PASSWORD], "essential": True}
        asked = acr.acr_request(None, {"id_token": {"acr": either}})
        self.assertEqual(asked.required, acr.ACR_PASSWORD)
        # the strongest of the accepted values the login meets
        self.assertEqual(acr.acr_claim(asked, acr.ACR_MFA), acr.ACR_MFA)
        asked = acr.acr_request(None, {}, minimum_acr=acr.ACR_MFA)
        self.assertEqual(asked.required, acr.ACR_MFA)

    def test_voluntary_values_are_wanted_not_required(self):
        asked = acr.acr_request(f"urn:other {acr.ACR_MFA}", None)
        self.assertIsNone(asked.required)
        self.assertEqual(asked.wanted, acr.ACR_MFA)
        asked = acr.acr_request(None, None, default_acr_values=[acr.ACR_MFA])
        self.assertEqual(asked.wanted, acr.ACR_MFA)
        # acr_values go before the application's defaults
        asked = acr.acr_request(acr.ACR_PASSWORD, None, [acr.ACR_MFA])
        self.assertEqual(asked.wanted, acr.ACR_PASSWORD)

    def test_unknown_essential_values_cannot_be_met(self):
        claims = {"id_token": {"acr": {"essential": True, "values": ["urn:x"]}}}
        self.assertTrue(acr.acr_request(None, claims).unmeetable)

    def test_malformed_claims_ask_nothing(self):
        for claims in (
            None,
            "text",
            [1],
            {"id_token": 3},
            {"id_token": {"acr": {"essential": True, "values": "x"}}},
            {"id_token": {"acr": {"essential": "yes", "value": acr.ACR_MFA}}},
        ):
            with self.subTest(claims=claims):
                asked = acr.acr_request(None, claims)
                self.assertIsNone(asked.required)
                self.assertFalse(asked.unmeetable)

    def test_amr_and_levels(self):
        self.assertEqual(acr.login_amr("password"), ["pwd"])
        self.assertEqual(acr.login_amr("ldap"), ["pwd"])
        self.assertEqual(acr.login_amr("oauth"), [])
        self.assertEqual(acr.session_acr(["pwd"]), acr.ACR_PASSWORD)
        stepped_up = acr.with_second_factor(["pwd"])
        self.assertEqual(stepped_up, ["pwd", "otp", "mfa"])
        self.assertEqual(acr.session_acr(stepped_up), acr.ACR_MFA)
        self.assertEqual(acr.session_acr(acr.login_amr("passkey")), acr.ACR_MFA)
        self.assertFalse(acr.token_meets(None, acr.ACR_PASSWORD))
        self.assertFalse(acr.token_meets(acr.ACR_PASSWORD, acr.ACR_MFA))
        self.assertTrue(acr.token_meets(acr.ACR_MFA, acr.ACR_PASSWORD))


@tagged("post_install", "-at_install")
class TestAuthenticationStrength(OpenIDCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "totp_secret" not in cls.env["res.users"]._fields:
            raise unittest.SkipTest("auth_totp is not installed")
        cls.totp_user = new_test_user(
            cls.env, login="oauth2_totp_user", password=USER_PASSWORD
        )
        cls.totp_user.sudo().totp_secret = TOTP_SECRET

    def setUp(self):
        super().setUp()
        # Odoo's login cooldown counts failures by address, for every test:
        # those of earlier tests must not refuse this one's logins
        self.clear_login_failures()
        self.addCleanup(self.clear_login_failures)

    def clear_login_failures(self):
        getattr(self.registry, "_login_failures", {}).clear()

    # Odoo's own login, over HTTP

    def web_login(self, login, second_factor=None, remember=False):
        """Log in through Odoo's login page in a new browser session, and its
        two-factor step: with ``second_factor``'s code, or a trusted device
        cookie kept from an earlier login."""
        trusted_device = self.opener.cookies.get(TRUSTED_DEVICE)
        self.authenticate(None, None)
        forget_test_session_cookie(self.opener)
        if trusted_device:
            self.opener.cookies.set(TRUSTED_DEVICE, trusted_device)
        page = self.opener.get(self.base_url() + "/web/login", timeout=30)
        response = self.opener.post(
            self.base_url() + "/web/login",
            data={
                "login": login,
                "password": USER_PASSWORD,
                "csrf_token": CSRF.search(page.text)[1],
            },
            allow_redirects=False,
            timeout=30,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        if "/web/login/totp" not in response.headers["Location"]:
            return
        page = self.opener.get(
            self.base_url() + "/web/login/totp", allow_redirects=False, timeout=30
        )
        if trusted_device:
            # the device is trusted: logged in without a code
            self.assertIn(page.status_code, (302, 303), page.text[:300])
            return
        data = {"totp_token": second_factor, "csrf_token": CSRF.search(page.text)[1]}
        if remember:
            data["remember"] = "on"
        response = self.opener.post(
            self.base_url() + "/web/login/totp",
            data=data,
            # Odoo names the trusted device after the browser
            headers={"User-Agent": BROWSER},
            allow_redirects=False,
            timeout=30,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])

    def id_token_of(self, **params):
        tokens = self.code_tokens(scope="openid", **params)
        return tokens, self.verify(tokens["id_token"])

    def as_totp_user(self):
        """The TOTP user's browser session, logged in from a device they had
        Odoo trust at an earlier login: no code this time, so no second
        factor in this session."""
        # the earlier step's code, so that 19.0, which refuses a code older
        # than the last one used, takes the current one afterwards
        self.web_login(
            self.totp_user.login, second_factor=totp_code(offset=-1), remember=True
        )
        self.assertTrue(self.opener.cookies.get(TRUSTED_DEVICE))
        self.web_login(self.totp_user.login)

    def second_factor_page(self, **params):
        page = self.authorize(scope="openid", nonce="n", **params)
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn('name="totp_token"', page.text)
        return page

    def post_second_factor(self, page, code, csrf=True):
        data = {"decision": "second_factor", "totp_token": code}
        if csrf:
            data["csrf_token"] = CSRF.search(page.text)[1]
        return self.opener.post(page.url, data=data, allow_redirects=False, timeout=30)

    # How the user logged in

    def test_password_login_is_pwd_and_the_password_level(self):
        self.web_login(self.user.login)
        _tokens, claims = self.id_token_of()
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertEqual(claims["acr"], acr.ACR_PASSWORD)

    def test_trusted_device_is_no_second_factor(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        _tokens, claims = self.id_token_of()
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertEqual(claims["acr"], acr.ACR_PASSWORD)

    def test_two_factor_login_is_otp_and_the_mfa_level(self):
        self.web_login(self.totp_user.login, second_factor=totp_code())
        self.authenticate_app_for(self.totp_user)
        _tokens, claims = self.id_token_of(claims=ESSENTIAL_MFA)
        self.assertEqual(claims["amr"], ["pwd", "otp", "mfa"])
        self.assertEqual(claims["acr"], acr.ACR_MFA)

    def authenticate_app_for(self, user):
        self.env["oauth2.consent"]._grant(user, self.app, ["openid"])

    def test_metadata_advertises_the_levels(self):
        metadata = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        self.assertEqual(
            metadata["acr_values_supported"], [acr.ACR_PASSWORD, acr.ACR_MFA]
        )
        self.assertTrue({"acr", "amr"} <= set(metadata["claims_supported"]))

    # The level a request or the application requires

    def test_essential_mfa_asks_the_second_factor_and_goes_on(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        page = self.second_factor_page(claims=ESSENTIAL_MFA)
        response = self.post_second_factor(page, totp_code())
        self.assertEqual(response.status_code, 303)
        again = urljoin(self.base_url(), response.headers["Location"])
        answer = self.assertRedirectsTo(
            self.opener.get(again, allow_redirects=False, timeout=30)
        )
        tokens = self.assertTokenAnswer(self.exchange(answer["code"]))
        claims = self.verify(tokens["id_token"])
        self.assertEqual(claims["acr"], acr.ACR_MFA)
        self.assertIn("otp", claims["amr"])
        # the session's login has its second factor now: not asked again
        _tokens, claims = self.id_token_of(claims=ESSENTIAL_MFA)
        self.assertEqual(claims["acr"], acr.ACR_MFA)

    def test_user_without_second_factor_is_refused_at_the_client(self):
        self.web_login(self.user.login)
        for params in (
            {"claims": ESSENTIAL_MFA},
            {
                "claims": json.dumps(
                    {"id_token": {"acr": {"essential": True, "value": "urn:x"}}}
                )
            },
        ):
            with self.subTest(params=params):
                answer = self.assertRedirectsTo(
                    self.authorize(scope="openid", **params)
                )
                self.assertEqual(answer["error"], "unmet_authentication_requirements")
                self.assertNotIn("code", answer)
        self.app.minimum_acr = acr.ACR_MFA
        answer = self.assertRedirectsTo(self.authorize(scope="openid"))
        self.assertEqual(answer["error"], "unmet_authentication_requirements")

    def test_voluntary_level_that_cannot_be_met_is_just_not_met(self):
        self.web_login(self.user.login)
        _tokens, claims = self.id_token_of(acr_values=acr.ACR_MFA)
        self.assertEqual(claims["acr"], acr.ACR_PASSWORD)
        self.app.default_acr_values = acr.ACR_MFA
        _tokens, claims = self.id_token_of()
        self.assertEqual(claims["acr"], acr.ACR_PASSWORD)

    def test_voluntary_level_asks_a_user_who_can_give_it(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        self.second_factor_page(acr_values=acr.ACR_MFA)
        self.app.default_acr_values = acr.ACR_MFA
        self.second_factor_page()

    def test_application_minimum_asks_the_second_factor(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        self.app.minimum_acr = acr.ACR_MFA
        page = self.second_factor_page()
        # Cancel: access_denied at the client, no code
        response = self.opener.post(
            page.url,
            data={"decision": "deny", "csrf_token": CSRF.search(page.text)[1]},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(self.assertRedirectsTo(response)["error"], "access_denied")

    def test_application_minimum_holds_at_the_token_endpoint(self):
        """A password grant is a password alone; a refresh keeps the level of
        its grant's login, so a raised minimum ends weaker grants."""
        self.app.minimum_acr = acr.ACR_PASSWORD
        body = self.assertTokenAnswer(self.password_grant(scope="read"))
        self.app.minimum_acr = acr.ACR_MFA
        self.assertOAuthError(self.password_grant(scope="read"), "unauthorized_client")
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
        }
        self.assertOAuthError(
            self.token_request(refresh, auth=("integration", self.secret)),
            "invalid_grant",
        )
        # a grant whose login gave the second factor goes on
        self.app.minimum_acr = False
        self.web_login(self.totp_user.login, second_factor=totp_code())
        self.authenticate_app_for(self.totp_user)
        tokens = self.code_tokens(scope="openid")
        self.app.minimum_acr = acr.ACR_MFA
        refresh["refresh_token"] = tokens["refresh_token"]
        self.assertTokenAnswer(
            self.token_request(refresh, auth=("integration", self.secret))
        )

    def test_prompt_none_cannot_ask_the_second_factor(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        answer = self.assertRedirectsTo(
            self.authorize(scope="openid", prompt="none", claims=ESSENTIAL_MFA)
        )
        self.assertEqual(answer["error"], "login_required")

    def test_default_acr_values_are_levels_of_this_server(self):
        with self.assertRaises(ValidationError):
            self.app.default_acr_values = "urn:somewhere:else"

    # The second factor page

    def test_second_factor_post_without_csrf_token_is_refused(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        page = self.second_factor_page(claims=ESSENTIAL_MFA)
        response = self.post_second_factor(page, totp_code(), csrf=False)
        self.assertEqual(response.status_code, 400)
        # nothing was recorded: the second factor is still asked
        self.second_factor_page(claims=ESSENTIAL_MFA)

    def test_wrong_codes_are_refused_then_rate_limited(self):
        self.as_totp_user()
        self.authenticate_app_for(self.totp_user)
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 3)
        page = self.second_factor_page(claims=ESSENTIAL_MFA)
        wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
        for code in ("12", wrong, wrong, wrong):
            response = self.post_second_factor(page, code)
            self.assertEqual(response.status_code, 200)
            self.assertIn("alert-danger", response.text)
        # Odoo's login cooldown: even the right code waits now
        response = self.post_second_factor(page, totp_code())
        self.assertEqual(response.status_code, 200)
        self.assertIn("alert-danger", response.text)
        self.second_factor_page(claims=ESSENTIAL_MFA)

    # Tokens carry the login's strength

    def test_jwt_access_token_introspection_and_refresh_carry_acr_and_amr(self):
        self.app.access_token_format = "jwt"
        self.web_login(self.user.login)
        tokens, _claims = self.id_token_of()
        access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
        self.assertEqual(access["acr"], acr.ACR_PASSWORD)
        self.assertEqual(access["amr"], ["pwd"])
        body = self.http_request(
            "POST",
            "/orestapi/oauth2/introspect",
            data={"token": tokens["access_token"]},
            auth=("integration", self.secret),
        ).json()
        self.assertEqual((body["acr"], body["amr"]), (acr.ACR_PASSWORD, ["pwd"]))
        self.assertIn("auth_time", body)
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                },
                auth=("integration", self.secret),
            )
        )
        self.assertEqual(self.verify(refreshed["id_token"])["amr"], ["pwd"])

    # A route that requires a level (RFC 9470)

    def test_route_requiring_a_level_challenges_weaker_tokens(self):
        record, access_token, _refresh = self.issue_token()
        path = self.base_url() + "/orestapi_oauth2_test/strong"
        headers = {"Authorization": f"Bearer {access_token}"}
        response = self.opener.get(path, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 401)
        challenge = response.headers["WWW-Authenticate"]
        self.assertIn('error="insufficient_user_authentication"', challenge)
        self.assertIn(f'acr_values="{acr.ACR_MFA}"', challenge)
        self.assertEqual(response.json()["error"], "insufficient_user_authentication")
        self.env.cr.execute(
            "UPDATE oauth2_token SET acr = %s WHERE id = %s", (acr.ACR_MFA, record.id)
        )
        response = self.opener.get(path, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 200, response.text)
