# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OAuth2 JSON answers from a server that selects no database."""

import socket
import subprocess
import sys
import time
import unittest

import requests

from odoo.tools import config

from .common import TOKEN_PATH


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestNoDatabaseSelected(unittest.TestCase):
    """A server whose dbfilter picks no database still answers in OAuth2 JSON.

    That needs the module among Odoo's server-wide modules (README.rst); this
    starts such a server in its own process.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.port = free_port()
        cls.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                f"--addons-path={config['addons_path']}",
                "--load=base,web,orestapi_oauth2",
                "--db-filter=^orestapi-no-such-database$",
                f"--http-port={cls.port}",
                "--http-interface=127.0.0.1",
                "--log-level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cls.addClassCleanup(cls.server.wait, timeout=30)
        cls.addClassCleanup(cls.server.terminate)
        cls.url = f"http://127.0.0.1:{cls.port}{TOKEN_PATH}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{cls.port}/web/health", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    raise
                time.sleep(0.5)

    def assertNoDatabaseAnswer(self, response):
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.json()["error"], "invalid_request")
        self.assertIn("database", response.json()["error_description"])

    def test_token_request_without_database(self):
        self.assertNoDatabaseAnswer(
            requests.post(
                self.url, data={"grant_type": "client_credentials"}, timeout=10
            )
        )

    def test_every_endpoint_without_database(self):
        for method, path in [
            ("GET", "/orestapi/oauth2/tokeninfo?access_token=x"),
            ("POST", "/orestapi/oauth2/introspect"),
            ("POST", "/orestapi/oauth2/revoke"),
            ("GET", "/.well-known/oauth-authorization-server"),
        ]:
            with self.subTest(path=path):
                self.assertNoDatabaseAnswer(
                    requests.request(
                        method,
                        f"http://127.0.0.1:{self.port}{path}",
                        data={"token": "x"} if method == "POST" else None,
                        timeout=10,
                    )
                )
