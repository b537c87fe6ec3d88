# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Dynamic Client Registration (RFC 7591) and its management protocol
(RFC 7592) over real HTTP: the modes, the registered client's code flow, the
initial access tokens, and the attacks on them."""

import json
import time
import uuid
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from odoo import fields
from odoo.tools import config

from ..models.oauth2_application_client import FETCHED_JWKS
from ..oauth import routes
from ..oauth.client_assertions import JWT_BEARER
from .common import (
    CHALLENGE,
    LOOPBACK_NETWORKS,
    TOKEN_PATH,
    AuthorizationCase,
    answer_status,
    loopback_server,
    run_scheduled_job,
    s256,
)

REGISTER_PATH = routes.REGISTER
LOOPBACK_REDIRECT = "http://127.0.0.1:33418/callback"
VERIFIER = "a-code-verifier-of-the-registered-client-long-enough-43"
# What the MCP Python SDK's OAuthClientProvider sends
MCP_METADATA = {
    "redirect_uris": [LOOPBACK_REDIRECT],
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "scope": "read",
    "client_name": "MCP agent",
    "client_uri": "https://agent.example.com",
    "software_id": "example-mcp-agent",
    "software_version": "1.2.3",
}


class RegistrationCase(AuthorizationCase):
    def setUp(self):
        super().setUp()
        self.set_param("client_registration", "open")
        self.set_param("client_registration_max_per_hour", 1000)
        self.env["oauth2.registration.attempt"].sudo().search([]).unlink()

    def register(self, metadata=None, token=None, body=None, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is None:
            body = json.dumps(MCP_METADATA if metadata is None else metadata)
        return self.http_request("POST", REGISTER_PATH, data=body, headers=headers)

    def manage(self, method, uri, token, metadata=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if metadata is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(metadata)
        return self.opener.request(
            method, uri, data=data, headers=headers, timeout=30, allow_redirects=False
        )

    def assertJson(self, response, status):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        return response.json()

    def assertRegistrationError(self, response, error, status=400):
        body = self.assertJson(response, status)
        self.assertEqual(body["error"], error, body)
        self.assertTrue(body["error_description"])
        return body

    def assertInvalidToken(self, response):
        self.assertRegistrationError(response, "invalid_token", status=401)
        challenge = response.headers["WWW-Authenticate"]
        self.assertTrue(challenge.startswith(CHALLENGE), challenge)
        self.assertIn('error="invalid_token"', challenge)

    def registered(self, metadata=None, token=None):
        """The 201 answer of a registration, and its application."""
        answer = self.assertJson(self.register(metadata, token), 201)
        application = (
            self.env["oauth2.application"]
            .with_context(active_test=False)
            .search([("client_id", "=", answer["client_id"])])
        )
        self.assertEqual(len(application), 1)
        return answer, application

    def code_of(
        self, client_id, redirect_uri=LOOPBACK_REDIRECT, scope="read", asked=True
    ):
        """The code of the test user's approved authorization request, with
        PKCE; the user is ``asked`` for consent first (never skipped for a
        self-registered client), or approved it before."""
        page = self.authorize(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        if asked:
            self.assertEqual(page.status_code, 200, page.text[:500])
            # the user is told that nobody here vouched for it
            self.assertIn("o_oauth2_self_registered", page.text)
            response = self.decide(page, "allow")
        else:
            response = page
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(redirect_uri), location)
        return parse_qs(urlsplit(location).query)["code"][0]

    def exchange_code(self, client_id, code, **extra):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": LOOPBACK_REDIRECT,
            "client_id": client_id,
            "code_verifier": VERIFIER,
            **extra,
        }
        return self.http_request("POST", TOKEN_PATH, data=data)


class TestRegistrationModes(RegistrationCase):
    def test_off_by_default(self):
        """Off: the endpoint answers as if it did not exist, in JSON, and
        the metadata names none."""
        self.env["ir.config_parameter"].sudo().search(
            [("key", "=", "orestapi_oauth2.client_registration")]
        ).unlink()
        self.assertRegistrationError(self.register(), "invalid_request", status=404)
        response = self.manage("GET", self.base_url() + REGISTER_PATH + "/x", "t")
        self.assertRegistrationError(response, "invalid_request", status=404)
        metadata = self.opener.get(self.base_url() + routes.METADATA, timeout=30)
        self.assertNotIn("registration_endpoint", metadata.json())
        self.assertFalse(
            self.env["oauth2.application"].search(
                [("registration_source", "=", "dynamic")]
            )
        )

    def test_open_public_client_then_its_code_flow(self):
        """An MCP agent registers as a public client and signs a user in
        with the code flow and PKCE; it gets nothing it did not ask for."""
        answer, app = self.registered()
        self.assertNotIn("client_secret", answer)
        self.assertNotIn("client_secret_expires_at", answer)
        self.assertEqual(answer["token_endpoint_auth_method"], "none")
        self.assertEqual(answer["redirect_uris"], [LOOPBACK_REDIRECT])
        self.assertEqual(answer["grant_types"], ["authorization_code", "refresh_token"])
        self.assertEqual(answer["response_types"], ["code"])
        self.assertEqual(answer["scope"], "read")
        self.assertEqual(answer["client_name"], "MCP agent")
        self.assertEqual(answer["software_id"], "example-mcp-agent")
        self.assertEqual(
            answer["registration_client_uri"],
            f"{self.base_url()}{REGISTER_PATH}/{answer['client_id']}",
        )
        self.assertTrue(answer["registration_access_token"])
        self.assertAlmostEqual(
            answer["client_id_issued_at"],
            fields.Datetime.now().timestamp(),
            delta=120,
        )
        self.assertEqual(app.registration_source, "dynamic")
        self.assertEqual(app.registered_from, "127.0.0.1")
        self.assertEqual(app.client_type, "public")
        self.assertEqual(app.token_endpoint_auth_method, "none")
        self.assertEqual(app.scope_ids.mapped("name"), ["read"])
        self.assertFalse(app.skip_consent or app.user_id or app.grant_password)
        self.assertFalse(app.grant_client_credentials or app.grant_implicit)
        self.assertEqual(app.client_uri, "https://agent.example.com")
        self.assertNotEqual(
            app.sudo().registration_access_token_hash,
            answer["registration_access_token"],
        )

        code = self.code_of(answer["client_id"])
        tokens = self.assertJson(self.exchange_code(answer["client_id"], code), 200)
        self.assertEqual(tokens["scope"], "read")
        self.assertTrue(tokens["refresh_token"])
        # without the verifier, another code is refused: PKCE holds
        code = self.code_of(answer["client_id"], asked=False)
        refused = self.exchange_code(answer["client_id"], code, code_verifier=None)
        self.assertEqual(refused.status_code, 400, refused.text)

    def test_confidential_client(self):
        """A confidential client gets its secret once, stored as a hash, and
        authenticates with it."""
        metadata = dict(MCP_METADATA, token_endpoint_auth_method="client_secret_post")
        answer, app = self.registered(metadata)
        secret = answer["client_secret"]
        self.assertEqual(answer["client_secret_expires_at"], 0)
        self.assertEqual(app.client_type, "confidential")
        self.assertEqual(app.token_endpoint_auth_method, "client_secret_post")
        self.assertNotIn(secret, (app.client_secret, app.sudo().client_secret_hash))
        self.assertTrue(app._check_client_secret(secret))
        code = self.code_of(answer["client_id"])
        tokens = self.assertJson(
            self.exchange_code(answer["client_id"], code, client_secret=secret), 200
        )
        self.assertTrue(tokens["access_token"])
        code = self.code_of(answer["client_id"], asked=False)
        refused = self.exchange_code(answer["client_id"], code, client_secret="x" * 43)
        self.assertIn(refused.status_code, (400, 401), refused.text)
        # never shown again
        read = self.manage(
            "GET",
            answer["registration_client_uri"],
            answer["registration_access_token"],
        )
        body = self.assertJson(read, 200)
        self.assertNotIn("client_secret", body)
        self.assertNotIn("registration_access_token", body)
        self.assertNotIn(secret, read.text)

    def test_dpop_bound_access_tokens(self):
        """RFC 9449 §5.2: the client metadata maps onto the application's
        field of that name, and is read back; anything but a boolean is
        refused."""
        metadata = dict(MCP_METADATA, dpop_bound_access_tokens=True)
        answer, app = self.registered(metadata)
        self.assertTrue(app.dpop_bound_access_tokens)
        self.assertIs(answer["dpop_bound_access_tokens"], True)
        _answer, unbound = self.registered(MCP_METADATA)
        self.assertFalse(unbound.dpop_bound_access_tokens)
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, dpop_bound_access_tokens="yes")),
            "invalid_client_metadata",
        )

    def test_token_mode(self):
        """With token, only a valid initial access token registers: not
        none, a forged, an expired, a revoked or a used-up one."""
        self.set_param("client_registration", "token")
        self.assertInvalidToken(self.register())
        self.assertInvalidToken(self.register(token="forged-" + "x" * 40))
        tokens = self.env["oauth2.registration.token"]
        once = tokens.create({"name": "One agent", "max_uses": 1})
        value = once.token
        self.assertTrue(value)
        self.assertNotEqual(once.sudo().token_hash, value)
        # a refused registration does not use it up
        bad = dict(MCP_METADATA, redirect_uris=["http://evil.example.com/cb"])
        self.assertRegistrationError(
            self.register(bad, token=value), "invalid_redirect_uri"
        )
        _answer, app = self.registered(token=value)
        self.assertEqual(app.registration_token_id, once)
        once.invalidate_recordset()
        self.assertEqual(once.use_count, 1)
        self.assertEqual(once.state, "used_up")
        self.assertInvalidToken(self.register(token=value))
        expired = tokens.create({"name": "Expired"})
        expired_value = expired.token
        expired.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertInvalidToken(self.register(token=expired_value))
        revoked = tokens.create({"name": "Revoked"})
        revoked_value = revoked.token
        revoked.action_revoke()
        self.assertInvalidToken(self.register(token=revoked_value))
        # a client secret or an access token is no initial access token
        self.assertInvalidToken(self.register(token=self.secret))
        # unlimited only when asked for: by default a token registers one
        default = tokens.create({"name": "Default"})
        self.assertEqual(default.max_uses, 1)
        default_value = default.token
        self.registered(token=default_value)
        self.assertInvalidToken(self.register(token=default_value))
        many = tokens.create({"name": "Many", "max_uses": 0})
        many_value = many.token
        self.registered(token=many_value)
        self.registered(token=many_value)
        many.invalidate_recordset()
        self.assertEqual(many.use_count, 2)
        self.assertEqual(len(many.application_ids), 2)


class TestRegistrationAttacks(RegistrationCase):
    def test_scope_escalation(self):
        """A client gets at most the scopes of the setting: never rpc unless
        listed there."""
        answer, app = self.registered(dict(MCP_METADATA, scope="read rpc"))
        self.assertEqual(answer["scope"], "read")
        self.assertNotIn("rpc", app.scope_ids.mapped("name"))
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, scope="rpc")), "invalid_client_metadata"
        )
        answer, app = self.registered(dict(MCP_METADATA, scope=None))
        self.assertNotIn("rpc", answer["scope"].split())
        self.assertIn("read", answer["scope"].split())
        self.assertTrue(app.scope_ids)
        self.set_param("client_registration_scopes", "read")
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, scope="write")), "invalid_client_metadata"
        )
        self.set_param("client_registration_scopes", "read rpc")
        answer, _app = self.registered(dict(MCP_METADATA, scope="read rpc"))
        self.assertEqual(answer["scope"], "read rpc")

    def test_grant_escalation(self):
        for grant_types in (
            ["client_credentials"],
            ["password"],
            ["implicit"],
            ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
            ["refresh_token"],
        ):
            with self.subTest(grant_types=grant_types):
                metadata = dict(
                    MCP_METADATA, grant_types=grant_types, response_types=[]
                )
                self.assertRegistrationError(
                    self.register(metadata), "invalid_client_metadata"
                )
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, response_types=["token"])),
            "invalid_client_metadata",
        )
        self.set_param("client_registration_grant_types", "authorization_code")
        self.assertRegistrationError(self.register(), "invalid_client_metadata")
        answer, app = self.registered(
            dict(MCP_METADATA, grant_types=["authorization_code"])
        )
        self.assertEqual(answer["grant_types"], ["authorization_code"])
        self.assertFalse(app.issue_refresh_token)

    def test_bad_redirect_uris(self):
        for uris in (
            ["http://client.example.com/callback"],
            ["https://client.example.com/callback#fragment"],
            ["javascript:alert(1)"],
            ["data:text/html,hi"],
            ["https://user@client.example.com/cb"],
            ["/relative"],
            [],
            None,
        ):
            with self.subTest(uris=uris):
                metadata = dict(MCP_METADATA, redirect_uris=uris)
                if uris is None:
                    del metadata["redirect_uris"]
                self.assertRegistrationError(
                    self.register(metadata), "invalid_redirect_uri"
                )
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, redirect_uris="https://a.example/cb")),
            "invalid_client_metadata",
        )
        self.assertRegistrationError(
            self.register(dict(MCP_METADATA, logo_uri="javascript:alert(1)")),
            "invalid_client_metadata",
        )

    def test_jwks_uri_reaches_no_network_an_administrator_allowed(self):
        """Outbound Allowed Networks are for the URLs managers enter: a
        registered client's JWKS URI is neither accepted nor fetched inside
        them, and the refusal does not tell how the host answered."""
        self.allow_loopback_calls()
        internal = loopback_server(self, answer_status(404, b"internal"))
        FETCHED_JWKS.clear()
        self.addCleanup(FETCHED_JWKS.clear)
        metadata = {
            "redirect_uris": ["https://client.example.com/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code"],
            "jwks_uri": internal.url + "/probe",
        }
        self.assertRegistrationError(self.register(metadata), "invalid_client_metadata")
        # their own list, set by hand for development, lets them in
        self.set_param("client_registration_allowed_networks", LOOPBACK_NETWORKS)
        answer, _application = self.registered(metadata)
        key = ec.generate_private_key(ec.SECP256R1())

        def authenticate():
            now = int(time.time())
            claims = {
                "iss": answer["client_id"],
                "sub": answer["client_id"],
                "aud": self.base_url() + TOKEN_PATH,
                "exp": now + 60,
                "jti": uuid.uuid4().hex,
            }
            assertion = jwt.encode(claims, key, "ES256", headers={"kid": "k"})
            response = self.http_request(
                "POST",
                TOKEN_PATH,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": JWT_BEARER,
                    "client_assertion": assertion,
                },
            )
            return self.assertOAuthError(response, "invalid_client", 400)

        refusal = authenticate()["error_description"]
        self.assertEqual(len(internal.requests), 1)
        self.assertNotIn("404", refusal)
        self.assertIn("cannot be fetched", refusal)
        # without it, the stored URI is not fetched either (a host that
        # resolves elsewhere since)
        self.set_param("client_registration_allowed_networks", "")
        FETCHED_JWKS.clear()
        self.env["oauth2.client.auth.failure"].search([]).unlink()
        authenticate()
        self.assertEqual(len(internal.requests), 1)

    def test_malformed_requests(self):
        """Every malformed request gets an RFC 7591 JSON error, never a 500."""
        cases = [
            (self.register(body="not json"), "invalid_client_metadata", 400),
            (self.register(body="[1, 2]"), "invalid_client_metadata", 400),
            (self.register(body=b"\xff\xfe{}"), "invalid_client_metadata", 400),
            (
                self.register(
                    body="redirect_uris=x",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                ),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, client_secret="mine-" * 10)),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, client_id="chosen")),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, registration_access_token="x")),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, software_statement="e.y.z")),
                "unapproved_software_statement",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, client_name="x" * 5000)),
                "invalid_client_metadata",
                400,
            ),
            # nested deeper than Python recurses
            (self.register(body="[" * 5000), "invalid_client_metadata", 400),
            (
                self.register(body='{"a":' * 5000 + "1" + "}" * 5000),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, token_endpoint_auth_method="tls")),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(dict(MCP_METADATA, client_name=["a"])),
                "invalid_client_metadata",
                400,
            ),
            (
                self.register(body=json.dumps(dict(MCP_METADATA, padding="x" * 70000))),
                "invalid_request",
                413,
            ),
            (
                self.http_request("GET", REGISTER_PATH),
                "invalid_request",
                405,
            ),
        ]
        for response, error, status in cases:
            with self.subTest(error=error, status=status, body=response.text[:80]):
                self.assertRegistrationError(response, error, status)
        self.assertFalse(
            self.env["oauth2.application"].search(
                [("registration_source", "=", "dynamic")]
            )
        )
        # unknown members are ignored
        self.registered(dict(MCP_METADATA, unknown_member={"a": 1}))

    def test_registration_spam(self):
        """One address registers at most the setting's number of times an
        hour, refused requests counted too; other addresses go on."""
        self.set_param("client_registration_max_per_hour", 3)
        patcher = patch.dict(config.options, {"proxy_mode": True})
        patcher.start()
        self.addCleanup(patcher.stop)
        host = self.base_url().split("//")[1]

        def from_address(address, body=None):
            return self.register(
                body=body,
                headers={"X-Forwarded-For": address, "X-Forwarded-Host": host},
            )

        self.assertEqual(from_address("198.51.100.7").status_code, 201)
        self.assertEqual(from_address("198.51.100.7", body="junk").status_code, 400)
        self.assertEqual(from_address("198.51.100.7").status_code, 201)
        refused = from_address("198.51.100.7")
        self.assertRegistrationError(refused, "slow_down", status=429)
        self.assertTrue(1 <= int(refused.headers["Retry-After"]) <= 3600)
        self.assertEqual(from_address("198.51.100.8").status_code, 201)
        self.assertEqual(
            self.env["oauth2.application"].search_count(
                [("registered_from", "=", "198.51.100.7")]
            ),
            2,
        )

    def from_address(self, address, body=None):
        """A registration request from ``address``, behind a proxy."""
        patcher = patch.dict(config.options, {"proxy_mode": True})
        patcher.start()
        self.addCleanup(patcher.stop)
        host = self.base_url().split("//")[1]
        return self.register(
            body=body,
            headers={"X-Forwarded-For": address, "X-Forwarded-Host": host},
        )

    def test_registration_spam_from_many_addresses(self):
        """All addresses together send at most ten times what one may in an
        hour, then every address waits; requests refused to an address
        sending on and on do not count for the others."""
        self.set_param("client_registration_max_per_hour", 1)
        # one address past its limit: one request let through
        self.assertEqual(self.from_address("198.51.100.7").status_code, 201)
        for _attempt in range(5):
            self.assertRegistrationError(
                self.from_address("198.51.100.7"), "slow_down", status=429
            )
        # nine /64s of one /48, refused metadata counting too
        for network in range(1, 10):
            address = f"2001:db8:7:{network:x}::1"
            self.assertRegistrationError(
                self.from_address(address, body="junk"), "invalid_client_metadata"
            )
        refused = self.from_address("2001:db8:7:ff::1")
        self.assertRegistrationError(refused, "slow_down", status=429)
        self.assertTrue(1 <= int(refused.headers["Retry-After"]) <= 3600)
        self.assertRegistrationError(
            self.from_address("203.0.113.9"), "slow_down", status=429
        )
        # an hour later, registrations go on
        self.env["oauth2.registration.attempt"].search([]).write(
            {"attempted_at": fields.Datetime.now() - timedelta(hours=1, seconds=1)}
        )
        self.assertEqual(self.from_address("203.0.113.9").status_code, 201)

    def test_failing_registrations_are_counted(self):
        """A registration that fails unexpectedly gets a JSON error, not
        Odoo's HTML page, and still counts against the limit: its attempt is
        not rolled back with it."""
        self.set_param("client_registration_max_per_hour", 2)
        # No request is known to fail so (the tests above cover those that
        # did): make the registration itself fail.
        applications = type(self.env["oauth2.application"])
        with (
            patch.object(
                applications, "_register_client", side_effect=RuntimeError("bug")
            ),
            self.assertLogs("odoo.addons.orestapi_oauth2.provider.registration"),
        ):
            for _attempt in range(2):
                self.assertRegistrationError(
                    self.from_address("198.51.100.7"), "server_error", status=500
                )
            self.assertRegistrationError(
                self.from_address("198.51.100.7"), "slow_down", status=429
            )
        self.assertEqual(
            self.env["oauth2.registration.attempt"].search_count(
                [("remote_addr", "=", "198.51.100.7")]
            ),
            3,
        )
        self.assertEqual(self.from_address("198.51.100.8").status_code, 201)

    def test_no_cross_origin_reading(self):
        """No page of another origin reads a registration's answer."""
        response = self.register(headers={"Origin": "https://evil.example.com"})
        self.assertEqual(response.status_code, 201)
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)


class TestRegistrationManagement(RegistrationCase):
    def test_read_update_delete(self):
        answer, app = self.registered()
        uri, token = (
            answer["registration_client_uri"],
            answer["registration_access_token"],
        )
        body = self.assertJson(self.manage("GET", uri, token), 200)
        self.assertEqual(body["client_id"], answer["client_id"])
        self.assertEqual(body["redirect_uris"], [LOOPBACK_REDIRECT])

        new_redirect = "http://127.0.0.1:40000/callback"
        update = dict(
            MCP_METADATA,
            client_id=answer["client_id"],
            redirect_uris=[new_redirect],
            scope="read rpc write",
            client_name="Renamed agent",
        )
        body = self.assertJson(self.manage("PUT", uri, token, update), 200)
        self.assertEqual(body["redirect_uris"], [new_redirect])
        self.assertEqual(body["scope"], "read write")
        self.assertEqual(body["client_name"], "Renamed agent")
        app.invalidate_recordset()
        self.assertEqual(app.redirect_uris, new_redirect)
        self.assertEqual(app.name, "Renamed agent")
        for refused in (
            dict(update, client_id=None),
            dict(update, client_id="another"),
            dict(update, redirect_uris=["http://evil.example.com/cb"]),
            dict(update, token_endpoint_auth_method="client_secret_basic"),
            dict(update, grant_types=["client_credentials"]),
            dict(update, client_secret="y" * 43),
        ):
            with self.subTest(refused=refused):
                response = self.manage("PUT", uri, token, refused)
                self.assertIn(
                    response.json()["error"],
                    ("invalid_client_metadata", "invalid_redirect_uri"),
                )
                self.assertEqual(response.status_code, 400)
        nested = self.opener.request(
            "PUT",
            uri,
            data="[" * 5000,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        self.assertRegistrationError(nested, "invalid_client_metadata")
        app.invalidate_recordset()
        self.assertEqual(app.redirect_uris, new_redirect)

        record, access_token, _refresh = self.issue_token(application=app)
        response = self.manage("DELETE", uri, token)
        self.assertEqual(response.status_code, 204, response.text)
        app.invalidate_recordset()
        record.invalidate_recordset()
        self.assertFalse(app.active)
        self.assertTrue(record.revoked)
        self.assertInvalidToken(self.manage("GET", uri, token))
        self.assertInvalidToken(self.manage("DELETE", uri, token))
        code = self.authorize(
            client_id=answer["client_id"],
            redirect_uri=new_redirect,
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        self.assertNotIn(code.status_code, (302, 303))

    def test_another_clients_token(self):
        """A registration access token manages its own client only; a wrong,
        missing or other client's token gets 401 invalid_token."""
        first, first_app = self.registered()
        second, second_app = self.registered()
        second_uri = second["registration_client_uri"]
        for token in (
            first["registration_access_token"],
            "forged-" + "z" * 40,
            None,
            first_app.client_id,
        ):
            for method in ("GET", "PUT", "DELETE"):
                with self.subTest(token=token, method=method):
                    metadata = (
                        dict(MCP_METADATA, client_id=second["client_id"])
                        if method == "PUT"
                        else None
                    )
                    self.assertInvalidToken(
                        self.manage(method, second_uri, token, metadata)
                    )
        self.assertInvalidToken(
            self.manage(
                "GET",
                self.base_url() + REGISTER_PATH + "/unknown",
                first["registration_access_token"],
            )
        )
        second_app.invalidate_recordset()
        self.assertTrue(second_app.active)
        # an application an administrator made has no registration to manage
        self.assertInvalidToken(
            self.manage("GET", self.base_url() + REGISTER_PATH + "/integration", "x")
        )


class TestRegistrationBackend(RegistrationCase):
    def test_suspend_and_resume(self):
        answer, app = self.registered()
        record, _access, _refresh = self.issue_token(application=app)
        app.action_suspend_registration()
        record.invalidate_recordset()
        self.assertTrue(record.revoked)
        self.assertFalse(app.active)
        self.assertTrue(app.suspended)
        self.assertInvalidToken(
            self.manage(
                "GET",
                answer["registration_client_uri"],
                answer["registration_access_token"],
            )
        )
        page = self.authorize(
            client_id=answer["client_id"],
            redirect_uri=LOOPBACK_REDIRECT,
            code_challenge=s256(VERIFIER),
            code_challenge_method="S256",
        )
        self.assertNotIn(page.status_code, (302, 303))
        app.action_resume_registration()
        self.assertTrue(app.active)
        self.assertFalse(app.suspended)
        self.assertJson(
            self.manage(
                "GET",
                answer["registration_client_uri"],
                answer["registration_access_token"],
            ),
            200,
        )

    def test_unused_clients_are_removed(self):
        """The daily cleanup removes self-registered applications nobody
        used within the setting's days: no token, code or consent."""
        _answer, unused = self.registered()
        _answer, approved = self.registered()
        _answer, recent = self.registered()
        self.env["oauth2.consent"]._grant(self.user, approved, ["read"])
        long_ago = fields.Datetime.now() - timedelta(days=31)
        (unused | approved).write({"registered_at": long_ago})
        self.app.write({"registration_source": "admin"})
        cron = self.env.ref("orestapi_oauth2.ir_cron_oauth2_delete_expired")
        self.set_param("client_registration_unused_days", 0)
        run_scheduled_job(self, cron)
        self.assertTrue(unused.exists())
        self.set_param("client_registration_unused_days", 30)
        run_scheduled_job(self, cron)
        self.assertFalse(unused.exists())
        self.assertTrue(approved.exists())
        self.assertTrue(recent.exists())
        self.assertTrue(self.app.exists())

    def test_cleanup_keeps_clients_an_administrator_took_in_hand(self):
        """The cleanup never deletes an unused self-registered application
        that an administrator suspended, made a resource server or gave
        token exchange, that a resource names, or that an administrator
        edited: only those nobody but the registration protocol touched."""
        confidential = dict(
            MCP_METADATA, token_endpoint_auth_method="client_secret_basic"
        )
        _answer, unused = self.registered()
        _answer, suspended = self.registered()
        _answer, resource_server = self.registered(confidential)
        _answer, exchanging = self.registered(confidential)
        _answer, named = self.registered(confidential)
        _answer, edited = self.registered()
        everyone = unused | suspended | resource_server | exchanging | named | edited
        everyone.write({"registered_at": fields.Datetime.now() - timedelta(days=31)})
        suspended.action_suspend_registration()
        resource_server.is_resource_server = True
        exchanging.grant_token_exchange = True
        resource = self.env["oauth2.resource"].create(
            {
                "name": "MCP",
                "identifier": "https://mcp.example.com/mcp",
                "application_id": named.id,
            }
        )
        admin = self.env.ref("base.user_admin")
        edited.with_user(admin).write({"name": "Adopted agent"})
        self.set_param("client_registration_unused_days", 30)
        run_scheduled_job(
            self, self.env.ref("orestapi_oauth2.ir_cron_oauth2_delete_expired")
        )
        self.assertFalse(unused.exists())
        for label, kept in (
            ("suspended", suspended),
            ("resource server", resource_server),
            ("token exchange", exchanging),
            ("named by a resource", named),
            ("edited", edited),
        ):
            with self.subTest(kept=label):
                self.assertTrue(kept.exists())
        self.assertEqual(resource.application_id, named)

    def test_settings_and_metadata(self):
        settings = self.env["res.config.settings"].create(
            {
                "oauth2_client_registration": "token",
                "oauth2_client_registration_scopes": "openid read",
                "oauth2_client_registration_unused_days": 0,
            }
        )
        settings.execute()
        parameters = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            parameters.get_param("orestapi_oauth2.client_registration"), "token"
        )
        self.assertEqual(
            parameters.get_param("orestapi_oauth2.client_registration_unused_days"),
            "0",
        )
        metadata = self.opener.get(self.base_url() + routes.METADATA, timeout=30)
        self.assertEqual(
            metadata.json()["registration_endpoint"], self.base_url() + REGISTER_PATH
        )
