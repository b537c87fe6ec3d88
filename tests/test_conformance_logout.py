# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The OpenID Foundation's logout OP plans, RP-Initiated, Back-Channel and
Front-Channel Logout, re-implemented module by module (see
readme/DESIGN.rst, *Conformance*), over real HTTP, the id_tokens and logout
tokens checked by tests/clients/conformance_rp.mjs."""

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import lxml.html
from cryptography.hazmat.primitives.asymmetric import rsa

from .common import (
    ConformanceCase,
    answer_status,
    loopback_server,
)

NOT_YET = {}
POST_LOGOUT_URI = "https://client.example.com/post_logout_redirect"
END_SESSION_PATH = "/orestapi/oauth2/logout"
FRONTCHANNEL_URI = "https://client.example.com/frontchannel_logout"


class LogoutCase(ConformanceCase):
    NOT_YET = NOT_YET

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.post_logout_redirect_uris = POST_LOGOUT_URI

    def signed_in(self):
        """The id_token and claims of a code flow of the browser's user."""
        result = self.sign_in("code")
        return result["tokens"]["id_token"], result["claims"]

    def end_session(self, **params):
        url = f"{self.base_url()}{END_SESSION_PATH}?{urlencode(params)}"
        return self.opener.get(url, allow_redirects=False, timeout=30)

    def assertReturnedTo(self, response, state=None):
        """The post-logout redirect, with ``state`` if any (§3)."""
        self.assertEqual(response.status_code, 302, response.text[:500])
        location = urlsplit(response.headers["Location"])
        self.assertEqual(
            f"{location.scheme}://{location.netloc}{location.path}", POST_LOGOUT_URI
        )
        query = parse_qs(location.query)
        self.assertEqual(query.get("state"), [state] if state else None)

    def assertNotReturned(self, response):
        """Not sent back: an error page, or a page asking the user."""
        self.assertIn(response.status_code, (200, 400), response.text[:500])
        self.assertNotIn(POST_LOGOUT_URI, response.headers.get("Location", ""))

    def assertLoggedOutEverywhere(self):
        """The session is over, and a silent login fails (§3.1.2.6)."""
        self.use_server_cookie()
        self.assertFalse(self.session_uid())
        params = self.answer(self.send("code", prompt="none"), "code")
        self.assertAnswerError(params, "login_required", "interaction_required")

    def confirm_logout(self, page):
        """The user confirms on the server's page; the logged-out page."""
        self.assertEqual(page.status_code, 200, page.text[:500])
        response = self.submit(page, {"decision": "log_out"})
        while response.is_redirect:
            self.use_server_cookie()
            location = response.headers["Location"]
            if not location.startswith("/"):
                return response
            response = self.opener.get(
                self.base_url() + location, allow_redirects=False, timeout=30
            )
        return response


class TestRpInitiatedLogoutPlan(LogoutCase):
    """oidcc-rp-initiated-logout-certification-test-plan (RP-Initiated OP)."""

    PLAN = "RP-Initiated Logout"

    def test_oidcc_rp_initiated_logout_discovery_endpoint_verification(self):
        metadata = self.discovery()
        self.assertEqual(
            metadata["end_session_endpoint"], self.issuer() + END_SESSION_PATH
        )

    def test_oidcc_rp_initiated_logout(self):
        id_token, _claims = self.signed_in()
        response = self.end_session(
            id_token_hint=id_token,
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="logout-state",
        )
        self.assertReturnedTo(response, "logout-state")
        self.assertLoggedOutEverywhere()

    def test_oidcc_rp_initiated_logout_bad_post_logout_redirect_uri(self):
        id_token, _claims = self.signed_in()
        self.assertNotReturned(
            self.end_session(
                id_token_hint=id_token,
                post_logout_redirect_uri="https://client.example.com/not-registered",
                state="logout-state",
            )
        )

    def test_oidcc_rp_initiated_logout_modified_id_token_hint(self):
        id_token, _claims = self.signed_in()
        _header, payload, _signature = id_token.split(".")
        header = base64.urlsafe_b64encode(
            json.dumps({"alg": "none", "typ": "JWT"}).encode()
        ).rstrip(b"=")
        self.assertNotReturned(
            self.end_session(
                id_token_hint=f"{header.decode()}.{payload}.",
                post_logout_redirect_uri=POST_LOGOUT_URI,
                state="logout-state",
            )
        )

    def test_oidcc_rp_initiated_logout_no_id_token_hint(self):
        self.signed_in()
        self.assertNotReturned(
            self.end_session(
                client_id="integration",
                post_logout_redirect_uri=POST_LOGOUT_URI,
                state="logout-state",
            )
        )

    def test_oidcc_rp_initiated_logout_no_params(self):
        self.signed_in()
        page = self.confirm_logout(self.end_session())
        self.assertEqual(page.status_code, 200)
        self.assertLoggedOutEverywhere()

    def test_oidcc_rp_initiated_logout_no_post_logout_redirect_uri(self):
        id_token, _claims = self.signed_in()
        response = self.end_session(id_token_hint=id_token)
        # logged out at once, then the logged-out page
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(response.headers["Location"].startswith(END_SESSION_PATH))
        self.assertLoggedOutEverywhere()

    def test_oidcc_rp_initiated_logout_no_state(self):
        id_token, _claims = self.signed_in()
        response = self.end_session(
            id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT_URI
        )
        self.assertReturnedTo(response)
        self.assertLoggedOutEverywhere()

    def test_oidcc_rp_initiated_logout_only_state(self):
        self.signed_in()
        page = self.confirm_logout(self.end_session(state="logout-state"))
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(POST_LOGOUT_URI, page.text)
        self.assertLoggedOutEverywhere()

    def test_oidcc_rp_initiated_logout_query_added_to_post_logout_redirect_uri(self):
        id_token, _claims = self.signed_in()
        self.assertNotReturned(
            self.end_session(
                id_token_hint=id_token,
                post_logout_redirect_uri=POST_LOGOUT_URI + "?foo=bar",
                state="logout-state",
            )
        )

    def test_oidcc_rp_initiated_logout_bad_id_token_hint(self):
        _id_token, claims = self.signed_in()
        # the same claims, signed by the test's own key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "suite"})
        self.assertNotReturned(
            self.end_session(
                id_token_hint=forged,
                post_logout_redirect_uri=POST_LOGOUT_URI,
                state="logout-state",
            )
        )


class TestBackChannelLogoutPlan(LogoutCase):
    """oidcc-backchannel-rp-initiated-logout-certification-test-plan
    (Back-Channel OP)."""

    PLAN = "Back-Channel Logout"

    def test_oidcc_backchannel_logout_discovery_endpoint_verification(self):
        metadata = self.discovery()
        self.assertIs(metadata["backchannel_logout_supported"], True)
        # certification asks for sid in id_tokens and logout tokens
        self.assertIs(metadata["backchannel_logout_session_supported"], True)
        self.assertTrue(metadata["end_session_endpoint"])

    def test_oidcc_backchannel_rp_initiated_logout(self):
        self.allow_loopback_calls()
        receiver = loopback_server(self, answer_status(200))
        self.app.backchannel_logout_uri = receiver.url
        self.env.flush_all()
        id_token, claims = self.signed_in()
        self.assertTrue(claims["sid"])
        response = self.end_session(
            id_token_hint=id_token,
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="logout-state",
        )
        self.assertReturnedTo(response, "logout-state")
        self.env.invalidate_all()
        self.env["oauth2.logout.notification"]._cron_deliver()
        [(_path, body)] = receiver.requests
        [logout_token] = parse_qs(body.decode())["logout_token"]
        logout = self.rp.check(
            "logout_token",
            issuer=self.issuer(),
            client_id="integration",
            logout_token=logout_token,
        )["claims"]
        self.assertEqual(logout["sid"], claims["sid"])
        self.assertEqual(logout["sub"], claims["sub"])
        self.assertLoggedOutEverywhere()


class TestFrontChannelLogoutPlan(LogoutCase):
    """oidcc-frontchannel-rp-initiated-logout-certification-test-plan
    (Front-Channel OP)."""

    PLAN = "Front-Channel Logout"

    def test_oidcc_frontchannel_logout_discovery_endpoint_verification(self):
        metadata = self.discovery()
        self.assertIs(metadata["frontchannel_logout_supported"], True)
        self.assertIs(metadata["frontchannel_logout_session_supported"], True)
        self.assertTrue(metadata["end_session_endpoint"])

    def test_oidcc_frontchannel_rp_initiated_logout(self):
        self.app.write(
            {
                "frontchannel_logout_uri": FRONTCHANNEL_URI,
                "frontchannel_logout_session_required": True,
            }
        )
        self.env.flush_all()
        id_token, claims = self.signed_in()
        page = self.end_session(
            id_token_hint=id_token,
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="logout-state",
        )
        # Front-Channel Logout §4: the RP's URI rendered in a frame, with
        # iss and sid, before the post-logout redirect
        self.assertEqual(page.status_code, 200, page.text[:500])
        frames = lxml.html.fromstring(page.text).xpath("//iframe/@src")
        [frame] = [src for src in frames if src.startswith(FRONTCHANNEL_URI)]
        query = parse_qs(urlsplit(frame).query)
        self.assertEqual(query["iss"], [self.issuer()])
        self.assertEqual(query["sid"], [claims["sid"]])
        self.assertIn(POST_LOGOUT_URI, page.text)
        self.assertIn("logout-state", page.text)
        self.assertLoggedOutEverywhere()
