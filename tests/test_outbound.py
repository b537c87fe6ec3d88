# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The one way out for the server's own HTTP requests (oauth/outbound.py):
which addresses it refuses however they are spelled, what an administrator
may allow, and how it behaves with real receivers on 127.0.0.1 that redirect,
drip, flood or never answer."""

import resource
import socket
import time
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user, tagged

from ..oauth import outbound
from .common import (
    LOOPBACK_NETWORKS,
    USER_PASSWORD,
    ExternalApiAsUsersMixin,
    HttpCase,
    OAuth2TestMixin,
    answer_drip,
    answer_huge,
    answer_status,
    loopback_server,
)

PARAM = "orestapi_oauth2.outbound_allowed_networks"
LOOPBACK_ALLOWED = outbound.parse_allowed_networks(LOOPBACK_NETWORKS)
# How late after its deadline a request may end: the scheduling of threads.
MARGIN = 2
# Every spelling of an address the server must not call, and its kind.
REFUSED = [
    ("http://127.0.0.1/", outbound.LOOPBACK),
    ("http://127.0.0.2:8069/web/database/drop", outbound.LOOPBACK),
    ("http://localhost/", outbound.LOOPBACK),
    ("https://2130706433/", outbound.LOOPBACK),
    ("https://0x7f.1/", outbound.LOOPBACK),
    ("https://127.1/", outbound.LOOPBACK),
    ("https://017700000001/", outbound.LOOPBACK),
    ("https://[::1]/", outbound.LOOPBACK),
    ("https://[::ffff:127.0.0.1]/", outbound.LOOPBACK),
    ("https://[::ffff:7f00:1]/", outbound.LOOPBACK),
    ("https://[::127.0.0.1]/", outbound.LOOPBACK),
    ("https://[2002:7f00:1::]/", outbound.LOOPBACK),
    ("https://[64:ff9b::127.0.0.1]/", outbound.LOOPBACK),
    ("https://10.0.0.1/", outbound.PRIVATE),
    ("https://172.16.5.4/", outbound.PRIVATE),
    ("https://192.168.1.1/", outbound.PRIVATE),
    ("https://100.64.0.1/", outbound.PRIVATE),
    ("https://[fd00::1]/", outbound.PRIVATE),
    ("https://[fc00::1]/", outbound.PRIVATE),
    ("https://[::ffff:10.0.0.1]/", outbound.PRIVATE),
    # RFC 8215 local-use NAT64: a /48 prefix carries 127.0.0.1 in other bits
    ("https://[64:ff9b:1:7f00:0:100:808:808]/", outbound.SPECIAL_USE),
    ("https://[64:ff9b:1::a00:1]/", outbound.SPECIAL_USE),
    ("https://[fec0::1]/", outbound.SPECIAL_USE),
    ("https://[3fff::1]/", outbound.SPECIAL_USE),
    ("https://169.254.169.254/latest/meta-data/", outbound.LINK_LOCAL),
    ("https://[fe80::1]/", outbound.LINK_LOCAL),
    ("https://[64:ff9b::a9fe:a9fe]/", outbound.LINK_LOCAL),
    ("https://224.0.0.1/", outbound.MULTICAST),
    ("https://[ff02::1]/", outbound.MULTICAST),
    ("https://0.0.0.0/", outbound.UNSPECIFIED),
    ("https://0/", outbound.UNSPECIFIED),
    ("https://[::]/", outbound.UNSPECIFIED),
    ("https://255.255.255.255/", outbound.SPECIAL_USE),
    ("https://240.0.0.1/", outbound.SPECIAL_USE),
    ("https://192.0.2.1/", outbound.SPECIAL_USE),
    ("https://198.51.100.7/", outbound.SPECIAL_USE),
    ("https://203.0.113.9/", outbound.SPECIAL_USE),
    ("https://198.18.0.1/", outbound.SPECIAL_USE),
    ("https://[2001:db8::1]/", outbound.SPECIAL_USE),
    # Teredo: the client's address, 192.0.2.45, obfuscated in the last bits
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", outbound.SPECIAL_USE),
]
ALLOWED = [
    "https://8.8.8.8/",
    "https://[2606:4700:4700::1111]/",
    # the IPv4 address inside is of the internet
    "https://[2002:808:808::]/",
    "https://[64:ff9b::8.8.8.8]/",
    # a name that does not resolve now is checked again by each request
    "https://rp.example/backchannel-logout",
]


class TestAddressRules(TransactionCase):
    def test_special_use_addresses_refused_however_spelled(self):
        for url, kind in REFUSED:
            with self.subTest(url=url):
                refusal = outbound.destination_refusal(url)
                self.assertTrue(refusal, url)
                self.assertEqual(refusal.kind, kind)
                self.assertIn(outbound.KIND_PHRASES[kind], str(refusal))
        for url in ALLOWED:
            with self.subTest(url=url):
                self.assertIsNone(outbound.destination_refusal(url))

    def test_the_message_names_the_host_as_written(self):
        self.assertEqual(
            str(outbound.destination_refusal("http://127.0.0.1:8069/x")),
            "127.0.0.1 is a loopback address",
        )
        self.assertEqual(
            str(outbound.destination_refusal("https://2130706433/")),
            "2130706433 resolves to a loopback address",
        )

    def test_allowed_networks(self):
        allowed = outbound.parse_allowed_networks(
            " 127.0.0.0/8, 10.20.0.0/16 ,fd00::/8, Hooks.Corp.Example., ::1, "
            "10.0.0.1/8, not a host!, 999.1.1.1/8"
        )
        self.assertEqual(allowed.hosts, {"hooks.corp.example"})
        self.assertEqual(
            [str(network) for network in allowed.networks],
            ["127.0.0.0/8", "10.20.0.0/16", "fd00::/8", "::1/128", "10.0.0.0/8"],
        )
        self.assertEqual(allowed.invalid, ("not a host!", "999.1.1.1/8"))
        for url in (
            "http://127.0.0.1:8069/",
            "https://2130706433/",
            "https://10.20.3.4/",
            "https://[fd00::5]/",
            "https://[::1]/",
        ):
            with self.subTest(url=url):
                self.assertIsNone(outbound.destination_refusal(url, allowed))
        # a network allows the addresses inside it, nothing else
        only_one = outbound.parse_allowed_networks("10.20.0.0/16")
        for url in ("https://10.21.0.1/", "https://[::ffff:10.21.0.1]/"):
            with self.subTest(url=url):
                self.assertEqual(
                    outbound.destination_refusal(url, only_one).kind, outbound.PRIVATE
                )
        # a host name is allowed whatever it resolves to, and only that name
        localhost = outbound.parse_allowed_networks("localhost")
        self.assertIsNone(outbound.destination_refusal("http://LOCALHOST/", localhost))
        self.assertTrue(outbound.destination_refusal("http://127.0.0.1/", localhost))
        self.assertFalse(outbound.parse_allowed_networks("").networks)


class TestOutboundRequests(TransactionCase):
    """Real requests to receivers on 127.0.0.1, allowed as an administrator
    would allow them."""

    def post(self, url, **options):
        options.setdefault("allowed", LOOPBACK_ALLOWED)
        return outbound.post_form(url, {"logout_token": "t"}, **options)

    def assertFails(self, kind, url, **options):
        with self.assertRaises(outbound.OutboundError) as caught:
            self.post(url, **options)
        self.assertEqual(caught.exception.kind, kind)
        return caught.exception

    def test_posts_and_reads_the_status(self):
        receiver = loopback_server(self, answer_status(204))
        response = self.post(receiver.url + "?tenant=1")
        self.assertEqual(response.status, 204)
        [(path, body)] = receiver.requests
        self.assertEqual(path, "/receiver?tenant=1")
        self.assertEqual(body, b"logout_token=t")

    def test_loopback_refused_unless_allowed(self):
        receiver = loopback_server(self, answer_status(200))
        error = self.assertFails(
            outbound.ADDRESS_NOT_ALLOWED,
            receiver.url,
            allowed=outbound.NO_ALLOWED_NETWORKS,
        )
        self.assertEqual(
            str(error), "address not allowed: 127.0.0.1 is a loopback address"
        )
        localhost = receiver.url.replace("127.0.0.1", "localhost")
        self.assertFails(
            outbound.ADDRESS_NOT_ALLOWED,
            localhost,
            allowed=outbound.NO_ALLOWED_NETWORKS,
        )
        self.assertFalse(receiver.requests)

    def test_redirect_not_followed(self):
        target = loopback_server(self, answer_status(200))
        for status in (307, 302, 308):
            with self.subTest(status=status):
                receiver = loopback_server(
                    self, answer_status(status, headers=[("Location", target.url)])
                )
                self.assertEqual(self.post(receiver.url).status, status)
        self.assertFalse(target.requests)

    def test_a_dripping_receiver_cannot_hold_the_request(self):
        receiver = loopback_server(self, answer_drip())
        started = time.monotonic()
        self.assertFails(outbound.TIMED_OUT, receiver.url, deadline=2)
        self.assertLess(time.monotonic() - started, 2 + MARGIN)

    def test_a_receiver_dripping_its_headers_cannot_hold_the_request(self):
        def drip_headers(handler):
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _byte in range(40):
                handler.wfile.write(b"X")
                handler.wfile.flush()
                time.sleep(0.5)

        receiver = loopback_server(self, drip_headers)
        started = time.monotonic()
        self.assertFails(outbound.TIMED_OUT, receiver.url, deadline=2)
        self.assertLess(time.monotonic() - started, 2 + MARGIN)

    def test_a_receiver_that_never_answers(self):
        silent = socket.socket()
        self.addCleanup(silent.close)
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = "http://127.0.0.1:%d/bcl" % silent.getsockname()[1]
        started = time.monotonic()
        self.assertFails(outbound.TIMED_OUT, url, deadline=1)
        self.assertLess(time.monotonic() - started, 1 + MARGIN)

    def test_a_huge_body_is_not_read(self):
        receiver = loopback_server(self, answer_huge())
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        response = self.post(receiver.url)
        self.assertLess(time.monotonic() - started, 1)
        self.assertEqual(response.status, 500)
        self.assertEqual(len(response.body), outbound.DEFAULT_MAX_BYTES)
        self.assertEqual(len(self.post(receiver.url, max_bytes=10).body), 10)
        peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.assertLess(peak_after - peak_before, 20 * 1024)  # KB

    def test_endless_headers_are_not_read(self):
        def endless_headers(handler):
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while True:
                handler.wfile.write(b"X-Padding: " + b"x" * 1000 + b"\r\n")

        receiver = loopback_server(self, endless_headers)
        self.assertFails(outbound.INVALID_ANSWER, receiver.url)

    def test_connection_refused_says_only_that(self):
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        url = "http://127.0.0.1:%d/bcl" % closed.getsockname()[1]
        closed.close()
        error = self.assertFails(outbound.CONNECTION_FAILED, url)
        self.assertEqual(str(error), "connection failed")

    def test_tls_failure(self):
        receiver = loopback_server(self, answer_status(200))
        url = receiver.url.replace("http:", "https:")
        self.assertFails(outbound.TLS_FAILURE, url)
        self.assertFalse(receiver.requests)

    def test_invalid_urls(self):
        for url in (
            "ftp://127.0.0.1/",
            "https://user@127.0.0.1/",
            "https:///path",
            "https://127.0.0.1:0/",
            "https://127.0.0.1:99999/",
            "https://exa mple.com/",
        ):
            with self.subTest(url=url):
                self.assertFails(outbound.INVALID_URL, url)

    def test_an_unknown_name(self):
        self.assertFails(outbound.NAME_NOT_RESOLVED, "https://rp.invalid/bcl")

    def test_the_address_checked_is_the_address_called(self):
        """DNS rebinding: a name that resolves to an address of the internet
        when checked and to 127.0.0.1 afterwards is never called on
        127.0.0.1, since the module resolves it once."""
        receiver = loopback_server(self, answer_status(200))
        port = int(receiver.url.split(":")[2].split("/")[0])
        answers = iter(
            [
                [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.0.170", port))],
            ]
        )
        real_getaddrinfo = socket.getaddrinfo

        def rebinding(host, *args, **kwargs):
            if host != "rebind.test":
                return real_getaddrinfo(host, *args, **kwargs)
            return next(answers, real_getaddrinfo("127.0.0.1", *args, **kwargs))

        allowed = outbound.parse_allowed_networks("192.0.0.170/32")
        with patch.object(socket, "getaddrinfo", rebinding):
            with self.assertRaises(outbound.OutboundError):
                self.post(f"http://rebind.test:{port}/bcl", allowed=allowed, deadline=1)
        self.assertFalse(receiver.requests)


@tagged("post_install", "-at_install")
class TestAllowedNetworksSetting(ExternalApiAsUsersMixin, OAuth2TestMixin, HttpCase):
    """Only a Settings administrator decides what the server may call inside."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="outbound_manager",
            password=USER_PASSWORD,
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        cls.administrator = new_test_user(
            cls.env,
            login="outbound_admin",
            password=USER_PASSWORD,
            groups="base.group_user,base.group_system",
        )
        # an application acting as the manager, which is theirs to change
        cls.other_app.user_id = cls.manager

    def param(self):
        self.env.invalidate_all()
        return self.env["ir.config_parameter"].sudo().get_param(PARAM)

    def test_a_manager_cannot_allow_networks(self):
        self.assertRefused(
            self.manager, "ir.config_parameter", "set_param", PARAM, "127.0.0.0/8"
        )
        self.assertRefused(
            self.manager,
            "ir.config_parameter",
            "create",
            [{"key": PARAM, "value": "127.0.0.0/8"}],
        )
        self.assertRefused(
            self.manager,
            "res.config.settings",
            "create",
            [{"oauth2_outbound_allowed_networks": "127.0.0.0/8"}],
        )
        self.assertFalse(self.param())
        # nor register a receiver on this machine, and the refusal says why
        fault = self.assertRefused(
            self.manager,
            "oauth2.application",
            "write",
            [self.other_app.id],
            {"backchannel_logout_uri": "http://127.0.0.1:8069/web/database/drop"},
        )
        self.assertIn("127.0.0.1 is a loopback address", fault.faultString)
        self.assertIn("Outbound Allowed Networks", fault.faultString)
        self.assertNotIn("Traceback", fault.faultString)

    def test_a_settings_administrator_allows_networks(self):
        [settings] = self.execute(
            self.administrator,
            "res.config.settings",
            "create",
            [{"oauth2_outbound_allowed_networks": "127.0.0.0/8, hooks.corp.example"}],
        )
        self.execute(self.administrator, "res.config.settings", "execute", [settings])
        self.assertEqual(self.param(), "127.0.0.0/8, hooks.corp.example")
        # now a manager may register a receiver there
        self.execute(
            self.manager,
            "oauth2.application",
            "write",
            [self.other_app.id],
            {"backchannel_logout_uri": "http://127.0.0.1:9000/bcl"},
        )
        self.assertRefused(
            self.administrator,
            "res.config.settings",
            "create",
            [{"oauth2_outbound_allowed_networks": "10.0.0.0/8, http://evil/"}],
        )
