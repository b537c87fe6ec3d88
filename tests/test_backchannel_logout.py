# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OpenID Connect Back-Channel Logout 1.0: the sid of id_tokens, the ends of
sessions that queue logout notifications, and their delivery by the job to a
relying party's endpoint, a real one on 127.0.0.1 that checks each logout
token as §2.6 asks."""

import resource
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
import requests

from odoo import fields, http
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user

from ..oauth import outbound, routes
from .common import (
    REDIRECT_URI,
    USER_PASSWORD,
    OAuth2TestMixin,
    OpenIDCase,
    answer_drip,
    answer_huge,
    answer_status,
    free_port,
    load_migration,
    loopback_server,
)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
POST_LOGOUT_URI = "https://client.example.com/logged-out"
# The waits the module promises between attempts, after which it gives up.
RETRY_DELAYS = [timedelta(seconds=s) for s in (30, 120, 600, 3600, 21600)]
CLOSE_ENOUGH = timedelta(seconds=5)


class InvalidLogoutToken(Exception):
    pass


class LogoutReceiver:
    """A relying party's back-channel logout endpoint on 127.0.0.1. It checks
    each logout token with the JWKS it was handed (it never calls Odoo back:
    the test thread holds the test cursor while the job posts), answers 200
    to a valid one and 400 to any other, and records both."""

    def __init__(self, jwks, issuer, client_id, port=None):
        self.keys = {key["kid"]: key for key in jwks["keys"]}
        self.issuer = issuer
        self.client_id = client_id
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/backchannel-logout"
        self.accepted = []  # the claims of the tokens it took
        self.refused = []  # why it refused the others
        self.lock = threading.Lock()
        self.server = None

    def validate(self, content_type, body):
        """The claims of the posted logout token, checked as §2.6 asks."""
        if content_type != "application/x-www-form-urlencoded":
            raise InvalidLogoutToken(f"content type {content_type}")
        [token] = parse_qs(body.decode())["logout_token"]
        header = jwt.get_unverified_header(token)
        # §2.4: explicitly typed, so that no other JWT of the issuer passes
        if header.get("typ") != "logout+jwt":
            raise InvalidLogoutToken(f"typ {header.get('typ')}")
        jwk = self.keys.get(header.get("kid"))
        if not jwk:
            raise InvalidLogoutToken("unknown key")
        try:
            # the algorithm is the key's, never what the token says
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk).key,
                algorithms=[jwk["alg"]],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "iat", "exp", "jti"]},
            )
        except jwt.InvalidTokenError as error:
            raise InvalidLogoutToken(repr(error)) from error
        if not isinstance(claims.get("events", {}).get(EVENT), dict):
            raise InvalidLogoutToken("no back-channel logout event")
        if not (claims.get("sid") or claims.get("sub")):
            raise InvalidLogoutToken("names no session nor user")
        # a nonce would let the token pass for an id_token
        if "nonce" in claims:
            raise InvalidLogoutToken("nonce")
        with self.lock:
            if any(seen["jti"] == claims["jti"] for seen in self.accepted):
                raise InvalidLogoutToken("replayed")
        return claims

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    claims = receiver.validate(self.headers["Content-Type"], body)
                except (InvalidLogoutToken, KeyError, ValueError) as error:
                    status, outcome, record = 400, receiver.refused, str(error)
                else:
                    status, outcome, record = 200, receiver.accepted, claims
                with receiver.lock:
                    outcome.append(record)
                self.send_response(status)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class BackchannelCase(OpenIDCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_app.redirect_uris = REDIRECT_URI
        cls.job = cls.env.ref("orestapi_oauth2.ir_cron_oauth2_logout_notifications")
        cls.other_user = new_test_user(
            cls.env, login="oauth2_bcl_other", password=USER_PASSWORD
        )

    def setUp(self):
        super().setUp()
        self.allow_loopback_calls()

    @property
    def notifications(self):
        self.env.invalidate_all()
        return self.env["oauth2.logout.notification"]

    def receiver(self, client_id="integration", port=None, start=True):
        """A relying party's endpoint trusting the keys of the JWKS fetched
        now over HTTP, as a relying party fetches them."""
        base = self.base_url()
        discovery = self.opener.get(
            base + "/.well-known/openid-configuration", timeout=30
        ).json()
        jwks = self.opener.get(discovery["jwks_uri"], timeout=30).json()
        receiver = LogoutReceiver(jwks, discovery["issuer"], client_id, port)
        if start:
            receiver.start()
        self.addCleanup(receiver.stop)
        return receiver

    def sign_in(self, application=None):
        """``(id_token, claims)`` of a code flow with openid for
        ``application``, through the test's browser session."""
        application = application or self.app
        secret = self.secret if application == self.app else self.other_secret
        code = self.get_code(scope="openid", client_id=application.client_id)
        tokens = self.assertTokenAnswer(
            self.exchange(code, auth=(application.client_id, secret))
        )
        claims = self.verify(tokens["id_token"], audience=application.client_id)
        return tokens["id_token"], claims

    def another_browser_session(self):
        """Log the test user in again from a browser of its own, which
        ``self.opener`` becomes; returns the first browser's opener."""
        first = self.opener
        self.addCleanup(http.root.session_store.delete, self.session)
        self.session = None  # or authenticate would delete the first session
        self.authenticate(self.user.login, USER_PASSWORD)
        return first

    def log_out(self, browser=None):
        """Log out of the current browser session, or of ``browser``'s (the
        opener of another one, which 19.0's HttpCase no longer sends with)."""
        url = self.base_url() + "/web/session/logout"
        if browser is None:
            response = self.opener.get(url, allow_redirects=False, timeout=30)
        else:
            self.env.flush_all()
            response = requests.get(
                url, cookies=browser.cookies, allow_redirects=False, timeout=30
            )
        self.assertEqual(response.status_code, 303, response.text[:300])

    def job_triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.job.id)])

    def ended_session(self, sid="ended-session", application=None, user=None):
        """The notification queued when ``user``'s session ``sid`` with
        ``application`` ends, made without a browser: the delivery does not
        depend on how the session began or ended, which the tests of
        TestSessionEnds go through over HTTP."""
        sessions = self.env["oauth2.session"]
        sessions._record(sid, user or self.user, application or self.app)
        sessions._end([("sid", "=", sid)])
        return self.notifications.search([("sid", "=", sid)])

    def deliver(self, notification, due=True):
        """Run the job, ``notification`` made due first."""
        if due:
            notification.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.notifications._cron_deliver()

    def assertSoon(self, moment, delay=timedelta(0)):
        self.assertAlmostEqual(
            moment, fields.Datetime.now() + delay, delta=CLOSE_ENOUGH
        )


class TestSessionEnds(BackchannelCase):
    def test_odoo_logout_is_posted_to_the_relying_party(self):
        receiver = self.receiver()
        self.app.backchannel_logout_uri = receiver.url
        _id_token, claims = self.sign_in()
        sid = claims["sid"]
        # it names the session without giving its cookie away
        self.assertNotIn(self.session.sid[:16], sid)
        # the other application signed in too, but takes no notification
        _id_token, other_claims = self.sign_in(self.other_app)
        self.assertEqual(other_claims["sid"], sid)
        signed_in = self.env["oauth2.session"].search([("sid", "=", sid)])
        self.assertEqual(signed_in.application_id, self.app | self.other_app)
        triggers = self.job_triggers()

        self.log_out()
        [notification] = self.notifications.search([])
        self.assertRecordValues(
            notification,
            [
                {
                    "application_id": self.app.id,
                    "user_id": self.user.id,
                    "sid": sid,
                    "state": "pending",
                    "attempts": 0,
                }
            ],
        )
        self.assertTrue(self.job_triggers() - triggers, "the job is not woken up")
        self.assertFalse(self.env["oauth2.session"].search([("sid", "=", sid)]))

        self.notifications._cron_deliver()
        [logout_token] = receiver.accepted
        self.assertEqual(logout_token["sid"], sid)
        self.assertEqual(logout_token["sub"], claims["sub"])
        self.assertLessEqual(logout_token["exp"] - logout_token["iat"], 120)
        self.assertRecordValues(
            notification,
            [{"state": "delivered", "attempts": 1, "last_error": False}],
        )
        self.assertSoon(notification.delivered_at)
        # delivered once: another run posts nothing
        self.notifications._cron_deliver()
        self.assertEqual(len(receiver.accepted), 1)
        self.assertFalse(receiver.refused)

    def test_end_session_endpoint_does_not_wait_for_the_relying_party(self):
        # A relying party that takes the connection and never answers: a
        # delivery during the logout would hold it for the delivery timeout.
        hanging = socket.socket()
        self.addCleanup(hanging.close)
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        self.app.write(
            {
                "backchannel_logout_uri": "http://127.0.0.1:%d/bcl"
                % hanging.getsockname()[1],
                "post_logout_redirect_uris": POST_LOGOUT_URI,
            }
        )
        id_token, claims = self.sign_in()
        started = time.monotonic()
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
        self.assertLess(time.monotonic() - started, 4)
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertTrue(response.headers["Location"].startswith(POST_LOGOUT_URI))
        [notification] = self.notifications.search([])
        self.assertRecordValues(
            notification,
            [{"sid": claims["sid"], "state": "pending", "attempts": 0}],
        )

    def test_two_browser_sessions_have_their_own_sid(self):
        receiver = self.receiver()
        self.app.backchannel_logout_uri = receiver.url
        _id_token, first = self.sign_in()
        first_browser = self.another_browser_session()
        _id_token, second = self.sign_in()
        self.assertEqual(first["sub"], second["sub"])
        self.assertNotEqual(first["sid"], second["sid"])
        self.log_out(first_browser)
        [notification] = self.notifications.search([])
        self.assertEqual(notification.sid, first["sid"])
        self.notifications._cron_deliver()
        self.assertEqual([t["sid"] for t in receiver.accepted], [first["sid"]])
        # the second session is still signed in
        self.assertTrue(
            self.env["oauth2.session"].search([("sid", "=", second["sid"])])
        )

    def test_web_client_logout_ends_the_session(self):
        """The web client's user menu logs out with a JSON-RPC call, on a
        read-only route."""
        self.app.backchannel_logout_uri = "https://rp.example/bcl"
        _id_token, claims = self.sign_in()
        response = self.opener.post(
            self.base_url() + "/web/session/destroy",
            json={"jsonrpc": "2.0", "method": "call", "params": {}},
            timeout=30,
        )
        self.assertNotIn("error", response.json())
        [notification] = self.notifications.search([])
        self.assertEqual(notification.sid, claims["sid"])

    def test_logging_in_again_ends_the_session(self):
        """prompt=login logs the user out before the new login."""
        self.app.backchannel_logout_uri = "https://rp.example/bcl"
        _id_token, claims = self.sign_in()
        page = self.authorize(scope="openid", prompt="login")
        self.assertIn('value="reauthenticate"', page.text)
        response = self.decide(page, "reauthenticate")
        self.assertIn("/web/login", response.headers["Location"])
        [notification] = self.notifications.search([])
        self.assertEqual(notification.sid, claims["sid"])

    def test_archiving_a_user_ends_all_their_sessions(self):
        receiver = self.receiver()
        other_receiver = self.receiver(client_id="other")
        self.app.backchannel_logout_uri = receiver.url
        self.other_app.backchannel_logout_uri = other_receiver.url
        _id_token, first = self.sign_in()
        self.sign_in(self.other_app)
        self.another_browser_session()
        _id_token, second = self.sign_in()
        self.env["oauth2.session"]._record("not-theirs", self.other_user, self.app)

        self.user.write({"active": False})
        queued = self.notifications.search([])
        self.assertEqual(
            sorted((n.application_id.client_id, n.sid) for n in queued),
            sorted(
                [
                    ("integration", first["sid"]),
                    ("other", first["sid"]),
                    ("integration", second["sid"]),
                ]
            ),
        )
        self.assertEqual(queued.user_id, self.user)
        # the applications are told though the user is archived
        self.notifications._cron_deliver()
        self.assertEqual(set(queued.mapped("state")), {"delivered"})
        self.assertEqual(
            {t["sid"] for t in receiver.accepted}, {first["sid"], second["sid"]}
        )
        self.assertEqual([t["sid"] for t in other_receiver.accepted], [first["sid"]])

    def test_revoking_a_consent_ends_only_that_applications_sessions(self):
        self.app.backchannel_logout_uri = "https://rp.example/bcl"
        self.other_app.backchannel_logout_uri = "https://other.example/bcl"
        _id_token, claims = self.sign_in()
        self.sign_in(self.other_app)
        consent = self.env["oauth2.consent"].search(
            [("user_id", "=", self.user.id), ("application_id", "=", self.app.id)]
        )
        # as the user revokes it, from the page of their connected applications
        consent.with_user(self.user).action_revoke()
        [notification] = self.notifications.search([])
        self.assertEqual(notification.application_id, self.app)
        self.assertEqual(notification.sid, claims["sid"])
        remaining = self.env["oauth2.session"].search([("sid", "=", claims["sid"])])
        self.assertEqual(remaining.application_id, self.other_app)

    def test_discovery_advertises_backchannel_logout(self):
        discovery = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        self.assertIs(discovery["backchannel_logout_supported"], True)
        self.assertIs(discovery["backchannel_logout_session_supported"], True)
        self.assertIn("sid", discovery["claims_supported"])


class TestDelivery(BackchannelCase):
    def test_receiver_down_then_up(self):
        receiver = self.receiver(start=False)
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        self.deliver(notification, due=False)
        self.assertRecordValues(notification, [{"state": "pending", "attempts": 1}])
        self.assertSoon(notification.next_attempt_at, RETRY_DELAYS[0])
        # the kind of failure, never the system's words for it
        self.assertEqual(notification.last_error, "connection failed")
        # the job wakes up again for the retry
        self.assertIn(
            notification.next_attempt_at, self.job_triggers().mapped("call_at")
        )

        receiver.start()
        self.deliver(notification)
        self.assertRecordValues(
            notification, [{"state": "delivered", "attempts": 2, "last_error": False}]
        )
        self.assertEqual([t["sid"] for t in receiver.accepted], ["ended-session"])

    def test_refused_token_fails_at_once(self):
        # a relying party that takes the tokens of another client ID only
        receiver = self.receiver(client_id="someone-else")
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        self.deliver(notification)
        self.assertRecordValues(
            notification,
            [{"state": "failed", "attempts": 1, "next_attempt_at": False}],
        )
        self.assertEqual(notification.last_error, "HTTP 400")
        self.assertFalse(receiver.accepted)
        [reason] = receiver.refused
        self.assertIn("Audience", reason)

    def test_retries_are_bounded_then_a_manager_retries(self):
        self.app.backchannel_logout_uri = f"http://127.0.0.1:{free_port()}/bcl"
        notification = self.ended_session()
        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            self.deliver(notification)
            self.assertRecordValues(
                notification, [{"state": "pending", "attempts": attempt}]
            )
            self.assertSoon(notification.next_attempt_at, delay)
        self.deliver(notification)
        self.assertRecordValues(
            notification,
            [{"state": "failed", "attempts": 6, "next_attempt_at": False}],
        )
        # given up: the job no longer tries
        self.deliver(notification)
        self.assertEqual(notification.attempts, 6)

        internal = new_test_user(self.env, login="bcl_internal")
        with self.assertRaises(AccessError):
            notification.with_user(internal).action_retry()
        manager = new_test_user(
            self.env,
            login="bcl_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        notification.with_user(manager).action_retry()
        self.assertRecordValues(notification, [{"state": "pending", "attempts": 0}])
        self.assertSoon(notification.next_attempt_at)
        receiver = self.receiver()
        self.app.backchannel_logout_uri = receiver.url
        self.deliver(notification, due=False)
        self.assertEqual(notification.state, "delivered")


class TestBackchannelLogoutUri(OAuth2TestMixin, TransactionCase):
    def test_https_or_loopback_http_without_fragment(self):
        self.allow_loopback_calls()
        for uri in (
            "https://rp.example/backchannel-logout",
            "https://rp.example:8443/bcl?tenant=1",
            "http://127.0.0.1:9000/bcl",
            "http://localhost/bcl",
            "http://[::1]/bcl",
        ):
            with self.subTest(uri=uri):
                self.app.backchannel_logout_uri = uri
        for bad in (
            "http://rp.example/bcl",
            "https://rp.example/bcl#fragment",
            "javascript:alert(1)//",
            "data:text/html,<script>alert(1)</script>",
            "com.example.app:/bcl",
            "https://rp.example@evil.example/bcl",
            "/relative/bcl",
        ):
            with self.subTest(uri=bad), self.assertRaises(ValidationError) as caught:
                self.app.backchannel_logout_uri = bad
            self.assertIn("cannot be a back-channel logout URI", str(caught.exception))

    def test_special_addresses_refused_with_the_rule(self):
        manager = new_test_user(
            self.env,
            login="bcl_uri_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        # an application acting as the manager, which is theirs to change
        self.other_app.user_id = manager
        application = self.other_app.with_user(manager)
        for uri, reason in (
            ("http://127.0.0.1:8069/web/database/drop", "127.0.0.1 is a loopback"),
            ("http://localhost/bcl", "localhost resolves to a loopback"),
            ("http://[::1]/bcl", "::1 is a loopback"),
            ("https://2130706433/bcl", "2130706433 resolves to a loopback"),
            ("https://0x7f.1/bcl", "0x7f.1 resolves to a loopback"),
            ("https://[::ffff:127.0.0.1]/bcl", "::ffff:127.0.0.1 is a loopback"),
            ("https://10.1.2.3/bcl", "10.1.2.3 is a private"),
            ("https://[fd12::1]/bcl", "fd12::1 is a private"),
            ("https://169.254.169.254/latest", "169.254.169.254 is a link-local"),
        ):
            with self.subTest(uri=uri), self.assertRaises(ValidationError) as caught:
                application.backchannel_logout_uri = uri
            message = str(caught.exception)
            self.assertIn(f"{uri} cannot be a back-channel logout URI: ", message)
            self.assertIn(reason, message)
            self.assertIn("Outbound Allowed Networks", message)
        # once a Settings administrator allows the network
        self.set_param("outbound_allowed_networks", "10.0.0.0/8")
        application.backchannel_logout_uri = "https://10.1.2.3/bcl"
        with self.assertRaises(ValidationError):
            application.backchannel_logout_uri = "http://10.1.2.3/bcl"


class HealthWatch:
    """Odoo's /web/health asked every 0.2 s from a thread, each answer
    timed: how long the slowest took, and whether one failed."""

    def __init__(self, url):
        self.url = url + "/web/health"
        self.slowest = 0
        self.failures = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self):
        while not self.stopped.wait(0.2):
            started = time.monotonic()
            try:
                response = requests.get(self.url, timeout=5)
                response.raise_for_status()
            except requests.RequestException as error:
                self.failures.append(repr(error))
            self.slowest = max(self.slowest, time.monotonic() - started)

    def stop(self):
        self.stopped.set()
        self.thread.join()


class TestSafeDelivery(BackchannelCase):
    """Delivery that neither reaches inside nor takes the server down."""

    def peak_memory(self):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def run_watched(self, limit, budget=None):
        """Run the job while /web/health is watched; it ends within
        ``limit`` seconds, and the server answered within a second."""
        watch = HealthWatch(self.base_url())
        started = time.monotonic()
        try:
            if budget is None:
                self.notifications._cron_deliver()
            else:
                self.notifications._cron_deliver(budget=budget)
        finally:
            elapsed = time.monotonic() - started
            watch.stop()
        self.assertLess(elapsed, limit)
        self.assertFalse(watch.failures)
        self.assertLess(watch.slowest, 1)
        return elapsed

    def test_loopback_receiver_reached_only_once_an_administrator_allows_it(self):
        receiver = self.receiver()
        manager = new_test_user(
            self.env,
            login="bcl_allow_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        self.other_app.user_id = manager
        self.set_param("outbound_allowed_networks", "")
        with self.assertRaises(ValidationError) as caught:
            self.other_app.with_user(manager).backchannel_logout_uri = receiver.url
        self.assertIn("127.0.0.1 is a loopback address", str(caught.exception))
        # registered while it was allowed, called after it no longer is
        self.allow_loopback_calls()
        self.app.backchannel_logout_uri = receiver.url
        self.set_param("outbound_allowed_networks", "")
        notification = self.ended_session()
        self.deliver(notification)
        self.assertRecordValues(
            notification,
            [
                {
                    "state": "failed",
                    "attempts": 1,
                    "last_error": "address not allowed: "
                    "127.0.0.1 is a loopback address",
                }
            ],
        )
        self.assertFalse(receiver.accepted or receiver.refused)
        # allowed again, a manager's Retry Now reaches it
        self.allow_loopback_calls()
        notification.with_user(manager).action_retry()
        self.deliver(notification, due=False)
        self.assertEqual(notification.state, "delivered")
        self.assertEqual(len(receiver.accepted), 1)

    def test_a_dripping_receiver_does_not_hold_the_job(self):
        receiver = loopback_server(self, answer_drip())
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        notification.next_attempt_at = fields.Datetime.now()
        self.run_watched(outbound.DEFAULT_DEADLINE + 2)
        self.assertRecordValues(
            notification,
            [{"state": "pending", "attempts": 1, "last_error": "timed out"}],
        )
        self.assertEqual(len(receiver.requests), 1)

    def test_a_huge_answer_is_not_read(self):
        receiver = loopback_server(self, answer_huge())
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        notification.next_attempt_at = fields.Datetime.now()
        peak = self.peak_memory()
        self.run_watched(2)
        self.assertLess(self.peak_memory() - peak, 20 * 1024 * 1024)
        self.assertRecordValues(
            notification,
            [{"state": "pending", "attempts": 1, "last_error": "HTTP 500"}],
        )

    def test_redirects_not_followed(self):
        second = self.receiver()
        first = loopback_server(
            self, answer_status(307, headers=[("Location", second.url)])
        )
        self.app.backchannel_logout_uri = first.url
        notification = self.ended_session()
        self.deliver(notification)
        self.assertRecordValues(
            notification,
            [{"state": "pending", "attempts": 1, "last_error": "HTTP 307"}],
        )
        self.assertEqual(len(first.requests), 1)
        self.assertFalse(second.accepted or second.refused)

    def test_only_the_status_is_kept(self):
        secret = b"root:x:0:0 postgres password=hunter2"
        receiver = loopback_server(self, answer_status(500, secret))
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        self.deliver(notification)
        self.assertRecordValues(
            notification,
            [{"state": "pending", "attempts": 1, "last_error": "HTTP 500"}],
        )
        self.assertEqual(len(receiver.requests), 1)

    def test_the_attempt_is_committed_before_the_post(self):
        seen = []
        registry = self.registry

        def look_then_answer(handler):
            # what any other transaction sees while the job waits on us
            with registry.cursor() as cr:
                cr.execute(
                    """SELECT attempts, state,
                              next_attempt_at > clock_timestamp() AT TIME ZONE 'UTC',
                              last_error
                         FROM oauth2_logout_notification WHERE sid = %s""",
                    ["ended-session"],
                )
                seen.extend(cr.fetchall())
            answer_status(200)(handler)

        receiver = loopback_server(self, look_then_answer)
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        self.deliver(notification)
        # counted, its retry scheduled as if it failed: a run killed now
        # neither loses the attempt nor posts again at once
        self.assertEqual(seen, [(1, "pending", True, "interrupted")])
        self.assertRecordValues(
            notification, [{"state": "delivered", "attempts": 1, "last_error": False}]
        )

    def test_the_last_attempt_is_failed_before_the_post(self):
        seen = []
        registry = self.registry

        def look_then_hang_up(handler):
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT attempts, state FROM oauth2_logout_notification "
                    "WHERE sid = %s",
                    ["ended-session"],
                )
                seen.extend(cr.fetchall())
            answer_status(503)(handler)

        receiver = loopback_server(self, look_then_hang_up)
        self.app.backchannel_logout_uri = receiver.url
        notification = self.ended_session()
        notification.attempts = 5
        self.deliver(notification)
        self.assertEqual(seen, [(6, "failed")])
        self.assertRecordValues(
            notification, [{"state": "failed", "attempts": 6, "last_error": "HTTP 503"}]
        )

    def test_a_stuck_receiver_does_not_hold_back_the_others(self):
        stuck = socket.socket()
        self.addCleanup(stuck.close)
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(64)
        self.app.backchannel_logout_uri = (
            "http://127.0.0.1:%d/bcl" % (stuck.getsockname()[1])
        )
        stuck_ones = self.notifications
        for index in range(10):
            stuck_ones |= self.ended_session(sid=f"stuck-{index}")
        good = self.receiver(client_id="other")
        self.other_app.backchannel_logout_uri = good.url
        delivered = self.ended_session(sid="good", application=self.other_app)
        (stuck_ones | delivered).write({"next_attempt_at": fields.Datetime.now()})
        triggers = self.job_triggers()

        self.run_watched(outbound.DEFAULT_DEADLINE + 3)
        self.assertEqual(delivered.state, "delivered")
        self.assertEqual([t["sid"] for t in good.accepted], ["good"])
        # one attempt for the application that did not answer; its other
        # notifications wait for the next run, which is due at once
        self.assertEqual(sorted(stuck_ones.mapped("attempts")), [0] * 9 + [1])
        self.assertEqual(stuck_ones.filtered("attempts").last_error, "timed out")
        self.assertTrue(
            (self.job_triggers() - triggers).filtered(
                lambda t: t.call_at <= fields.Datetime.now()
            )
        )

    def test_a_slow_receiver_takes_turns_with_the_others(self):
        def answer_late(handler):
            time.sleep(1)
            answer_status(204)(handler)

        slow = loopback_server(self, answer_late)
        self.app.backchannel_logout_uri = slow.url
        slow_ones = self.notifications
        for index in range(5):
            slow_ones |= self.ended_session(sid=f"slow-{index}")
        good = self.receiver(client_id="other")
        self.other_app.backchannel_logout_uri = good.url
        queued_last = self.ended_session(sid="good", application=self.other_app)
        (slow_ones | queued_last).write({"next_attempt_at": fields.Datetime.now()})

        # room for about two of the slow application's answers
        self.run_watched(outbound.DEFAULT_DEADLINE, budget=1.5)
        self.assertEqual(queued_last.state, "delivered")
        self.assertEqual([t["sid"] for t in good.accepted], ["good"])
        self.assertLessEqual(len(slow.requests), 2)

    def test_a_run_starts_no_delivery_past_its_budget(self):
        stuck = socket.socket()
        self.addCleanup(stuck.close)
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(64)
        uri = "http://127.0.0.1:%d/bcl" % stuck.getsockname()[1]
        self.app.backchannel_logout_uri = uri
        self.other_app.backchannel_logout_uri = uri
        first = self.ended_session(sid="first")
        second = self.ended_session(sid="second", application=self.other_app)
        (first | second).write({"next_attempt_at": fields.Datetime.now()})
        self.run_watched(outbound.DEFAULT_DEADLINE + 2, budget=1)
        self.assertEqual((first | second).mapped("attempts"), [1, 0])
        self.assertTrue(
            self.job_triggers().filtered(lambda t: t.call_at <= fields.Datetime.now())
        )


class TestKeptFailures(OAuth2TestMixin, TransactionCase):
    def test_upgrade_forgets_what_receivers_answered(self):
        migrate = load_migration("1.5.0", "post")
        before_after = {
            "HTTP 500: <h1>Internal</h1> db password=hunter2": "HTTP 500",
            "HTTP 400": "HTTP 400",
            "ConnectionError: HTTPConnectionPool(host='10.0.0.5', port=22): "
            "Connection refused": "connection failed",
            "ReadTimeout: HTTPConnectionPool(host='10.0.0.5', port=8080)": "timed out",
            "SSLError: certificate verify failed": "TLS failure",
            "No back-channel logout URI.": "No back-channel logout URI.",
        }
        notifications = self.env["oauth2.logout.notification"].create(
            [
                {
                    "application_id": self.app.id,
                    "user_id": self.user.id,
                    "sid": "s",
                    "state": "failed",
                    "last_error": before,
                }
                for before in before_after
            ]
        )
        self.env.flush_all()
        migrate(self.env.cr, "18.0.1.4.0")
        notifications.invalidate_recordset()
        self.assertEqual(
            notifications.mapped("last_error"), list(before_after.values())
        )
