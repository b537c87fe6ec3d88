# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document):
a client_id that is the https URL of the client's metadata, fetched over real
HTTPS from a document server on this machine whose certificate a test CA,
trusted by the server for each test (SSL_CERT_FILE, which OpenSSL reads at
every verification), signed: the outbound module verifies it as it would any
other; the code flow with PKCE, the consent page's mark, and what the
server refuses to fetch or to accept."""

import json
import logging
import os
import shutil
import ssl
import sys
import tempfile
import unittest
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..oauth import client_id_metadata_documents as documents
from .common import (
    LOOPBACK_NETWORKS,
    VERIFIER,
    AuthorizationCase,
    answer_drip,
    loopback_server,
    make_test_pki,
    run_scheduled_job,
    s256,
)

# Where the document's client is sent back: a loopback redirect, as the MCP
# clients that publish such documents use.
CALLBACK = "http://127.0.0.1:33418/callback"
LOGGER = "odoo.addons.orestapi_oauth2.models.oauth2_application_metadata_document"
METADATA_PATH = "/.well-known/oauth-authorization-server"


@tagged("post_install", "-at_install")
class DocumentCase(AuthorizationCase):
    """A document server on https://localhost:<port>, answering each path
    with what the test published there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = tempfile.mkdtemp(prefix="orestapi-cimd-")
        cls.addClassCleanup(shutil.rmtree, directory, ignore_errors=True)
        cls.ca_file, cls.tls = make_test_pki(directory)
        cls.scope_openid = cls.env.ref("orestapi_oauth2.oauth2_scope_openid")

    def setUp(self):
        super().setUp()
        self.trust_test_ca()
        self.allow_loopback_calls()
        # documents have an allow-list of their own, not the one above
        self.set_param(
            "client_id_metadata_document_allowed_networks", LOOPBACK_NETWORKS
        )
        self.set_param("client_id_metadata_documents", "on")
        self.set_param("client_id_metadata_document_scopes", "openid profile read")
        self.published = {}
        self.server = loopback_server(self, self.answer, tls=self.tls)
        self.quiet_hang_ups(self.server.httpd)
        self.origin = "https://localhost:%d" % self.server.httpd.server_address[1]
        self.client_id = self.origin + "/client.json"
        self.publish(self.client_id, self.document(self.client_id))

    @staticmethod
    def quiet_hang_ups(httpd):
        """The server hangs up on a document too large or too slow, which
        the document server would print as a failure of its own."""
        report = httpd.handle_error

        def handle_error(request, client_address):
            if not isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
                report(request, client_address)

        httpd.handle_error = handle_error

    def trust_test_ca(self):
        previous = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = self.ca_file

        def restore():
            if previous is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = previous

        self.addCleanup(restore)

    def answer(self, handler):
        status, headers, body = self.published.get(
            handler.path, (404, [("Content-Type", "text/plain")], b"not found")
        )
        if callable(body):
            body(handler)
            return
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def document(client_id, **members):
        document = {
            "client_id": client_id,
            "client_name": "Inspector",
            "client_uri": "https://inspector.example.com",
            "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }
        document.update(members)
        return {name: value for name, value in document.items() if value is not None}

    def publish(
        self,
        url,
        document=None,
        status=200,
        headers=(("Content-Type", "application/json"),),
        body=None,
    ):
        path = url.removeprefix(self.origin)
        if body is None:
            body = json.dumps(document).encode()
        self.published[path] = (status, list(headers), body)

    def fetches(self, url=None):
        path = (url or self.client_id).removeprefix(self.origin)
        return sum(1 for requested, _body in self.server.requests if requested == path)

    def authorize_document_client(self, client_id=None, **params):
        query = {
            "client_id": client_id or self.client_id,
            "redirect_uri": CALLBACK,
            "scope": "read",
            "code_challenge": s256(VERIFIER),
            "code_challenge_method": "S256",
            **params,
        }
        return self.authorize(**query)

    def document_application(self, client_id=None):
        return (
            self.env["oauth2.application"]
            .with_context(active_test=False)
            .search([("client_id", "=", client_id or self.client_id)])
        )

    def assertUnknownClient(self, response):
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertNotIn("Location", response.headers)
        self.assertIn("This application is unknown or disabled.", response.text)

    def assertRefused(self, reason, client_id=None, **params):
        """The authorization request of the document's client fails as for an
        unknown client, and the server logs ``reason``."""
        # logging.INFO, not "INFO": Odoo names its level 25 INFO too
        with self.assertLogs(LOGGER, logging.INFO) as logs:
            self.assertUnknownClient(
                self.authorize_document_client(client_id, **params)
            )
        self.assertIn(reason, "\n".join(logs.output))

    def exchange_code(self, code, client_id=None):
        return self.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": client_id or self.client_id,
                "code_verifier": VERIFIER,
            }
        )


class TestCodeFlow(DocumentCase):
    def test_switched_off_the_client_is_unknown_and_never_fetched(self):
        self.set_param("client_id_metadata_documents", "off")
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 0)
        self.assertFalse(self.document_application())
        # an application made while it was on is refused once it is off
        self.set_param("client_id_metadata_documents", "on")
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.set_param("client_id_metadata_documents", "off")
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 1)
        metadata = self.opener.get(self.base_url() + METADATA_PATH, timeout=30).json()
        self.assertNotIn("client_id_metadata_document_supported", metadata)

    def test_metadata_says_so_when_on(self):
        metadata = self.opener.get(self.base_url() + METADATA_PATH, timeout=30).json()
        self.assertIs(metadata["client_id_metadata_document_supported"], True)

    def test_code_flow_with_pkce(self):
        page = self.authorize_document_client()
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn("Inspector", page.text)
        self.assertIn("o_oauth2_metadata_document", page.text)
        self.assertIn(
            "it was not registered by an administrator of this site", page.text
        )
        # the whole URL: on a shared host, its path says who the client is
        self.assertIn(
            f'o_oauth2_metadata_document_url text-break">{self.client_id}<',
            page.text,
        )
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        tokens = self.assertTokenAnswer(self.exchange_code(code))
        self.assertEqual(tokens["scope"], "read")
        self.assertTrue(tokens["refresh_token"])
        refreshed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                    "client_id": self.client_id,
                }
            )
        )
        self.assertTrue(refreshed["access_token"])
        application = self.document_application()
        self.assertEqual(application.registration_source, "metadata_document")
        self.assertEqual(application.client_type, "public")
        self.assertEqual(application.token_endpoint_auth_method, "none")
        self.assertEqual(application.name, "Inspector")
        self.assertEqual(application.redirect_uris, CALLBACK)
        self.assertEqual(application.client_uri, "https://inspector.example.com")
        self.assertTrue(application.grant_authorization_code)
        self.assertFalse(application.grant_implicit or application.grant_password)
        self.assertFalse(application.skip_consent)
        # a document that names no scope gets those the setting allows
        self.assertEqual(
            sorted(application.scope_ids.mapped("name")), ["openid", "profile", "read"]
        )
        # fetched once, for the authorization, the token and refresh requests
        self.assertEqual(self.fetches(), 1)

    def test_pkce_is_required(self):
        response = self.authorize_document_client(
            code_challenge=None, code_challenge_method=None
        )
        params = self.assertRedirectsTo(response, CALLBACK)
        self.assertEqual(params["error"], "invalid_request")

    def test_the_consent_page_of_a_registered_application_has_no_mark(self):
        page = self.authorize(scope="read")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_oauth2_metadata_document", page.text)
        self.assertNotIn("o_oauth2_self_registered", page.text)

    def test_redirect_uri_not_in_the_document(self):
        response = self.authorize_document_client(
            redirect_uri="https://evil.example/callback"
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("Location", response.headers)
        self.assertIn("not registered", response.text)

    def test_another_clients_code_is_refused(self):
        page = self.authorize_document_client()
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        other = self.origin + "/other.json"
        self.publish(other, self.document(other))
        response = self.exchange_code(code, client_id=other)
        self.assertOAuthError(response, "invalid_grant")

    def test_no_client_authentication_but_none(self):
        page = self.authorize_document_client()
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        response = self.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": VERIFIER,
            },
            auth=(self.client_id, "a-secret-it-never-had"),
        )
        self.assertOAuthError(response, "invalid_client", status=401)


class TestRefusedDocuments(DocumentCase):
    def test_a_private_address_is_never_called(self):
        """The networks an administrator allows for the URLs managers enter
        (set by setUp) are no document's: anyone names a document's URL."""
        self.set_param("client_id_metadata_document_allowed_networks", "")
        self.assertRefused("localhost resolves to a loopback address")
        self.assertEqual(self.fetches(), 0)
        self.assertRefused(
            "10.1.2.3 is a private address", client_id="https://10.1.2.3/client.json"
        )
        self.assertRefused(
            "169.254.169.254 is a link-local address",
            client_id="https://169.254.169.254/latest/meta-data/",
        )

    def test_too_large(self):
        padding = "x" * documents.MAX_DOCUMENT_BYTES
        self.publish(self.client_id, self.document(self.client_id, padding=padding))
        self.assertRefused("larger than 5120 bytes")

    def test_slow(self):
        self.publish(self.client_id, body=answer_drip(interval=0.5, lasting=20))
        self.assertRefused("It cannot be fetched: timed out.")

    def test_naming_another_client_id(self):
        other = self.origin + "/other.json"
        self.publish(self.client_id, self.document(other))
        self.assertRefused("Its client_id is not the URL it was fetched from.")
        # nor a spelling of the same URL: compared as strings
        self.publish(self.client_id, self.document(self.client_id + "?"))
        self.assertRefused("Its client_id is not the URL it was fetched from.")

    def test_redirecting(self):
        other = self.origin + "/other.json"
        self.publish(other, self.document(self.client_id))
        self.publish(
            self.client_id,
            status=302,
            headers=[("Location", other)],
            body=b"",
        )
        self.assertRefused("answered with status 302, not 200")
        self.assertEqual(self.fetches(other), 0)

    def test_not_found(self):
        self.published.clear()
        self.assertRefused("answered with status 404, not 200")

    def test_not_json(self):
        self.publish(
            self.client_id,
            headers=[("Content-Type", "text/html")],
            body=b"<html><body>Inspector</body></html>",
        )
        self.assertRefused("It is not served as JSON")
        self.publish(self.client_id, body=b"{'client_id': 'not JSON'}")
        self.assertRefused("The client metadata is not a JSON document.")
        self.publish(self.client_id, body=json.dumps([self.client_id]).encode())
        self.assertRefused("The client metadata must be a JSON object.")

    def test_a_more_specific_json_type_is_accepted(self):
        self.publish(
            self.client_id,
            self.document(self.client_id),
            headers=[("Content-Type", "application/client-metadata+json")],
        )
        self.assertEqual(self.authorize_document_client().status_code, 200)

    def test_a_secret_inside(self):
        cases = {
            "It holds a client_secret": {"client_secret": "chosen-by-the-client"},
            "It holds a client_secret:": {"client_secret_expires_at": 0},
            "It authenticates with 'client_secret_basic'": {
                "token_endpoint_auth_method": "client_secret_basic"
            },
            "It authenticates with 'client_secret_post'": {
                "token_endpoint_auth_method": "client_secret_post"
            },
            "It authenticates with 'private_key_jwt'": {
                "token_endpoint_auth_method": "private_key_jwt"
            },
            "Its jwks holds private key material.": {
                "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "d": "secret"}]}
            },
        }
        for reason, members in cases.items():
            with self.subTest(reason=reason):
                self.publish(self.client_id, self.document(self.client_id, **members))
                self.assertRefused(reason)
        self.assertFalse(self.document_application())

    def test_no_redirect_uris(self):
        self.publish(self.client_id, self.document(self.client_id, redirect_uris=[]))
        self.assertRefused("redirect_uris must list at least one URI")
        self.publish(
            self.client_id,
            self.document(self.client_id, redirect_uris=["javascript:alert(1)"]),
        )
        self.assertRefused("cannot be a redirect URI")

    def test_grants_other_than_the_code_grant(self):
        self.publish(
            self.client_id,
            self.document(
                self.client_id, grant_types=["authorization_code", "client_credentials"]
            ),
        )
        self.assertRefused("does not register clients for the grant types")
        self.publish(
            self.client_id,
            self.document(self.client_id, response_types=["code", "token"]),
        )
        self.assertRefused("needs the grant types")

    def test_client_ids_that_are_no_client_identifier_urls(self):
        for client_id in (
            "http://localhost/client.json",
            self.origin,
            self.origin + "/a/../client.json",
            self.origin + "/a/%2e%2e/client.json",
            self.client_id + "#fragment",
            self.client_id.replace("https://", "https://user@"),
            self.origin + "/" + "x" * documents.MAX_CLIENT_ID_LENGTH,
        ):
            with self.subTest(client_id=client_id):
                self.assertUnknownClient(self.authorize_document_client(client_id))
        self.assertFalse(self.server.requests)


class TestSettings(DocumentCase):
    def test_host_not_accepted(self):
        self.set_param(
            "client_id_metadata_document_hosts", "client.example.com, *.example.org"
        )
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 0)
        self.set_param("client_id_metadata_document_hosts", "*.localhost")
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 0)
        self.set_param(
            "client_id_metadata_document_hosts", "client.example.com, localhost"
        )
        self.assertEqual(self.authorize_document_client().status_code, 200)
        # narrowed again: the application made meanwhile is refused too
        self.set_param("client_id_metadata_document_hosts", "client.example.com")
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 1)

    def test_scope_cap(self):
        self.publish(
            self.client_id,
            self.document(self.client_id, scope="openid read write admin"),
        )
        page = self.authorize_document_client(scope="openid read")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(
            sorted(self.document_application().scope_ids.mapped("name")),
            ["openid", "read"],
        )
        # RFC 6749 §3.3: a scope beyond the cap is left out; none left is
        # invalid_scope
        page = self.authorize_document_client(scope="read write")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Read your data", page.text)
        self.assertNotIn("Create and change your data", page.text)
        refused = self.assertRedirectsTo(
            self.authorize_document_client(scope="write"), CALLBACK
        )
        self.assertEqual(refused["error"], "invalid_scope")

    def test_a_narrower_setting_applies_at_once(self):
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.set_param("client_id_metadata_document_scopes", "openid read")
        self.assertEqual(self.authorize_document_client().status_code, 200)
        # fetched again before its document expires, to take profile away
        self.assertEqual(self.fetches(), 2)
        self.assertEqual(
            sorted(self.document_application().scope_ids.mapped("name")),
            ["openid", "read"],
        )
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.assertEqual(self.fetches(), 2)

    def test_a_document_asking_only_for_scopes_not_allowed(self):
        self.publish(
            self.client_id, self.document(self.client_id, scope="write admin rpc")
        )
        self.assertRefused("None of the scopes it asks for may be granted")

    def test_settings_refuse_invalid_hosts_and_unknown_scopes(self):
        settings = self.env["res.config.settings"]
        with self.assertRaises(ValidationError):
            settings.create(
                {"oauth2_client_id_metadata_document_hosts": "good.example, 10.0.0.1"}
            )
        with self.assertRaises(ValidationError):
            settings.create(
                {"oauth2_client_id_metadata_document_scopes": "openid no-such-scope"}
            )
        settings.create(
            {
                "oauth2_client_id_metadata_documents": "on",
                "oauth2_client_id_metadata_document_hosts": "app.example.com, "
                "*.example.org",
                "oauth2_client_id_metadata_document_scopes": "openid read",
            }
        ).execute()
        parameters = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            parameters.get_param("orestapi_oauth2.client_id_metadata_documents"), "on"
        )

    def test_an_archived_application_stays_refused(self):
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.document_application().active = False
        self.assertUnknownClient(self.authorize_document_client())
        self.assertEqual(self.fetches(), 1)


class TestCache(DocumentCase):
    def expire(self):
        self.document_application().metadata_document_expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )

    def test_cache_honoured_and_expiry_refetches(self):
        self.publish(
            self.client_id,
            self.document(self.client_id),
            headers=[
                ("Content-Type", "application/json"),
                ("Cache-Control", "public, max-age=600"),
            ],
        )
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.assertEqual(self.fetches(), 1)
        application = self.document_application()
        self.assertEqual(
            application.metadata_document_expires_at
            - application.metadata_document_fetched_at,
            timedelta(seconds=600),
        )
        # the document changes: seen once the one kept expires
        moved = "http://127.0.0.1:40000/moved"
        self.publish(
            self.client_id,
            self.document(
                self.client_id, client_name="Inspector 2", redirect_uris=[moved]
            ),
        )
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.assertEqual(self.fetches(), 1)
        self.expire()
        self.assertEqual(
            self.authorize_document_client(redirect_uri=moved).status_code, 200
        )
        self.assertEqual(self.fetches(), 2)
        self.assertEqual(application.name, "Inspector 2")
        self.assertEqual(application.redirect_uris, moved)
        response = self.authorize_document_client()
        self.assertEqual(response.status_code, 400)
        self.assertIn("not registered", response.text)

    def test_cache_bounds(self):
        for cache_control, seconds in (
            ("max-age=5", documents.MIN_CACHE_SECONDS),
            ("no-store", documents.MIN_CACHE_SECONDS),
            ("max-age=999999999", documents.MAX_CACHE_SECONDS),
        ):
            with self.subTest(cache_control=cache_control):
                self.publish(
                    self.client_id,
                    self.document(self.client_id),
                    headers=[
                        ("Content-Type", "application/json"),
                        ("Cache-Control", cache_control),
                    ],
                )
                if self.document_application():
                    self.expire()
                self.assertEqual(self.authorize_document_client().status_code, 200)
                application = self.document_application()
                self.assertEqual(
                    application.metadata_document_expires_at
                    - application.metadata_document_fetched_at,
                    timedelta(seconds=seconds),
                )

    def test_a_document_gone_or_invalid_makes_the_client_unusable_until_valid(self):
        page = self.authorize_document_client()
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        tokens = self.assertTokenAnswer(self.exchange_code(code))
        self.expire()
        del self.published["/client.json"]
        self.assertRefused("answered with status 404")
        application = self.document_application()
        self.assertIn("404", application.metadata_document_problem)
        # at the token endpoint too: invalid_client, never a 500
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": self.client_id,
        }
        self.assertOAuthError(self.token_request(refresh), "invalid_client")
        # a failure is kept as briefly as a document can be
        self.expire()
        self.publish(self.client_id, self.document(self.client_id, client_secret="x"))
        self.assertRefused("It holds a client_secret")
        self.assertIn("client_secret", application.metadata_document_problem)
        self.publish(self.client_id, self.document(self.client_id))
        self.expire()
        # valid again: the user's consent stands
        answer = self.assertRedirectsTo(self.authorize_document_client(), CALLBACK)
        self.assertIn("code", answer)
        self.assertFalse(application.metadata_document_problem)
        self.assertTokenAnswer(self.token_request(refresh))

    def test_bearer_requests_never_fetch(self):
        """userinfo is a read-only request: a token of the client is looked
        up as it is, its document neither fetched nor written, even once
        expired."""
        page = self.authorize_document_client(scope="openid read")
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        tokens = self.assertTokenAnswer(self.exchange_code(code))
        self.expire()
        response = self.opener.get(
            self.base_url() + "/orestapi/oauth2/userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.json()["sub"])
        self.assertEqual(self.fetches(), 1)

    def test_an_expired_document_is_fetched_again_at_the_token_endpoint(self):
        page = self.authorize_document_client()
        code = self.assertRedirectsTo(self.decide(page, "allow"), CALLBACK)["code"]
        self.expire()
        self.assertTokenAnswer(self.exchange_code(code))
        self.assertEqual(self.fetches(), 2)


class TestAbuse(DocumentCase):
    """What anonymous requests naming documents can make this server do:
    fetch, write, make applications, are bounded."""

    def expire(self):
        self.document_application().metadata_document_expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )

    def test_a_refused_document_is_not_fetched_again_for_a_while(self):
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.expire()
        self.publish(self.client_id, body=b"not json")
        self.assertRefused("not a JSON document")
        application = self.document_application()
        refused_at = application.metadata_document_fetched_at
        self.assertEqual(
            application.metadata_document_expires_at - refused_at,
            timedelta(seconds=documents.MIN_CACHE_SECONDS),
        )
        for _request in range(3):
            self.assertUnknownClient(self.authorize_document_client())
        self.assertOAuthError(
            self.token_request(
                {
                    "grant_type": "authorization_code",
                    "code": "whatever",
                    "redirect_uri": CALLBACK,
                    "client_id": self.client_id,
                    "code_verifier": VERIFIER,
                }
            ),
            "invalid_client",
        )
        # neither fetched nor written again
        self.assertEqual(self.fetches(), 2)
        self.assertEqual(application.metadata_document_fetched_at, refused_at)
        # fetched again once that time is over
        self.expire()
        self.publish(self.client_id, self.document(self.client_id))
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.assertEqual(self.fetches(), 3)
        self.assertFalse(application.metadata_document_problem)

    def test_new_client_ids_are_limited_per_address_and_overall(self):
        self.set_param("client_id_metadata_document_new_per_address_per_hour", 2)
        client_ids = [f"{self.origin}/client-{number}.json" for number in range(4)]
        for client_id in client_ids:
            self.publish(client_id, self.document(client_id))
        for client_id in client_ids[:2]:
            page = self.authorize_document_client(client_id=client_id)
            self.assertEqual(page.status_code, 200, page.text[:300])
        # past the limit: unknown for now, never fetched, never made
        self.assertUnknownClient(
            self.authorize_document_client(client_id=client_ids[2])
        )
        self.assertOAuthError(
            self.token_request(
                {
                    "grant_type": "authorization_code",
                    "code": "whatever",
                    "redirect_uri": CALLBACK,
                    "client_id": client_ids[2],
                    "code_verifier": VERIFIER,
                }
            ),
            "invalid_client",
        )
        self.assertEqual(self.fetches(client_ids[2]), 0)
        self.assertFalse(self.document_application(client_ids[2]))
        # refused documents count too: they cost a fetch as well
        fetches = self.env["oauth2.metadata.document.fetch"]
        self.assertEqual(fetches.search_count([]), 2)
        # known clients are not limited, their expired documents neither
        self.assertEqual(
            self.authorize_document_client(client_id=client_ids[0]).status_code, 200
        )
        self.expire_application(client_ids[1])
        self.assertEqual(
            self.authorize_document_client(client_id=client_ids[1]).status_code, 200
        )
        self.assertEqual(self.fetches(client_ids[1]), 2)
        # overall: other addresses' fetches count
        self.set_param("client_id_metadata_document_new_per_address_per_hour", 100)
        self.set_param("client_id_metadata_document_new_per_hour", 3)
        self.assertEqual(
            self.authorize_document_client(client_id=client_ids[2]).status_code, 200
        )
        fetches.create(
            {"remote_addr": "198.51.100.7", "fetched_at": fields.Datetime.now()}
        )
        self.assertUnknownClient(
            self.authorize_document_client(client_id=client_ids[3])
        )
        self.assertEqual(self.fetches(client_ids[3]), 0)
        # an hour later, the window has moved on
        fetches.search([]).write(
            {"fetched_at": fields.Datetime.now() - timedelta(hours=1, seconds=1)}
        )
        self.assertEqual(
            self.authorize_document_client(client_id=client_ids[3]).status_code, 200
        )

    def expire_application(self, client_id):
        self.document_application(client_id).metadata_document_expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )

    def test_deeply_nested_json(self):
        """A document nested deeper than the parser goes is refused as any
        invalid one, at its first fetch and at a later one, never a 500."""
        nested = b"[" * 4000 + b"]" * 4000
        self.publish(self.client_id, body=nested)
        self.assertRefused("refused:")
        self.assertFalse(self.document_application())
        self.publish(self.client_id, self.document(self.client_id))
        self.assertEqual(self.authorize_document_client().status_code, 200)
        self.expire()
        self.publish(self.client_id, body=b"[" * 4000)
        self.assertRefused("refused:")
        self.assertTrue(self.document_application().metadata_document_problem)

    def test_unused_applications_are_removed(self):
        """The daily cleanup removes the applications of documents nobody
        used for a day: no token, code or consent; not one an administrator
        archived, which would otherwise be fetched again."""
        cron = self.env.ref("orestapi_oauth2.ir_cron_oauth2_delete_expired")
        names = ("unused", "approved", "archived", "recent")
        applications = {}
        for name in names:
            client_id = f"{self.origin}/{name}.json"
            self.publish(client_id, self.document(client_id))
            page = self.authorize_document_client(client_id=client_id)
            self.assertEqual(page.status_code, 200, page.text[:300])
            applications[name] = self.document_application(client_id)
        self.env["oauth2.consent"]._grant(self.user, applications["approved"], ["read"])
        applications["archived"].active = False
        two_days_ago = fields.Datetime.now() - timedelta(days=2)
        for name in ("unused", "approved", "archived"):
            applications[name].registered_at = two_days_ago
        self.assertIs(run_scheduled_job(self, cron), True)
        self.assertFalse(applications["unused"].exists())
        for name in ("approved", "archived", "recent"):
            self.assertTrue(applications[name].exists(), name)
        # made again, from its document, at its next request
        self.assertEqual(
            self.authorize_document_client(
                client_id=f"{self.origin}/unused.json"
            ).status_code,
            200,
        )


class TestPureHelpers(unittest.TestCase):
    def test_client_identifier_urls(self):
        for client_id in (
            "https://app.example.com/client.json",
            "https://app.example.com:8443/oauth/client",
            "https://app.example.com/",
            "https://app.example.com/client?tenant=1",
        ):
            with self.subTest(client_id=client_id):
                self.assertTrue(documents.is_client_id_url(client_id))
        for client_id in (
            None,
            "",
            "app",
            "https://app.example.com",
            "http://app.example.com/client",
            "HTTPS://app.example.com/client",
            "https://app.example.com/client#x",
            "https://app.example.com/client#",
            "https://user:pw@app.example.com/client",
            "https://app.example.com/./client",
            "https://app.example.com/a/../client",
            "https://app.example.com/a/%2E%2E/client",
            "https://app.example.com/a b",
            "https://app.example.com/caf\u00e9",
            "https://app.example.com:0/client",
            "https://app.example.com:99999/client",
            "https:///client",
            "https://app.example.com/" + "x" * 2000,
        ):
            with self.subTest(client_id=client_id):
                self.assertFalse(documents.is_client_id_url(client_id))

    def test_accepted_hosts(self):
        accepted = documents.parse_accepted_hosts(
            "App.Example.com, *.example.org  bad_host! 10.0.0.1"
        )
        self.assertEqual(accepted.invalid, ("bad_host!", "10.0.0.1"))
        self.assertTrue(accepted.accepts("https://app.example.com/c"))
        self.assertTrue(accepted.accepts("https://a.b.example.org:8443/c"))
        self.assertFalse(accepted.accepts("https://example.org/c"))
        self.assertFalse(accepted.accepts("https://evil-example.org/c"))
        self.assertFalse(accepted.accepts("https://app.example.com.evil.net/c"))
        self.assertTrue(documents.parse_accepted_hosts("").accepts("https://x.y/c"))

    def test_cache_seconds(self):
        self.assertEqual(documents.cache_seconds([]), documents.DEFAULT_CACHE_SECONDS)
        self.assertEqual(documents.cache_seconds(["max-age=300"]), 300)
        self.assertEqual(documents.cache_seconds(['public, max-age="900"']), 900)
        self.assertEqual(documents.cache_seconds(["private", "max-age=120"]), 120)
        self.assertEqual(documents.cache_seconds(["max-age=-5"]), 3600)
        self.assertEqual(documents.cache_seconds(["max-age=1"]), 60)
        self.assertEqual(documents.cache_seconds(["no-cache, max-age=900"]), 60)
        self.assertEqual(documents.cache_seconds(["max-age=10000000"]), 86400)

    def test_application_values(self):
        client_id = "https://app.example.com/client.json"
        metadata = documents.document_metadata(
            {"client_id": client_id, "redirect_uris": [CALLBACK]}, client_id
        )
        values, scopes = documents.application_values(
            client_id, metadata, ["openid", "read"]
        )
        self.assertEqual(scopes, ["openid", "read"])
        self.assertEqual(values["name"], "app.example.com")
        self.assertEqual(values["client_type"], "public")
        self.assertFalse(values["issue_refresh_token"])
        self.assertEqual(values["client_id"], client_id)
