# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect Front-Channel Logout 1.0: the applications' front-channel
logout URIs, and the page of hidden frames that a logout renders, through
the end-session endpoint and through Odoo's own logout, before the user goes
on."""

import base64
import hashlib
import json
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user

from ..oauth import routes
from .common import (
    AUTHORIZE_PATH,
    BROWSER_DIR,
    REDIRECT_URI,
    TOKEN_PATH,
    USER_PASSWORD,
    OpenIDCase,
    require_external_clients,
    run_node,
)

POST_LOGOUT_URI = "https://client.example.com/logged-out"
FRONTCHANNEL_URI = "https://client.example.com/frontchannel-logout?tenant=1"
OTHER_REDIRECT_URI = "https://other.example.com/callback"
OTHER_FRONTCHANNEL_URI = "https://other.example.com/fcl"
FRONTCHANNEL_LOGOUT_FLOW_SCRIPT = BROWSER_DIR / "frontchannel_logout_flow.mjs"


class RelyingParty:
    """A relying party's site on 127.0.0.1, another origin than Odoo's: it
    answers every GET with a small page and records the path, query and
    Sec-Fetch-Dest (what the browser loaded it as) of each, in order."""

    def __init__(self):
        self.requests = []
        relying_party = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                relying_party.requests.append(
                    {
                        "path": parts.path,
                        "query": parse_qs(parts.query),
                        "dest": self.headers.get("Sec-Fetch-Dest"),
                        "at": time.monotonic(),
                    }
                )
                body = b"<!DOCTYPE html><title>RP</title><p>relying party</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def requested(self, path):
        return [request for request in self.requests if request["path"] == path]


class LogoutPage(HTMLParser):
    """What a browser reads of the front-channel logout page: the frames'
    addresses, the scripts' texts and the link to go on, with every
    attribute decoded as the browser decodes it."""

    def __init__(self, text):
        super().__init__()
        self.frames = []
        self.frame_attributes = []
        self.scripts = []
        self.links = {}
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "iframe":
            self.frames.append(attributes.get("src"))
            self.frame_attributes.append(attributes)
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")
        elif tag == "a" and "id" in attributes:
            self.links[attributes["id"]] = attributes.get("href")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


class FrontchannelCase(OpenIDCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        openid = cls.env["oauth2.scope"].search([("name", "=", "openid")])
        cls.app.write(
            {
                "post_logout_redirect_uris": POST_LOGOUT_URI,
                "frontchannel_logout_uri": FRONTCHANNEL_URI,
                "frontchannel_logout_session_required": True,
            }
        )
        cls.other_app.write(
            {
                "redirect_uris": OTHER_REDIRECT_URI,
                "scope_ids": [(6, 0, openid.ids)],
                "frontchannel_logout_uri": OTHER_FRONTCHANNEL_URI,
            }
        )
        # signs in too, but registered no front-channel logout URI
        cls.silent_secret = "test-secret-for-the-silent-application"
        cls.silent_app = cls.env["oauth2.application"].create(
            {
                "name": "Silent",
                "client_id": "silent",
                "client_secret": cls.silent_secret,
                "redirect_uris": REDIRECT_URI,
                "scope_ids": [(6, 0, openid.ids)],
            }
        )
        cls.other_user = new_test_user(
            cls.env, login="oauth2_fcl_other", password=USER_PASSWORD
        )

    def sign_in(self, application, secret, redirect_uri=REDIRECT_URI):
        """The claims of the id_token of a code flow with openid for
        ``application``, through the test's browser session."""
        page = self.authorize(
            scope="openid", client_id=application.client_id, redirect_uri=redirect_uri
        )
        if page.status_code == 200:
            page = self.decide(page, "allow")
        code = self.assertRedirectsTo(page, base=redirect_uri)["code"]
        tokens = self.assertTokenAnswer(
            self.exchange(
                code, auth=(application.client_id, secret), redirect_uri=redirect_uri
            )
        )
        return tokens["id_token"], self.verify(
            tokens["id_token"], audience=application.client_id
        )

    def sign_in_everywhere(self):
        """Sign into the three applications; the id_token and claims of the
        first."""
        id_token, claims = self.sign_in(self.app, self.secret)
        _id_token, other_claims = self.sign_in(
            self.other_app, self.other_secret, OTHER_REDIRECT_URI
        )
        _id_token, silent_claims = self.sign_in(self.silent_app, self.silent_secret)
        self.assertEqual(other_claims["sid"], claims["sid"])
        self.assertEqual(silent_claims["sid"], claims["sid"])
        return id_token, claims

    def assertFramesPage(self, response):
        """The front-channel logout page, as a browser reads it, after
        checking its headers and its one script against its policy."""
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        # standards mode, not quirks
        self.assertTrue(response.text.lstrip().startswith("<!DOCTYPE html>"))
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Referrer-Policy"], "no-referrer")
        page = LogoutPage(response.text)
        policy = dict(
            (directive.split(" ", 1) + [""])[:2]
            for directive in response.headers["Content-Security-Policy"].split("; ")
        )
        self.assertEqual(policy["default-src"], "'none'")
        self.assertEqual(policy["frame-ancestors"], "'none'")
        [script] = page.scripts
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        self.assertEqual(policy["script-src"], f"'sha256-{digest}'")
        self.assertEqual(
            set(policy["frame-src"].split()),
            {
                "{0.scheme}://{0.netloc}".format(urlsplit(frame))
                for frame in page.frames
            },
        )
        for attributes in page.frame_attributes:
            self.assertIn("hidden", attributes)
        return page

    def assertLoggedOut(self):
        self.assertFalse(self.session_uid())


class TestFrontchannelLogout(FrontchannelCase):
    def test_metadata(self):
        discovery = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        self.assertIs(discovery["frontchannel_logout_supported"], True)
        self.assertIs(discovery["frontchannel_logout_session_supported"], True)

    def test_end_session_loads_the_frames_of_the_sessions_applications(self):
        id_token, claims = self.sign_in_everywhere()
        # another user's session, and another session of this user, signed
        # into the other application: none of theirs is loaded
        sessions = self.env["oauth2.session"]
        sessions._record("another-users-session", self.other_user, self.other_app)
        sessions._record("another-session", self.user, self.app)
        response = self.opener.get(
            self.base_url() + routes.END_SESSION,
            params={
                "id_token_hint": id_token,
                "post_logout_redirect_uri": POST_LOGOUT_URI,
                "state": "bye",
            },
            allow_redirects=False,
            timeout=30,
        )
        page = self.assertFramesPage(response)
        self.assertEqual(len(page.frames), 2, page.frames)
        first, second = page.frames
        # iss and sid for the application that asked for them, after the
        # query it registered
        parts = urlsplit(first)
        self.assertEqual(
            f"{parts.scheme}://{parts.netloc}{parts.path}",
            FRONTCHANNEL_URI.split("?")[0],
        )
        self.assertEqual(
            parse_qs(parts.query),
            {"tenant": ["1"], "iss": [self.issuer()], "sid": [claims["sid"]]},
        )
        self.assertEqual(claims["iss"], self.issuer())
        # the other one asked for nothing
        self.assertEqual(second, OTHER_FRONTCHANNEL_URI)
        # then the post-logout redirect, state included
        self.assertEqual(
            page.links["o_oauth2_continue"], POST_LOGOUT_URI + "?state=bye"
        )
        self.assertLoggedOut()
        # the sessions of this browser are over; the others are not
        self.env.invalidate_all()
        self.assertFalse(sessions.search([("sid", "=", claims["sid"])]))
        self.assertEqual(
            set(sessions.search([]).mapped("sid")),
            {"another-users-session", "another-session"},
        )

    def test_end_session_without_return_address(self):
        id_token, _claims = self.sign_in(self.app, self.secret)
        page = self.assertFramesPage(
            self.opener.get(
                self.base_url() + routes.END_SESSION,
                params={"id_token_hint": id_token},
                allow_redirects=False,
                timeout=30,
            )
        )
        self.assertEqual(len(page.frames), 1)
        self.assertEqual(
            urlsplit(page.links["o_oauth2_continue"]).path, routes.END_SESSION
        )
        self.assertLoggedOut()

    def test_odoo_logout_loads_the_frames(self):
        _id_token, claims = self.sign_in_everywhere()
        response = self.opener.get(
            self.base_url() + "/web/session/logout",
            params={"redirect": "/web/login"},
            allow_redirects=False,
            timeout=30,
        )
        page = self.assertFramesPage(response)
        self.assertEqual(
            [urlsplit(frame).netloc for frame in page.frames],
            ["client.example.com", "other.example.com"],
        )
        self.assertEqual(
            parse_qs(urlsplit(page.frames[0]).query)["sid"], [claims["sid"]]
        )
        self.assertEqual(urlsplit(page.links["o_oauth2_continue"]).path, "/web/login")
        self.assertLoggedOut()

    def test_a_new_login_asked_by_the_authorization_endpoint_loads_the_frames(self):
        """prompt=login ends the session before the login page: the
        applications of the ended session are told on the way."""
        _id_token, claims = self.sign_in(self.app, self.secret)
        page = self.authorize(scope="openid", prompt="login")
        self.assertIn('value="reauthenticate"', page.text)
        response = self.decide(page, "reauthenticate")
        frames = self.assertFramesPage(response)
        [frame] = frames.frames
        self.assertEqual(parse_qs(urlsplit(frame).query)["sid"], [claims["sid"]])
        login_page = urlsplit(frames.links["o_oauth2_continue"])
        self.assertEqual(login_page.path, "/web/login")
        self.assertTrue(
            parse_qs(login_page.query)["redirect"][0].startswith(AUTHORIZE_PATH)
        )

    def test_the_continue_link_stays_on_this_server(self):
        """Odoo's logout keeps its redirect parameter local: so does the
        page's link, which its script follows."""
        for redirect in (
            "javascript:alert(1)//https://evil.example/",
            # a browser drops the tab and reads the backslash as a slash
            "/\t/evil.example/",
            "/\\evil.example/",
        ):
            with self.subTest(redirect=redirect):
                self.authenticate(self.user.login, USER_PASSWORD)
                self.sign_in(self.app, self.secret)
                response = self.opener.get(
                    self.base_url() + "/web/session/logout",
                    params={"redirect": redirect},
                    allow_redirects=False,
                    timeout=30,
                )
                link = self.assertFramesPage(response).links["o_oauth2_continue"]
                self.assertNotRegex(link, r"[\x00-\x20\x7f\\]")
                followed = urlsplit(urljoin(response.url, link))
                self.assertEqual(
                    f"{followed.scheme}://{followed.netloc}", self.base_url(), link
                )

    def test_logout_without_frames_redirects_as_before(self):
        self.sign_in(self.silent_app, self.silent_secret)
        response = self.opener.get(
            self.base_url() + "/web/session/logout",
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertLoggedOut()

    def test_archived_application_is_not_loaded(self):
        self.sign_in(self.app, self.secret)
        self.app.active = False
        response = self.opener.get(
            self.base_url() + "/web/session/logout",
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(response.status_code, 303, response.text[:300])

    def test_a_hostile_uri_stays_in_its_attribute(self):
        hostile = (
            'https://client.example.com/fcl?a="><script>alert(1)</script>'
            "&b='onload='alert(2)"
        )
        self.app.frontchannel_logout_uri = hostile
        self.app.frontchannel_logout_session_required = False
        self.sign_in(self.app, self.secret)
        response = self.opener.get(
            self.base_url() + "/web/session/logout",
            allow_redirects=False,
            timeout=30,
        )
        page = self.assertFramesPage(response)
        # the browser reads back exactly the URI registered, and no other
        # script than the page's own
        self.assertEqual(page.frames, [hostile])
        self.assertNotIn("alert(", "".join(page.scripts))
        self.assertEqual(
            set(page.frame_attributes[0]), {"class", "src", "title", "hidden"}
        )


class TestFrontchannelLogoutUri(FrontchannelCase):
    def test_refused(self):
        for uri in (
            "javascript:alert(1)//client.example.com/",
            "http://client.example.com/fcl",
            "https://client.example.com/fcl#fragment",
            "https://user@client.example.com/fcl",
            "/relative/fcl",
            "com.example.app:/fcl",
            # not the origin of a redirect URI (§2)
            "https://elsewhere.example.com/fcl",
            "https://client.example.com:8443/fcl",
        ):
            with self.subTest(uri=uri), self.assertRaises(ValidationError):
                self.app.frontchannel_logout_uri = uri

    def test_accepted(self):
        self.app.frontchannel_logout_uri = "https://client.example.com/a/b?c=d"
        self.app.write(
            {
                "redirect_uris": "http://127.0.0.1:8080/callback",
                "frontchannel_logout_uri": "http://127.0.0.1:8080/fcl",
            }
        )
        self.app.write(
            {
                "redirect_uris": "http://localhost:3000/cb",
                "frontchannel_logout_uri": "http://localhost:3000/fcl",
            }
        )
        self.app.frontchannel_logout_uri = False

    def test_redirect_uris_keep_its_origin(self):
        """Changing the redirect URIs cannot leave the front-channel logout
        URI on another site."""
        with self.assertRaises(ValidationError):
            self.app.redirect_uris = OTHER_REDIRECT_URI


class TestFrontchannelLogoutInBrowser(FrontchannelCase):
    """Chromium signs in to a relying party on another origin, which then
    sends it to the end-session endpoint: the page's frame loads the relying
    party's front-channel logout URI, with the id_token's sid, before the
    browser reaches the post-logout redirect URI."""

    def test_the_frame_is_loaded_then_the_browser_goes_on(self):
        chromium = require_external_clients(chromium=True)
        relying_party = RelyingParty()
        self.addCleanup(relying_party.stop)
        rp = relying_party.origin
        self.app.write(
            {
                "redirect_uris": f"{rp}/callback",
                "post_logout_redirect_uris": f"{rp}/logged-out",
                "frontchannel_logout_uri": f"{rp}/fcl?tenant=1",
                "frontchannel_logout_session_required": True,
            }
        )
        self.env.flush_all()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": "integration",
                "redirect_uri": f"{rp}/callback",
                "scope": "openid",
                "state": "browser",
            }
        )
        result = run_node(
            FRONTCHANNEL_LOGOUT_FLOW_SCRIPT,
            f"{self.base_url()}{AUTHORIZE_PATH}?{query}",
            self.user.login,
            USER_PASSWORD,
            f"{rp}/callback",
            self.base_url() + TOKEN_PATH,
            "integration",
            self.secret,
            f"{self.base_url()}{routes.END_SESSION}?"
            + urlencode({"post_logout_redirect_uri": f"{rp}/logged-out"}),
            f"{rp}/logged-out",
            env={"CHROMIUM_PATH": chromium},
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        answer = json.loads(result.stdout.strip().splitlines()[-1])
        # nothing the page did broke its policy
        self.assertEqual(answer["errors"], [])
        sid = jwt.decode(answer["id_token"], options={"verify_signature": False})["sid"]
        [frame] = relying_party.requested("/fcl")
        self.assertEqual(frame["dest"], "iframe")
        self.assertEqual(
            frame["query"],
            {"tenant": ["1"], "iss": [self.issuer()], "sid": [sid]},
        )
        [logged_out] = relying_party.requested("/logged-out")
        self.assertEqual(logged_out["dest"], "document")
        self.assertLess(frame["at"], logged_out["at"])
        self.assertTrue(answer["landed"].startswith(f"{rp}/logged-out"))
