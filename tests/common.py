# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Applications, users and the HTTP helper bases shared by the module's tests."""

import base64
import contextlib
import datetime
import hashlib
import hmac
import importlib.util
import ipaddress
import json
import os
import re
import resource
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import unittest
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest.mock import patch
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import jwt
import lxml.html
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from odoo import http, tests
from odoo.http import request
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import config
from odoo.tools.translate import trans_export

from ..oauth.acr import ACR_MFA
from ..oauth.routes import PROTECTED_RESOURCE_METADATA
from ..oauth.secrets import generate_secret
from ..series import SERIES

# What differs between Odoo series for the tests (the module's own
# differences are in series.py): each entry names the series and the change.

if SERIES >= (19, 0):
    # 19.0: XML-RPC and JSON-RPC moved to the auto-installed rpc module.
    from odoo.addons.rpc.controllers.xmlrpc import (
        RPC_FAULT_CODE_ACCESS_ERROR,
        RPC_FAULT_CODE_WARNING,
    )

    def export_po(env, modules, buffer):
        # 19.0: trans_export takes an environment, not a cursor.
        trans_export(None, modules, buffer, "po", env)

    def run_scheduled_job(testcase, cron):
        """Run ``cron`` as the scheduler would: what method_direct_trigger
        answers (True, or an action showing its error)."""
        # 19.0 runs the job on a cursor of its own, which sees the test's
        # transaction only in the registry's test mode.
        with testcase.enter_registry_test_mode():
            return cron.method_direct_trigger()

    def read_groups(call, domain, groupby, aggregate):
        """The groups of ``domain`` by ``groupby`` with ``aggregate`` (such
        as ``token_count:sum``), as the graph and pivot views read them:
        ``call(method, *args)`` calls the model's method. Each group maps a
        group-by to its value as shown (a record's name, a day's date) and
        ``aggregate`` to its value."""

        # 19.0: the views read formatted_read_group, whose groups hold each
        # group-by's value and label, and each aggregate under its spec.
        def shown(spec, value):
            if isinstance(value, list | tuple):
                # a day's (start, label), a record's (id, name)
                return value[0][:10] if ":" in spec else value[1]
            return value

        groups = call("formatted_read_group", domain, groupby, [aggregate])
        return [
            {
                **{spec: shown(spec, group[spec]) for spec in groupby},
                aggregate: group[aggregate],
            }
            for group in groups
        ]

    def forget_test_session_cookie(opener):
        """Leave ``opener`` with the session cookie the server set last."""
        # 19.0: HttpCase.authenticate sets its cookie for the test's host,
        # as the server does, whose cookie has then replaced it.

    def addons_path_option():
        # 19.0: the configuration's addons_path is a list.
        return "--addons-path=" + ",".join(config["addons_path"])

    class HttpCase(tests.HttpCase):
        """19.0 serves a test's requests only inside allow_requests(), which
        lends the test's registry lock to the server. The tests' clients are
        real ones (requests, requests-oauthlib, XML-RPC, node, Chromium) that
        carry no test cookie, so each test runs with every request allowed,
        as 18.0 serves them."""

        def setUp(self):
            super().setUp()
            self.enterContext(super().allow_requests(all_requests=True))

        @contextlib.contextmanager
        def allow_requests(self, browser=None, all_requests=False):
            # already allowed, for the whole test
            yield

else:
    from odoo.addons.base.controllers.rpc import (
        RPC_FAULT_CODE_ACCESS_ERROR,
        RPC_FAULT_CODE_WARNING,
    )

    def export_po(env, modules, buffer):
        trans_export(None, modules, buffer, "po", env.cr)

    def run_scheduled_job(testcase, cron):
        return cron.method_direct_trigger()

    def addons_path_option():
        return f"--addons-path={config['addons_path']}"

    def read_groups(call, domain, groupby, aggregate):
        def shown(group, spec):
            if ":" in spec:
                return group["__range"][spec]["from"][:10]
            value = group[spec]
            return value[1] if isinstance(value, list | tuple) else value

        groups = call("read_group", domain, [aggregate], groupby, lazy=False)
        return [
            {
                **{spec: shown(group, spec) for spec in groupby},
                aggregate: group[aggregate.split(":")[0]],
            }
            for group in groups
        ]

    def forget_test_session_cookie(opener):
        # HttpCase.authenticate set it for no domain; the server's, for
        # this host, is another cookie, which a browser would have alone.
        opener.cookies.clear(domain="", path="/", name="session_id")

    HttpCase = tests.HttpCase

TOKEN_PATH = "/orestapi/oauth2/access_token"
USER_PASSWORD = "correct horse battery staple"
PREFIX = "/orestapi/oauth2/"
AUTHORIZE_PATH = "/orestapi/oauth2/authorize"
REDIRECT_URI = "https://client.example.com/callback"
VERIFIER = "a-long-random-code-verifier-with-enough-entropy-0123456789"
NONCE = "n-0S6_WzA2Mj"
OIDC_SCOPES = ("openid", "profile", "email", "phone", "address")
# the authenticator secret of the tests' two-factor users (auth_totp)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CHALLENGE = 'Bearer realm="orestapi_oauth2"'
# What a Settings administrator allows for receivers on the server's machine.
LOOPBACK_NETWORKS = "127.0.0.0/8, ::1"


def basic_auth(client_id, client_secret):
    """An RFC 6749 §2.3.1 Basic header: both parts form-urlencoded first."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


MODULE_ROOT = Path(__file__).resolve().parent.parent
# the browser-driven scripts (Node) and the pages they serve
BROWSER_DIR = Path(__file__).parent / "browser"


def totp_code(secret=TOTP_SECRET, at=None, offset=0):
    """RFC 6238's code of ``secret`` (base32) at ``at`` (now), written here
    apart from Odoo's, HMAC-SHA1, 6 digits, 30 s steps. Now is never the last
    seconds of a step, so that the server checks the code in the same step."""
    if at is None:
        left = 30 - time.time() % 30
        if left < 5:
            time.sleep(left)
        at = time.time()
    counter = int(at // 30) + offset
    digest = hmac.new(
        base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    start = digest[-1] & 0x0F
    [value] = struct.unpack(">I", digest[start : start + 4])
    return f"{(value & 0x7FFFFFFF) % 1_000_000:06d}"


def load_migration(version, phase):
    """The ``migrate`` function of the module's migration script ``phase``
    (pre or post) for ``version``, as Odoo would run it on upgrade."""
    path = MODULE_ROOT / "migrations" / version / f"{phase}-migration.py"
    spec = importlib.util.spec_from_file_location(f"{phase}_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration.migrate


def lift_address_space_limit():
    """Odoo's server caps this process's address space (limit_memory_hard),
    which a browser and node's WebAssembly cannot live with."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


# scripts/test sets it to 1: CI requires every external client. Odoo's own
# runner (odoo --test-enable, OCA's CI and runboat) has none of them installed
# by this module, and skips what needs them instead.
REQUIRE_EXTERNAL_CLIENTS = "ORESTAPI_REQUIRE_EXTERNAL_CLIENTS"


def missing_external_clients(node=True, chromium=False, tours=False):
    """What the tests' external clients lack, each with the command that
    installs it: with ``node``, node and the npm packages of package.json
    under node_modules/; with ``chromium``, a Chromium; with ``tours``, a
    Chromium and the Python package Odoo's tours drive it with."""
    missing = []
    if node:
        if not shutil.which("node"):
            missing.append("Node.js 20 or newer (install node and npm)")
        packages = json.loads((MODULE_ROOT / "package.json").read_text())
        absent = [
            name
            for name in packages["devDependencies"]
            if not (MODULE_ROOT / "node_modules" / name / "package.json").exists()
        ]
        if absent:
            missing.append(
                f"the npm packages {', '.join(absent)} "
                f"(run `npm ci` in {MODULE_ROOT})"
            )
    if (chromium or tours) and not chromium_path():
        missing.append(
            "Chromium (run `apt-get install chromium` as root, "
            "or set CHROMIUM_PATH to a Chromium)"
        )
    if tours and not importlib.util.find_spec("websocket"):
        missing.append(
            "websocket-client, with which Odoo drives Chromium "
            "(run `pip install websocket-client`)"
        )
    return missing


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def require_external_clients(node=True, chromium=False, tours=False):
    """Skip the running test when an external client it needs is missing,
    saying how to install it; fail it instead under scripts/test, which
    installs them all (ORESTAPI_REQUIRE_EXTERNAL_CLIENTS=1). Returns the
    Chromium to use with ``chromium``."""
    missing = missing_external_clients(node=node, chromium=chromium, tours=tours)
    if missing:
        reason = "This test needs " + "; ".join(missing) + "."
        if os.environ.get(REQUIRE_EXTERNAL_CLIENTS) == "1":
            raise AssertionError(
                f"{reason} {REQUIRE_EXTERNAL_CLIENTS}=1 requires every external "
                "client: scripts/test installs them all."
            )
        raise unittest.SkipTest(reason)
    return chromium_path() if chromium else None


def run_node(script, *args, env=None):
    """Run a Node script of the tests with the npm packages of
    package-lock.json (``npm ci``, which scripts/test runs); skips or fails
    the test without them (see require_external_clients)."""
    require_external_clients()
    return subprocess.run(
        ["node", str(script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ, **(env or {})),
        cwd=MODULE_ROOT,
        preexec_fn=lift_address_space_limit,
    )


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_odoo(testcase, *args, log=subprocess.DEVNULL):
    """The URL of an Odoo started with ``args`` in a process of its own, with
    the tests' addons path, on a free port of 127.0.0.1; it answers when this
    returns and stops at the class cleanup of ``testcase``. ``log`` receives
    its output."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            addons_path_option(),
            f"--http-port={port}",
            "--http-interface=127.0.0.1",
            "--max-cron-threads=0",
            *args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    testcase.addClassCleanup(server.wait, timeout=30)
    testcase.addClassCleanup(server.terminate)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/web/health", timeout=10)
            return url
        except requests.RequestException:
            # not listening yet, or too busy starting to answer
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.5)


def left_half_hash(value):
    """OpenID Connect Core §3.1.3.6: the at_hash (and c_hash) of ``value``."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


# Clients' keys, as the tests make them


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def pem(private_key):
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwk(private_key, kid=None):
    """The public JWK of an RSA, EC or Ed25519 ``private_key``, with ``kid``
    if given."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm = jwt.algorithms.RSAAlgorithm
    elif isinstance(private_key, ec.EllipticCurvePrivateKey):
        algorithm = jwt.algorithms.ECAlgorithm
    else:
        algorithm = jwt.algorithms.OKPAlgorithm
    jwk = json.loads(algorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid} if kid else jwk


def jwks_text(*jwks):
    return json.dumps({"keys": list(jwks)})


class LoopbackServer:
    """An HTTP server on 127.0.0.1 for the server's outbound requests: it
    records each POST or GET (path and body) and answers with ``answer``, a
    function of the request handler, which may answer slowly or without end
    (until the client goes away). With ``tls``, an ``ssl.SSLContext`` of the
    server's certificate, it serves https."""

    def __init__(self, answer, tls=None):
        self.answer = answer
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                server.requests.append((self.path, self.rfile.read(length)))
                # the client may give up before the answer ends, as it should
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self)

            def do_GET(self):
                server.requests.append((self.path, b""))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/receiver"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def loopback_server(testcase, answer, tls=None):
    """A started :class:`LoopbackServer`, stopped at ``testcase``'s cleanup."""
    server = LoopbackServer(answer, tls)
    testcase.addCleanup(server.stop)
    return server


def answer_status(status, body=b"", headers=()):
    """An answer of ``status`` with ``body`` and ``headers``."""

    def answer(handler):
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def answer_drip(interval=0.5, lasting=20):
    """A 200 whose body comes one byte every ``interval`` seconds, for
    ``lasting`` seconds: a client that waits on each byte anew never ends."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(int(lasting / interval) + 1))
        handler.end_headers()
        handler.wfile.flush()
        ends_at = time.monotonic() + lasting
        while time.monotonic() < ends_at:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(interval)

    return answer


def answer_huge(size=300 * 1024 * 1024):
    """A 500 whose body is ``size`` bytes, sent as fast as they are taken."""
    chunk = b"x" * 65536

    def answer(handler):
        handler.send_response(500)
        handler.send_header("Content-Type", "text/plain; charset=utf-8")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        for _chunk in range(size // len(chunk)):
            handler.wfile.write(chunk)

    return answer


def _certificate_name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_test_pki(directory):
    """``(ca_file, tls)``: a test CA's certificate, written in ``directory``,
    and a server ``ssl.SSLContext`` whose certificate it signed, for localhost
    and 127.0.0.1."""
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = {
        "not_valid_before": now - datetime.timedelta(minutes=5),
        "not_valid_after": now + datetime.timedelta(days=1),
    }
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(
            subject_name=_certificate_name("orestapi test CA"), **valid
        )
        .issuer_name(_certificate_name("orestapi test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder(subject_name=_certificate_name("localhost"), **valid)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = os.path.join(directory, "ca.pem")
    certificate_file = os.path.join(directory, "server.pem")
    key_file = os.path.join(directory, "server-key.pem")
    with open(ca_file, "wb") as out:
        out.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(certificate_file, "wb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate_file, key_file)
    return ca_file, tls


class OAuth2TestMixin:
    """Applications, scopes and users shared by the module's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scope_read = cls.env.ref("orestapi_oauth2.oauth2_scope_read")
        cls.scope_write = cls.env.ref("orestapi_oauth2.oauth2_scope_write")
        cls.scope_admin = cls.env["oauth2.scope"].create(
            {"name": "admin", "description": "Administer everything"}
        )
        cls.user = new_test_user(
            cls.env, login="oauth2_user", password=USER_PASSWORD, name="OAuth User"
        )
        cls.secret = "test-secret-for-the-integration-app"
        cls.app = cls.env["oauth2.application"].create(
            {
                "name": "Integration",
                "client_id": "integration",
                "client_secret": cls.secret,
                "scope_ids": [(6, 0, (cls.scope_read | cls.scope_write).ids)],
                "grant_password": True,
                "grant_client_credentials": True,
                "user_id": cls.user.id,
            }
        )
        cls.other_secret = "test-secret-for-the-other-application"
        cls.service_user = new_test_user(
            cls.env, login="oauth2_service", name="OAuth Service"
        )
        cls.other_app = cls.env["oauth2.application"].create(
            {
                "name": "Other",
                "client_id": "other",
                "client_secret": cls.other_secret,
                "grant_password": True,
                "grant_client_credentials": True,
                "user_id": cls.service_user.id,
            }
        )
        cls.public_app = cls.env["oauth2.application"].create(
            {
                "name": "Browser App",
                "client_id": "browser-app",
                "client_type": "public",
                "grant_password": True,
                "grant_client_credentials": True,
            }
        )

    def set_param(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(
            f"orestapi_oauth2.{name}", value
        )

    def allow_loopback_calls(self):
        """Let the server call receivers on this machine, as a Settings
        administrator would allow them for development: the tests' relying
        parties listen on 127.0.0.1."""
        self.set_param("outbound_allowed_networks", LOOPBACK_NETWORKS)

    def http_request(
        self, method, path, data=None, params=None, headers=None, auth=None
    ):
        """A request to the test server; ``auth`` is ``(client_id, secret)``
        for a Basic header."""
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic_auth(*auth)
        return self.opener.request(
            method,
            self.base_url() + path,
            data=data,
            params=params,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )

    def submit(self, page, values, follow_redirects=False):
        """Post the page's first form (of an HttpCase's browser), its hidden
        fields with ``values``."""
        [form] = lxml.html.fromstring(page.text).xpath("//form[@method='post']")[:1]
        data = {
            field.name: field.value or ""
            for field in form.xpath(".//input[@type='hidden']")
        }
        data.update(values)
        action = form.get("action") or page.url
        if action.startswith("/"):
            action = self.base_url() + action
        return self.opener.post(
            action, data=data, allow_redirects=follow_redirects, timeout=30
        )

    def issue_token(self, application=None, user=None, scope="read", refresh=True):
        """``(record, access_token, refresh_token)`` of a token issued as the
        token endpoint would, straight into the database."""
        access_token = generate_secret()
        refresh_token = generate_secret() if refresh else None
        response = {"access_token": access_token, "expires_in": 360, "scope": scope}
        if refresh_token:
            response["refresh_token"] = refresh_token
        record = self.env["oauth2.token"]._create_from_response(
            response, application or self.app, user or self.user, "password", scope
        )
        return record, access_token, refresh_token


class BearerProtectedController(http.Controller):
    """Routes as a module protecting its own API would declare them (README)."""

    FORM_LIMIT = 4096

    @http.route("/orestapi_oauth2_test/whoami", type="http", auth="oauth2")
    def whoami(self):
        token = request.oauth2_token
        return request.make_json_response(
            {
                "uid": request.env.uid,
                "superuser": request.env.su,
                "application": token.application_id.client_id,
                "scope": token.scope,
            }
        )

    @http.route(
        "/orestapi_oauth2_test/update",
        type="http",
        auth="oauth2",
        oauth2_scopes=["write"],
        methods=["POST"],
    )
    def update(self):
        return request.make_json_response({"updated": True})

    @http.route(
        "/orestapi_oauth2_test/form",
        type="http",
        auth="oauth2",
        methods=["POST"],
        oauth2_form_body_token=True,
        max_content_length=lambda controller: controller.FORM_LIMIT,
    )
    def form_route(self):
        return request.make_json_response({"login": request.env.user.login})

    @http.route(
        "/orestapi_oauth2_test/strong",
        type="http",
        auth="oauth2",
        oauth2_acr=ACR_MFA,
    )
    def strong(self):
        return request.make_json_response({"acr": request.oauth2_token.acr})

    @http.route(
        "/orestapi_oauth2_test/mcp",
        type="http",
        auth="oauth2",
        oauth2_scopes=["read"],
        oauth2_resource="orestapi_oauth2.test_resource_mcp",
    )
    def mcp(self):
        """A route of another protected resource than Odoo's APIs
        (tests/test_resources.py registers it)."""
        return request.make_json_response({"audience": request.oauth2_token.audience})

    @http.route(
        "/orestapi_oauth2_test/json",
        type="json",
        auth="oauth2",
        oauth2_scopes=["read"],
    )
    def json_route(self):
        return {"login": request.env.user.login}


@tagged("post_install", "-at_install")
class TokenEndpointCase(OAuth2TestMixin, HttpCase):
    def token_request(
        self, data=None, params=None, headers=None, method="POST", auth=None
    ):
        return self.http_request(method, TOKEN_PATH, data, params, headers, auth)

    def assertTokenAnswer(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Pragma"], "no-cache")
        return response.json()

    def assertOAuthError(self, response, error, status=400):
        body = self.assertTokenAnswer(response, status)
        self.assertEqual(body["error"], error, body)
        self.assertTrue(body.get("error_description"), body)
        return body

    def password_grant(self, **extra):
        data = {
            "grant_type": "password",
            "username": self.user.login,
            "password": USER_PASSWORD,
            **extra,
        }
        return self.token_request(data, auth=("integration", self.secret))


@tagged("post_install", "-at_install")
class BearerCase(OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The routing map may have been built before this module's test
        # controller was imported.
        cls.env.registry.clear_cache("routing")

    def bearer_get(self, path, token=None, authorization=None, params=None):
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if authorization:
            headers["Authorization"] = authorization
        return self.opener.get(
            self.base_url() + path,
            headers=headers,
            params=params,
            timeout=30,
            allow_redirects=False,
        )

    def assertBearerError(self, response, status, error=None):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        body = response.json()
        challenge = response.headers["WWW-Authenticate"]
        self.assertTrue(challenge.startswith(CHALLENGE), challenge)
        # RFC 9728 §5.1: every refusal points to the metadata of Odoo's APIs
        metadata_url = self.base_url() + PROTECTED_RESOURCE_METADATA
        self.assertIn(f'resource_metadata="{metadata_url}"', challenge)
        self.assertTrue(body["error_description"])
        if error:
            self.assertEqual(body["error"], error)
            self.assertIn(f'error="{error}"', challenge)
        else:
            self.assertNotIn("error", body)
            self.assertNotIn("error=", challenge)
        return body


class EndpointCase(BearerCase):
    def call(self, method, endpoint, data=None, params=None, headers=None, auth=None):
        return self.http_request(method, PREFIX + endpoint, data, params, headers, auth)

    def password_pair(self, **extra):
        """The token pair of a password grant for the test user."""
        data = {
            "grant_type": "password",
            "username": self.user.login,
            "password": USER_PASSWORD,
            **extra,
        }
        response = self.call("POST", "access_token", data=data, auth=self.integration)
        return self.assertJson(response)

    def refresh(self, refresh_token):
        return self.call(
            "POST",
            "access_token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=self.integration,
        )

    def assertJson(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        return response.json()

    def assertOAuthError(self, response, error, status=400):
        body = self.assertJson(response, status)
        self.assertEqual(body["error"], error, body)
        self.assertTrue(body["error_description"], body)
        return body

    @property
    def integration(self):
        return ("integration", self.secret)


class AuthorizationCase(TokenEndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.write({"redirect_uris": REDIRECT_URI, "grant_implicit": True})
        cls.public_app.redirect_uris = "com.example.myapp:/callback"

    def setUp(self):
        super().setUp()
        self.authenticate(self.user.login, USER_PASSWORD)

    def authorize(self, path=AUTHORIZE_PATH, **params):
        query = {
            "response_type": "code",
            "client_id": "integration",
            "redirect_uri": REDIRECT_URI,
            "state": "xyz",
            **params,
        }
        query = {key: value for key, value in query.items() if value is not None}
        return self.opener.get(
            f"{self.base_url()}{path}?{urlencode(query)}",
            allow_redirects=False,
            timeout=30,
        )

    def decide(self, consent_page, decision):
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', consent_page.text)[1]
        return self.opener.post(
            consent_page.url,
            data={"csrf_token": csrf, "decision": decision},
            allow_redirects=False,
            timeout=30,
        )

    def session_uid(self):
        """The user of the test's browser session, asked of Odoo itself."""
        response = self.opener.post(
            self.base_url() + "/web/session/get_session_info",
            json={"jsonrpc": "2.0", "method": "call", "params": {}},
            timeout=30,
        )
        return response.json().get("result", {}).get("uid")

    def assertErrorPage(self, response):
        """An error page of the server: the client is not redirected to."""
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertNotIn("Location", response.headers)
        self.assertIn("text/html", response.headers["Content-Type"])

    def assertRedirectsTo(self, response, base=REDIRECT_URI, fragment=False):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(base), location)
        parts = urlsplit(location)
        return {
            k: v[0]
            for k, v in parse_qs(parts.fragment if fragment else parts.query).items()
        }

    def get_code(self, **params):
        page = self.authorize(**params)
        if page.status_code == 200:
            page = self.decide(page, "allow")
        return self.assertRedirectsTo(page)["code"]

    def exchange(self, code, auth=("integration", None), **extra):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            **extra,
        }
        data = {key: value for key, value in data.items() if value is not None}
        client_id, secret = auth
        if secret is None and client_id == "integration":
            secret = self.secret
        return self.token_request(data, auth=(client_id, secret) if secret else None)


class OpenIDCase(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        scopes = cls.env["oauth2.scope"].search([("name", "in", OIDC_SCOPES)])
        cls.app.scope_ids = [(4, scope.id) for scope in scopes]
        cls.user.partner_id.write(
            {"email": "oauth2.user@example.com", "phone": "+36 1 234 5678"}
        )

    def issuer(self):
        return self.base_url()

    def backdate_logins(self, moment):
        """Make the test user's logins, which the test session's auth_time
        falls back to, happen at ``moment``."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_users_log SET create_date = %s WHERE create_uid = %s",
            (moment, self.user.id),
        )
        self.env.invalidate_all()

    def setUp(self):
        super().setUp()
        self.set_param("issuer_url", self.issuer())

    def verify(self, id_token, audience="integration"):
        """The claims of ``id_token``, verified as a relying party does: with
        the key its kid names in the JWKS the discovery document points to."""
        configuration = self.opener.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        jwks = self.opener.get(configuration["jwks_uri"], timeout=30).json()
        header = jwt.get_unverified_header(id_token)
        [jwk] = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
        return jwt.decode(
            id_token,
            jwt.PyJWK(jwk).key,
            algorithms=[jwk["alg"]],
            audience=audience,
            issuer=configuration["issuer"],
        )

    def code_tokens(self, scope="openid profile email", **params):
        code = self.get_code(scope=scope, **params)
        return self.assertTokenAnswer(self.exchange(code))


class ThrottlingCase(EndpointCase):
    """The token endpoint with client authentication paused after 3 failures
    a minute, requested from the addresses a test chooses: Odoo honours
    X-Forwarded-For behind a proxy."""

    def setUp(self):
        super().setUp()
        self.set_param("client_auth_max_failures", 3)
        self.set_param("client_auth_failure_window", 60)
        patcher = patch.dict(config.options, {"proxy_mode": True})
        patcher.start()
        self.addCleanup(patcher.stop)

    def from_address(self, address, client_id="integration", secret=None):
        return self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret or self.secret),
            headers={
                "X-Forwarded-For": address,
                "X-Forwarded-Host": self.base_url().split("//")[1],
            },
        )

    def assertThrottled(self, response):
        """The 429 of a paused client authentication; its Retry-After."""
        self.assertOAuthError(response, "slow_down", status=429)
        retry_after = int(response.headers["Retry-After"])
        self.assertTrue(1 <= retry_after <= 60, retry_after)
        return retry_after


class ExternalApiAsUsersMixin:
    """Odoo's external API (XML-RPC) called as the test's users, whose
    password is USER_PASSWORD, as each role would call it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = get_db_name()

    def setUp(self):
        super().setUp()
        # Refused calls must not trigger the login cooldown of later tests.
        self.env["ir.config_parameter"].sudo().set_param(
            "base.login_cooldown_after", 1000
        )

    def execute(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.db, user.id, USER_PASSWORD, model, method, list(args), kwargs
        )

    def assertRefused(self, user, model, method, *args, **kwargs):
        """The fault refusing the call: an access or a user error, never a
        traceback, and nothing logged as an error."""
        with (
            self.assertNoLogs("odoo", "ERROR"),
            self.assertRaises(xmlrpc.client.Fault) as caught,
        ):
            self.execute(user, model, method, *args, **kwargs)
        self.assertIn(
            caught.exception.faultCode,
            (RPC_FAULT_CODE_ACCESS_ERROR, RPC_FAULT_CODE_WARNING),
            caught.exception.faultString,
        )
        return caught.exception


CONFORMANCE_RP_SCRIPT = MODULE_ROOT / "tests" / "clients" / "conformance_rp.mjs"
# Scopes of the OpenID Foundation's scope modules, and a claim of each that
# the test user has.
SCOPE_CLAIMS = {
    "profile": ("name", "preferred_username"),
    "email": ("email",),
    "address": ("address",),
    "phone": ("phone_number",),
}


class RelyingPartyRefused(AssertionError):
    """The conformance relying party refused what it was given: ``error``
    says why (kind, code, message)."""

    def __init__(self, error):
        super().__init__(f"the relying party refused it: {error}")
        self.error = error


class ConformanceRelyingParty:
    """tests/clients/conformance_rp.mjs, one Node process for a test class:
    each :meth:`check` is one line of JSON to it and one back."""

    def __init__(self):
        require_external_clients()
        self.process = subprocess.Popen(
            ["node", str(CONFORMANCE_RP_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=MODULE_ROOT,
            preexec_fn=lift_address_space_limit,
        )

    def check(self, op, **request):
        """What the relying party's ``op`` makes of ``request``; raises
        :class:`RelyingPartyRefused` when it refuses it."""
        self.process.stdin.write(json.dumps({"op": op, **request}) + "\n")
        self.process.stdin.flush()
        ready, _w, _x = select.select([self.process.stdout], [], [], 60)
        if not ready:
            raise AssertionError(f"the relying party did not answer {op} in 60 s")
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RelyingPartyRefused(answer["error"])
        return answer["ok"]

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


class ConformanceCase(OpenIDCase):
    """The OpenID Foundation's OP test modules, each a test method named
    after its module (``test_oidcc_server`` is ``oidcc-server``), run by a
    test class per plan over real HTTP; every id_token, discovery document,
    JWKS and userinfo response is checked by :class:`ConformanceRelyingParty`.

    A class runs its modules for each of its ``RESPONSE_TYPES``, in
    ``RESPONSE_MODE`` (None: the response type's default). ``NOT_YET`` maps
    a module to the feature it needs that the server lacks, ``MISSING`` names
    one the whole plan needs: such a module is skipped, saying which."""

    PLAN = None
    RESPONSE_TYPES = ("code",)
    RESPONSE_MODE = None
    NOT_YET = {}
    MISSING = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user.partner_id.write(
            {
                "street": "Andrássy út 1",
                "city": "Budapest",
                "zip": "1061",
                "country_id": cls.env.ref("base.hu").id,
            }
        )
        cls.rp = ConformanceRelyingParty()
        cls.addClassCleanup(cls.rp.close)

    def setUp(self):
        feature = self.MISSING or self.NOT_YET.get(self.module_name())
        if feature:
            self.skipTest(f"needs {feature}, which the server does not have yet")
        super().setUp()
        self.env.flush_all()

    def module_name(self):
        """The OpenID Foundation's name of the running module."""
        return self._testMethodName.removeprefix("test_").replace("_", "-")

    def variants(self):
        """Each response type of the plan, as a subTest."""
        for response_type in self.RESPONSE_TYPES:
            with self.subTest(response_type=response_type):
                yield response_type

    def discovery(self):
        return self.rp.check("discovery", issuer=self.issuer())["metadata"]

    # the person's part, done as a browser does it

    def follow(self, response, decision="allow"):
        """Go on from ``response`` as the user's browser does until the
        server answers the client (a redirect out of the server, a form_post
        page) or shows an error page: Odoo's login page is filled in with the
        user's password (counted in ``self.logins``), a consent page answered
        with ``decision``, a log-in-again page confirmed."""
        base = self.base_url()
        for _step in range(10):
            if "session_id" in response.cookies:
                self.use_server_cookie()
            if response.is_redirect:
                location = response.headers["Location"]
                if not (location.startswith(base) or location.startswith("/")):
                    return response
                if location.startswith("/"):
                    location = base + location
                response = self.opener.get(location, allow_redirects=False, timeout=30)
                continue
            if response.status_code != 200:
                return response
            path = urlsplit(response.url).path
            if path == "/web/login":
                self.logins += 1
                response = self.submit(
                    response,
                    {"login": self.user.login, "password": USER_PASSWORD},
                )
                continue
            if 'value="reauthenticate"' in response.text:
                response = self.submit(response, {"decision": "reauthenticate"})
                continue
            if 'value="allow"' in response.text:
                response = self.submit(response, {"decision": decision})
                continue
            return response
        raise AssertionError("the browser went round in circles")

    logins = 0

    def use_server_cookie(self):
        """The server's session cookie alone, as a browser has it."""
        with contextlib.suppress(KeyError):
            forget_test_session_cookie(self.opener)

    def log_out_of_odoo(self):
        """A browser with no session: the user logs in when asked."""
        self.opener.get(
            self.base_url() + "/web/session/logout", allow_redirects=False, timeout=30
        )
        self.use_server_cookie()
        self.assertFalse(self.session_uid())

    # the relying party's requests

    def request_params(self, response_type, **params):
        query = {
            "response_type": response_type,
            "client_id": "integration",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "xyz",
            "nonce": NONCE,
            "response_mode": self.RESPONSE_MODE,
            **params,
        }
        return {key: value for key, value in query.items() if value is not None}

    def send(self, response_type, method="GET", **params):
        """The authorization request's first answer, not followed."""
        query = self.request_params(response_type, **params)
        url = self.base_url() + AUTHORIZE_PATH
        if method == "POST":
            return self.opener.post(url, data=query, allow_redirects=False, timeout=30)
        return self.opener.get(
            f"{url}?{urlencode(query)}", allow_redirects=False, timeout=30
        )

    def answer(self, response, response_type, redirect_uri=REDIRECT_URI):
        """The parameters the server answered the client with at
        ``redirect_uri``: the query, fragment or form_post as the response
        mode says (§3.1.2.5, Multiple Response Types §5, Form Post §2)."""
        if self.RESPONSE_MODE == "form_post":
            self.assertEqual(response.status_code, 200, response.text[:500])
            [form] = lxml.html.fromstring(response.text).xpath("//form")
            self.assertEqual(form.get("action"), redirect_uri)
            return {field.name: field.value for field in form.xpath(".//input")}
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(redirect_uri), location)
        parts = urlsplit(location)
        fragment = response_type != "code"
        if fragment:
            # an error may come in the query only when there is no fragment
            self.assertTrue(parts.fragment, location)
        values = parse_qs(parts.fragment if fragment else parts.query)
        for name, value in values.items():
            self.assertEqual(len(value), 1, f"{name} is repeated")
        return {name: value[0] for name, value in values.items()}

    def authorize_flow(self, response_type, method="GET", decision="allow", **params):
        """The answer's parameters after the user's part of the flow."""
        response = self.follow(self.send(response_type, method, **params), decision)
        return self.answer(
            response, response_type, params.get("redirect_uri", REDIRECT_URI)
        )

    def assertAnswerError(self, params, *errors):
        self.assertIn(params.get("error"), errors, params)
        self.assertEqual(params.get("state"), "xyz", params)
        self.assertEqual(params.get("iss"), self.issuer(), params)

    def sign_in(
        self,
        response_type,
        method="GET",
        client_auth="client_secret_basic",
        max_age=None,
        code_verifier=None,
        **params,
    ):
        """A successful flow of ``response_type`` with ``params``, the
        user's part done by :meth:`follow`, checked by :meth:`complete`."""
        if max_age is not None:
            params["max_age"] = str(max_age)
        response = self.follow(self.send(response_type, method, **params))
        return self.complete(
            response_type,
            response,
            nonce=params.get("nonce", NONCE),
            state=params.get("state", "xyz"),
            max_age=max_age,
            client_auth=client_auth,
            code_verifier=code_verifier,
        )

    def complete(
        self,
        response_type,
        response,
        nonce=NONCE,
        state="xyz",
        max_age=None,
        client_auth="client_secret_basic",
        code_verifier=None,
    ):
        """The client's part of a successful flow from the server's answer
        ``response``, checked by the relying party: ``{"params", "front",
        "back", "tokens", "claims", "header"}``, the authorization response's
        parameters, the claims of the id_token it carried (front) and of the
        token endpoint's (back, once the code is exchanged as ``client_auth``
        says), the tokens of both, and the claims and header of the latest
        id_token."""
        answer = self.answer(response, response_type)
        self.assertNotIn("error", answer, answer)
        self.assertEqual(answer.get("state"), state)
        checked_max_age = {"max_age": max_age} if max_age is not None else {}
        front = self.rp.check(
            "authorization_response",
            issuer=self.issuer(),
            client_id="integration",
            response_type=response_type,
            params=answer,
            nonce=nonce,
            state=state,
            **checked_max_age,
        )
        result = {
            "params": answer,
            "front": front.get("claims"),
            "back": None,
            "tokens": dict(answer),
            "header": front.get("header"),
        }
        if "code" in response_type.split():
            tokens = self.redeem(answer["code"], client_auth, code_verifier)
            back = self.rp.check(
                "token_response",
                issuer=self.issuer(),
                client_id="integration",
                body=tokens,
                nonce=nonce,
                **checked_max_age,
            )
            result.update(back=back["claims"], header=back["header"])
            result["tokens"].update(tokens)
            if result["front"]:
                # Core §3.3.3.6: both name the same user, issuer and client
                for claim in ("iss", "sub", "aud"):
                    self.assertEqual(result["front"][claim], result["back"][claim])
        result["claims"] = result["back"] or result["front"]
        return result

    def any_answer(self, response):
        """The parameters of an answer to the client in any response mode:
        a redirect's query and fragment, or a form_post page's fields."""
        if response.status_code == 200:
            [form] = lxml.html.fromstring(response.text).xpath("//form")
            return {field.name: field.value for field in form.xpath(".//input")}
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        parts = urlsplit(response.headers["Location"])
        values = {**parse_qs(parts.query), **parse_qs(parts.fragment)}
        return {name: value[0] for name, value in values.items()}

    def discovery_keys(self):
        return self.rp.check("discovery", issuer=self.issuer())["keys"]

    def redeem(self, code, client_auth="client_secret_basic", code_verifier=None):
        """The token endpoint's answer to ``code``, the client authenticated
        as ``client_auth`` says (client_secret_basic or client_secret_post)."""
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        if client_auth == "client_secret_post":
            data.update(client_id="integration", client_secret=self.secret)
            return self.assertTokenAnswer(self.token_request(data))
        return self.assertTokenAnswer(
            self.token_request(data, auth=("integration", self.secret))
        )

    def userinfo(self, access_token, subject, how="get"):
        """Userinfo as the relying party reads it, for ``subject``: ``how``
        is get (Bearer header), post-header or post-body (RFC 6750 §2.2)."""
        url = self.base_url() + "/orestapi/oauth2/userinfo"
        header = {"Authorization": f"Bearer {access_token}"}
        if how == "get":
            response = self.opener.get(url, headers=header, timeout=30)
        elif how == "post-header":
            response = self.opener.post(url, headers=header, timeout=30)
        else:
            response = self.opener.post(
                url, data={"access_token": access_token}, timeout=30
            )
        return self.rp.check(
            "userinfo_response",
            issuer=self.issuer(),
            client_id="integration",
            sub=subject,
            status=response.status_code,
            content_type=response.headers.get("Content-Type"),
            body=response.text,
        )
