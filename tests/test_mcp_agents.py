# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""MCP agents end to end, with the official MCP Python SDK (issue 28): an
agent nobody set up discovers Odoo from an MCP server's RFC 9728 metadata,
gets a client ID, has the user authorize it on a loopback redirect URI, and
calls the server's tool, which exchanges the agent's token (RFC 8693) for one
for Odoo's API and reads res.partner as the consenting user.

The SDK lives in a virtual environment of its own (tests/clients/mcp/
requirements.lock), which scripts/test builds and names in
ORESTAPI_MCP_PYTHON; without it these tests skip, or fail under
ORESTAPI_REQUIRE_EXTERNAL_CLIENTS=1."""

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import xmlrpc.client
from unittest.mock import patch

from odoo.tests import get_db_name, tagged

from .common import (
    LOOPBACK_NETWORKS,
    MODULE_ROOT,
    REQUIRE_EXTERNAL_CLIENTS,
    USER_PASSWORD,
    HttpCase,
    OAuth2TestMixin,
    free_port,
    loopback_server,
    make_test_pki,
)

MCP_CLIENTS = MODULE_ROOT / "tests" / "clients" / "mcp"
MCP_PYTHON = "ORESTAPI_MCP_PYTHON"
SERVER_SECRET = "test-secret-of-the-mcp-server-0123456789"
# how long one answer of the agent or the MCP server may take
ANSWER_TIMEOUT = 60


def mcp_python():
    """The interpreter of the MCP clients' virtual environment; skips the
    test without it, or fails it where every external client is required."""
    python = os.environ.get(MCP_PYTHON)
    if python and os.access(python, os.X_OK):
        return python
    reason = (
        f"This test needs the MCP Python SDK's virtual environment, named by "
        f"{MCP_PYTHON} (scripts/test builds it from "
        "tests/clients/mcp/requirements.lock)."
    )
    if os.environ.get(REQUIRE_EXTERNAL_CLIENTS) == "1":
        raise AssertionError(f"{reason} {REQUIRE_EXTERNAL_CLIENTS}=1 requires it.")
    raise unittest.SkipTest(reason)


class JsonLines:
    """A child process of the MCP clients that speaks JSON lines: each line
    it prints is read as it comes; its stderr goes to a file shown when a
    test fails."""

    def __init__(self, testcase, args):
        self.testcase = testcase
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            cwd=MCP_CLIENTS,
        )
        self.lines = queue.Queue()
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()
        testcase.addCleanup(self.stop)

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                self.process.wait(timeout=10)
        self.log.close()

    def stderr(self):
        self.log.seek(0)
        return self.log.read()[-4000:]

    def next(self, event=None):
        """The next line that is not an event (events are kept), or with
        ``event``, the next event of that name."""
        while True:
            try:
                line = self.lines.get(timeout=ANSWER_TIMEOUT)
            except queue.Empty:
                line = None
            if line is None:
                if self.process.poll() is None:
                    # where it is stuck (faulthandler), on its stderr
                    self.process.send_signal(signal.SIGUSR1)
                    time.sleep(1)
                raise AssertionError(
                    f"{self.process.args[1]} answered nothing after {self.events}:"
                    f"\n{self.stderr()}"
                )
            message = json.loads(line)
            if "event" in message:
                self.events.append(message)
                if message["event"] != event:
                    continue
            return message

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.next()

    def event_names(self):
        return [event["event"] for event in self.events]


@tagged("post_install", "-at_install")
class TestMcpAgents(OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scope_rpc = cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        # the SDK asks for offline_access too, which the server advertises
        cls.scope_offline = cls.env.ref("orestapi_oauth2.oauth2_scope_offline_access")
        cls.partner = cls.env["res.partner"].create({"name": "MCP Partner"})

    def setUp(self):
        super().setUp()
        self.python = mcp_python()
        self.set_param("issuer_url", self.base_url())
        self.mcp_server_app = self.env["oauth2.application"].create(
            {
                "name": "MCP server",
                "client_id": "mcp-server",
                "client_secret": SERVER_SECRET,
                "is_resource_server": True,
                "grant_authorization_code": False,
                "grant_token_exchange": True,
            }
        )
        # the server's requests read the database, not this test's cache
        self.env.flush_all()
        self.mcp = JsonLines(
            self,
            [
                self.python,
                "odoo_mcp_server.py",
                "--odoo",
                self.base_url(),
                "--db",
                get_db_name(),
                "--client-id",
                "mcp-server",
                "--client-secret",
                SERVER_SECRET,
                # what agents need: the tool reads through Odoo's external
                # API, for which the exchanged token needs the rpc scope
                "--scope",
                "read rpc",
            ],
        )
        self.mcp_url = self.mcp.next()["url"]
        # the MCP server is a resource registered with Odoo, served by its
        # client, which alone may exchange the tokens agents get for it
        self.env["oauth2.resource"].create(
            {
                "name": "MCP server",
                "identifier": self.mcp_url,
                "application_id": self.mcp_server_app.id,
            }
        )

    def agent(self, mode, *args):
        agent = JsonLines(
            self,
            [
                self.python,
                "agent.py",
                "--mcp",
                self.mcp_url,
                "--odoo",
                self.base_url(),
                "--login",
                self.user.login,
                "--password",
                USER_PASSWORD,
                "--mode",
                mode,
                *args,
            ],
        )
        return agent

    def connect(self, agent):
        """The agent connected: it went through the whole authorization
        (the first request of its session was refused)."""
        try:
            connected = agent.next("connected")
        except AssertionError as error:
            self.mcp.process.send_signal(signal.SIGUSR1)
            time.sleep(1)
            raise AssertionError(
                f"{error}\nThe MCP server's log:\n{self.mcp.stderr()}"
            ) from None
        self.assertEqual(connected, {"event": "connected"}, agent.events)
        return agent

    def agent_application(self, client_id="mcp-agent", redirect_uri=None, **values):
        """An agent registered by hand, as an administrator would today: a
        public client whose tokens are for the MCP server."""
        application = self.env["oauth2.application"].create(
            {
                "name": "MCP agent",
                "client_id": client_id,
                "client_type": "public",
                "redirect_uris": redirect_uri,
                "scope_ids": [
                    (6, 0, (self.scope_read | self.scope_rpc | self.scope_offline).ids)
                ],
                "access_token_audiences": self.mcp_url,
                **values,
            }
        )
        self.env.flush_all()
        return application

    def assertPartners(self, agent):
        answer = agent.send("call 100")
        self.assertIn(
            "result", answer, f"{answer}\n{agent.stderr()}\n{self.mcp.stderr()}"
        )
        result = answer["result"]
        self.assertEqual(result["uid"], self.user.id)
        names = [partner["name"] for partner in result["partners"]]
        self.assertIn("MCP Partner", names)
        return result

    def revoke_consent(self, application):
        """The user revokes the agent's access on the Connected Apps page."""
        self.authenticate(self.user.login, USER_PASSWORD)
        page = self.url_open("/orestapi/oauth2/apps")
        [action] = re.findall(r'action="(/orestapi/oauth2/apps/\d+/revoke)"', page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        response = self.url_open(
            action, data={"csrf_token": csrf}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertFalse(
            self.env["oauth2.consent"].search(
                [
                    ("application_id", "=", application.id),
                    ("user_id", "=", self.user.id),
                ]
            )
        )

    def assertRefusedByOdoo(self, token):
        """Odoo's own API refuses a token that is not for it."""
        common = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/common")
        self.assertFalse(common.authenticate(get_db_name(), self.user.login, token, {}))

    def run_code_flow(self, agent, application):
        """The agent's first call: discovery, authorization, exchange."""
        result = self.assertPartners(self.connect(agent))
        self.assertEqual(result["agent_client_id"], application.client_id)
        names = agent.event_names()
        self.assertIn("login_page", names)
        self.assertEqual(names.count("consent_page"), 1, agent.events)
        return result

    # -- the agent registered by hand (what worked before issue 28)

    def test_preregistered_agent(self):
        port = free_port()
        application = self.agent_application(
            redirect_uri=f"http://127.0.0.1:{port}/callback"
        )
        agent = self.agent(
            "preregistered", "--client-id", "mcp-agent", "--callback-port", str(port)
        )
        self.run_code_flow(agent, application)
        token = agent.send("token")
        # refresh: the agent's clock says its token expired, and Odoo agrees
        self.env["oauth2.token"].search(
            [("application_id", "=", application.id)]
        ).write({"expires_at": "2000-01-01 00:00:00"})
        self.env.flush_all()
        self.assertEqual(agent.send("expire"), {"expired": True})
        self.assertPartners(agent)
        refreshed = agent.send("token")
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        self.assertEqual(agent.event_names().count("consent_page"), 1)
        # the user revokes the consent: the next call is refused, and the
        # agent is sent back to the consent page, which the user denies
        self.revoke_consent(application)
        answer = agent.send("call")
        self.assertIn("access_denied", answer["error"])
        self.assertEqual(agent.event_names().count("consent_page"), 2)
        self.assertEqual(
            [e for e in agent.events if e["event"] == "authorization_error"][0][
                "error"
            ],
            "access_denied",
        )

    # -- an agent whose client ID is the URL of its metadata document

    def publish_client_metadata(self, redirect_uri):
        """The agent's Client ID Metadata Document, served over real HTTPS by
        a server on this machine whose certificate a test CA signed, which
        Odoo is made to trust; its https URL, the agent's client_id."""
        directory = tempfile.mkdtemp(prefix="orestapi-mcp-")
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        ca_file, tls = make_test_pki(directory)
        self.enterContext(patch.dict(os.environ, {"SSL_CERT_FILE": ca_file}))
        self.allow_loopback_calls()
        # documents have an allow-list of their own, for anonymous fetches
        self.set_param(
            "client_id_metadata_document_allowed_networks", LOOPBACK_NETWORKS
        )
        self.set_param("client_id_metadata_documents", "on")
        self.set_param("client_id_metadata_document_scopes", "read rpc offline_access")
        published = {}

        def answer(handler):
            body = published.get(handler.path, b"")
            handler.send_response(200 if body else 404)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        server = loopback_server(self, answer, tls=tls)
        client_id = f"https://localhost:{server.httpd.server_address[1]}/agent.json"
        published["/agent.json"] = json.dumps(
            {
                "client_id": client_id,
                "client_name": "MCP test agent",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
            }
        ).encode()
        self.env.flush_all()
        return client_id

    def test_client_id_metadata_document_agent(self):
        port = free_port()
        client_id = self.publish_client_metadata(f"http://127.0.0.1:{port}/callback")
        agent = self.agent(
            "cimd", "--client-metadata-url", client_id, "--callback-port", str(port)
        )
        self.connect(agent)
        result = self.assertPartners(agent)
        self.assertEqual(result["agent_client_id"], client_id)
        application = self.env["oauth2.application"].search(
            [("client_id", "=", client_id)]
        )
        self.assertEqual(application.registration_source, "metadata_document")
        self.assertEqual(agent.event_names().count("consent_page"), 1)
        # refresh, then the user revokes: cut off at the next call
        self.assertEqual(agent.send("expire"), {"expired": True})
        self.assertPartners(agent)
        self.revoke_consent(application)
        self.assertIn("access_denied", agent.send("call")["error"])

    # -- an agent that registers itself (RFC 7591)

    def test_dynamically_registered_agent(self):
        """Registration open to anyone, as an administrator allows it for
        MCP agents, with the scopes the MCP server needs."""
        self.set_param("client_registration", "open")
        self.set_param("client_registration_scopes", "read rpc offline_access")
        agent = self.agent("dcr")
        self.connect(agent)
        [registered] = [event for event in agent.events if event["event"] == "client"]
        application = self.env["oauth2.application"].search(
            [("client_id", "=", registered["client_id"])]
        )
        self.assertEqual(application.client_type, "public")
        result = self.assertPartners(agent)
        self.assertEqual(result["agent_client_id"], application.client_id)
        self.assertEqual(agent.event_names().count("consent_page"), 1)
        # refreshed when its clock says the token expired
        self.assertEqual(agent.send("expire"), {"expired": True})
        self.assertPartners(agent)
        self.assertEqual(agent.event_names().count("consent_page"), 1)

    def test_agent_token_not_for_odoo(self):
        """The agent's token is for the MCP server: Odoo's own API refuses
        it, so the MCP server cannot pass it on and must exchange it."""
        port = free_port()
        application = self.agent_application(
            redirect_uri=f"http://127.0.0.1:{port}/callback"
        )
        agent = self.agent(
            "preregistered", "--client-id", "mcp-agent", "--callback-port", str(port)
        )
        self.run_code_flow(agent, application)
        self.assertRefusedByOdoo(agent.send("token")["access_token"])

    # -- a device-flow agent: the user approves in a browser elsewhere

    def approve_device(self, authorization, decision="allow"):
        """The user opens the link the device shows, confirms its code and
        answers the consent page."""
        self.authenticate(self.user.login, USER_PASSWORD)
        page = self.opener.get(authorization["verification_uri_complete"], timeout=30)
        self.assertEqual(page.status_code, 200, page.text[:300])
        consent = self.submit(
            page, {"user_code": authorization["user_code"]}, follow_redirects=True
        )
        self.assertIn('value="allow"', consent.text)
        done = self.submit(consent, {"decision": decision}, follow_redirects=True)
        self.assertEqual(done.status_code, 200, done.text[:300])

    def test_device_flow_agent(self):
        application = self.agent_application(grant_device_code=True)
        agent = self.agent("device", "--client-id", application.client_id)
        authorization = agent.next("device_authorization")
        self.approve_device(authorization)
        result = self.assertPartners(self.connect(agent))
        self.assertEqual(result["agent_client_id"], application.client_id)
        # revoked: the device's token no longer opens the MCP server
        self.revoke_consent(application)
        answer = agent.send("call")
        self.assertIn("error", answer)
        self.assertEqual(agent.event_names().count("authorize"), 0)
