# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Pushed authorization requests (RFC 9126): the PAR endpoint, and the
authorization endpoint with the request_uri it gives."""

import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

from odoo import fields

from ..controllers.common import MAX_REQUEST_SIZE
from ..oauth.pushed_requests import (
    MAX_PARAMETERS_LENGTH,
    REQUEST_URI_LIFETIME,
    REQUEST_URI_PREFIX,
)
from ..oauth.secrets import generate_secret
from .common import (
    AUTHORIZE_PATH,
    MODULE_ROOT,
    REDIRECT_URI,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    jwks_text,
    public_jwk,
    rsa_key,
    run_node,
    s256,
)

PAR_PATH = "/orestapi/oauth2/par"
PUBLIC_REDIRECT_URI = "com.example.myapp:/callback"


class PushedAuthorizationCase(AuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.openid_scope = cls.env.ref("orestapi_oauth2.oauth2_scope_openid")

    def push(self, auth="integration", headers=None, **params):
        """The PAR endpoint's answer to a code request with PKCE, pushed
        with ``params`` over the defaults (None leaves one out), by the
        client of ``auth``: the integration application with its secret in
        a Basic header, or ``(client_id, secret)``, or None."""
        data = {
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "read",
            "state": "pushed-state",
            "code_challenge": s256(VERIFIER),
            "code_challenge_method": "S256",
            **params,
        }
        data = {name: value for name, value in data.items() if value is not None}
        if auth == "integration":
            auth = ("integration", self.secret)
        return self.http_request("POST", PAR_PATH, data, headers=headers, auth=auth)

    def pushed_request_uri(self, **params):
        body = self.assertTokenAnswer(self.push(**params), status=201)
        return body["request_uri"]

    def authorize_pushed(self, request_uri, client_id="integration", **extra):
        params = {
            "response_type": None,
            "redirect_uri": None,
            "state": None,
            **extra,
            "client_id": client_id,
            "request_uri": request_uri,
        }
        return self.authorize(**params)

    def assertRequestUriRefused(self, response):
        self.assertErrorPage(response)
        self.assertIn("start again", response.text)

    def exchange_pushed(self, code):
        return self.assertTokenAnswer(self.exchange(code, code_verifier=VERIFIER))


class TestPushedAuthorizationEndpoint(PushedAuthorizationCase):
    def test_push_answers_a_request_uri(self):
        response = self.push()
        body = self.assertTokenAnswer(response, status=201)
        self.assertEqual(set(body), {"request_uri", "expires_in"})
        self.assertEqual(body["expires_in"], REQUEST_URI_LIFETIME)
        self.assertTrue(body["request_uri"].startswith(REQUEST_URI_PREFIX))
        pushed = self.env["oauth2.pushed.authorization.request"].search([])
        self.assertEqual(pushed.application_id, self.app)
        # only a hash of the request_uri is kept, and no client secret
        reference = body["request_uri"].removeprefix(REQUEST_URI_PREFIX)
        self.assertNotIn(reference, pushed.request_uri_hash)
        self.assertNotIn(self.secret, pushed.parameters)
        self.assertIn(["client_id", "integration"], json.loads(pushed.parameters))

    def test_secret_in_the_body_and_public_clients(self):
        response = self.push(
            auth=None, client_id="integration", client_secret=self.secret
        )
        self.assertTokenAnswer(response, status=201)
        self.assertNotIn(
            self.secret,
            "".join(
                self.env["oauth2.pushed.authorization.request"]
                .search([])
                .mapped("parameters")
            ),
        )
        # a public client authenticates by its client_id (RFC 9126 §2)
        response = self.push(
            auth=None, client_id="browser-app", redirect_uri=PUBLIC_REDIRECT_URI
        )
        self.assertTokenAnswer(response, status=201)

    def test_client_must_authenticate(self):
        for auth, data, status in (
            (None, {}, 401),
            (("integration", "not-the-secret"), {}, 401),
            (("other", self.other_secret), {"client_id": "integration"}, 401),
            (None, {"client_id": "integration"}, 400),
            (None, {"client_id": "integration", "client_secret": "wrong"}, 400),
            (None, {"client_id": "no-such-client"}, 400),
        ):
            with self.subTest(auth=auth, data=data):
                response = self.push(auth=auth, **data)
                # as the token endpoint: 401 with a Basic challenge to the
                # client that sent Basic or nothing (RFC 6749 §5.2)
                self.assertOAuthError(response, "invalid_client", status=status)
                self.assertEqual("WWW-Authenticate" in response.headers, status == 401)
        self.assertFalse(self.env["oauth2.pushed.authorization.request"].search([]))

    def test_failed_authentications_are_throttled_as_at_the_token_endpoint(self):
        failures = self.env["oauth2.client.auth.failure"]
        before = failures.search_count([("client_id", "=", "integration")])
        self.push(auth=("integration", "not-the-secret"))
        self.assertEqual(
            failures.search_count([("client_id", "=", "integration")]), before + 1
        )

    def test_authorization_request_is_checked_when_pushed(self):
        for params, error in (
            ({"redirect_uri": "https://evil.example.com/cb"}, "invalid_request"),
            ({"scope": "no-such-scope"}, "invalid_scope"),
            ({"response_type": "nonsense"}, "unsupported_response_type"),
            ({"code_challenge_method": "plain"}, "invalid_request"),
            ({"response_mode": "unknown"}, "invalid_request"),
            ({"request_uri": REQUEST_URI_PREFIX + "x"}, "invalid_request"),
            ({"request_uri": "https://client.example.com/r.jwt"}, "invalid_request"),
        ):
            with self.subTest(params=params):
                self.assertOAuthError(self.push(**params), error)
        self.assertFalse(self.env["oauth2.pushed.authorization.request"].search([]))

    def test_public_client_needs_pkce_when_pushing(self):
        response = self.push(
            auth=None,
            client_id="browser-app",
            redirect_uri=PUBLIC_REDIRECT_URI,
            code_challenge=None,
            code_challenge_method=None,
        )
        self.assertOAuthError(response, "invalid_request")

    def test_prompt_none_waits_for_the_browser(self):
        # nobody is logged in at the PAR endpoint: prompt=none is answered
        # when the browser brings the request, with its session
        self.app.scope_ids = [(4, self.openid_scope.id)]
        request_uri = self.pushed_request_uri(scope="openid read", prompt="none")
        params = self.assertRedirectsTo(self.authorize_pushed(request_uri))
        self.assertEqual(params["error"], "consent_required")
        self.assertEqual(params["state"], "pushed-state")
        # answered, even with an error: used up
        self.assertRequestUriRefused(self.authorize_pushed(request_uri))

    def test_only_post(self):
        response = self.http_request("GET", PAR_PATH, params={"client_id": "x"})
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "POST")

    def test_only_forms(self):
        response = self.http_request(
            "POST",
            PAR_PATH,
            data=json.dumps({"response_type": "code"}),
            headers={"Content-Type": "application/json"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_request")

    def test_oversized_requests(self):
        response = self.push(state="x" * MAX_PARAMETERS_LENGTH)
        self.assertOAuthError(response, "invalid_request")
        response = self.push(state="x" * MAX_REQUEST_SIZE)
        self.assertOAuthError(response, "invalid_request", status=413)
        self.assertFalse(self.env["oauth2.pushed.authorization.request"].search([]))

    def test_metadata(self):
        for path in (
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ):
            with self.subTest(path=path):
                metadata = self.opener.get(self.base_url() + path, timeout=30).json()
                self.assertEqual(
                    metadata["pushed_authorization_request_endpoint"],
                    self.base_url() + PAR_PATH,
                )
                self.assertIs(metadata["require_pushed_authorization_requests"], False)

    def test_cors_as_the_token_endpoint(self):
        self.app.allowed_origins = "https://spa.example.com"
        response = self.push(headers={"Origin": "https://spa.example.com"})
        self.assertTokenAnswer(response, status=201)
        self.assertEqual(
            response.headers["Access-Control-Allow-Origin"], "https://spa.example.com"
        )
        response = self.push(headers={"Origin": "https://evil.example.com"})
        self.assertOAuthError(response, "unauthorized_client")
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)


class TestPushedRequestAtTheAuthorizationEndpoint(PushedAuthorizationCase):
    def test_code_flow(self):
        request_uri = self.pushed_request_uri()
        page = self.authorize_pushed(request_uri)
        self.assertEqual(page.status_code, 200, page.text[:500])
        # the consent page posts the request_uri back, not the parameters
        action = parse_qs(urlsplit(page.url).query)
        self.assertEqual(
            action, {"client_id": ["integration"], "request_uri": [request_uri]}
        )
        self.assertIn(f"request_uri={request_uri.replace(':', '%3A')}", page.text)
        params = self.assertRedirectsTo(self.decide(page, "allow"))
        self.assertEqual(params["state"], "pushed-state")
        self.assertEqual(params["iss"], self.base_url())
        body = self.exchange_pushed(params["code"])
        self.assertEqual(body["scope"], "read")
        # used once: the same request_uri again, or the consent page again
        self.assertRequestUriRefused(self.authorize_pushed(request_uri))
        self.assertRequestUriRefused(self.decide(page, "allow"))

    def test_reloading_the_consent_page_before_answering(self):
        request_uri = self.pushed_request_uri()
        first = self.authorize_pushed(request_uri)
        again = self.authorize_pushed(request_uri)
        self.assertEqual(again.status_code, 200)
        self.assertRedirectsTo(self.decide(again, "allow"))
        # the page opened first cannot answer a second time
        self.assertRequestUriRefused(self.decide(first, "allow"))
        self.assertEqual(
            self.env["oauth2.authorization.code"].search_count(
                [("application_id", "=", self.app.id)]
            ),
            1,
        )

    def test_login_round_trip(self):
        request_uri = self.pushed_request_uri()
        self.authenticate(None, None)
        response = self.authorize_pushed(request_uri)
        self.assertEqual(response.status_code, 303, response.text[:500])
        login = urlsplit(response.headers["Location"])
        self.assertEqual(login.path, "/web/login")
        return_to = parse_qs(login.query)["redirect"][0]
        self.assertEqual(
            parse_qs(urlsplit(return_to).query),
            {"client_id": ["integration"], "request_uri": [request_uri]},
        )
        # more than the push's lifetime passes while the user logs in: once
        # the browser brought it, the request_uri waits for the user
        pushed = self.env["oauth2.pushed.authorization.request"].search([])
        self.assertGreater(
            pushed.expires_at,
            fields.Datetime.now() + timedelta(seconds=REQUEST_URI_LIFETIME * 2),
        )
        self.authenticate(self.user.login, USER_PASSWORD)
        page = self.opener.get(
            self.base_url() + return_to, allow_redirects=False, timeout=30
        )
        self.assertEqual(page.status_code, 200, page.text[:500])
        params = self.assertRedirectsTo(self.decide(page, "allow"))
        self.exchange_pushed(params["code"])

    def test_consent_on_file_answers_at_once_and_once(self):
        self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        request_uri = self.pushed_request_uri()
        params = self.assertRedirectsTo(self.authorize_pushed(request_uri))
        self.exchange_pushed(params["code"])
        self.assertRequestUriRefused(self.authorize_pushed(request_uri))

    def test_concurrent_uses_only_one_wins(self):
        self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        request_uri = self.pushed_request_uri()
        self.env.flush_all()
        answers = []

        def use():
            answers.append(self.authorize_pushed(request_uri))

        threads = [threading.Thread(target=use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = [answer for answer in answers if answer.status_code in (302, 303)]
        self.assertEqual(len(codes), 1, [answer.status_code for answer in answers])
        self.assertEqual(
            [answer.status_code for answer in answers if answer not in codes], [400]
        )

    def test_denied_uses_it_up(self):
        request_uri = self.pushed_request_uri()
        page = self.authorize_pushed(request_uri)
        params = self.assertRedirectsTo(self.decide(page, "deny"))
        self.assertEqual(params["error"], "access_denied")
        self.assertRequestUriRefused(self.decide(page, "allow"))

    def test_expired(self):
        request_uri = self.pushed_request_uri()
        self.env["oauth2.pushed.authorization.request"].search([]).expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )
        self.assertRequestUriRefused(self.authorize_pushed(request_uri))

    def test_expired_while_the_consent_page_is_open(self):
        request_uri = self.pushed_request_uri()
        page = self.authorize_pushed(request_uri)
        self.env["oauth2.pushed.authorization.request"].search([]).expires_at = (
            fields.Datetime.now() - timedelta(seconds=1)
        )
        self.assertRequestUriRefused(self.decide(page, "allow"))
        self.assertFalse(self.env["oauth2.authorization.code"].search([]))

    def test_another_clients_request_uri(self):
        self.other_app.write(
            {"redirect_uris": REDIRECT_URI, "grant_authorization_code": True}
        )
        request_uri = self.pushed_request_uri()
        self.assertRequestUriRefused(self.authorize_pushed(request_uri, "other"))
        self.assertRequestUriRefused(self.authorize_pushed(request_uri, client_id=None))
        # still the pushing client's to use
        page = self.authorize_pushed(request_uri)
        self.assertRedirectsTo(self.decide(page, "allow"))

    def test_archived_application(self):
        request_uri = self.pushed_request_uri()
        self.app.active = False
        self.assertRequestUriRefused(self.authorize_pushed(request_uri))

    def test_forged_request_uris(self):
        self.pushed_request_uri()
        for request_uri in (
            REQUEST_URI_PREFIX + generate_secret(),
            REQUEST_URI_PREFIX + "short",
            REQUEST_URI_PREFIX,
        ):
            with self.subTest(request_uri=request_uri):
                self.assertRequestUriRefused(self.authorize_pushed(request_uri))

    def test_repeated_request_uri(self):
        request_uri = self.pushed_request_uri()
        query = urlencode(
            [
                ("client_id", "integration"),
                ("request_uri", request_uri),
                ("request_uri", REQUEST_URI_PREFIX + generate_secret()),
            ]
        )
        response = self.opener.get(
            f"{self.base_url()}{AUTHORIZE_PATH}?{query}",
            allow_redirects=False,
            timeout=30,
        )
        self.assertRequestUriRefused(response)

    def test_query_parameters_are_ignored(self):
        request_uri = self.pushed_request_uri()
        page = self.authorize_pushed(
            request_uri,
            redirect_uri="https://evil.example.com/callback",
            scope="write",
            state="from-the-query",
            response_type="token",
            code_challenge=s256("another-verifier-of-the-attacker-0123456789"),
        )
        self.assertEqual(page.status_code, 200, page.text[:500])
        params = self.assertRedirectsTo(self.decide(page, "allow"))
        self.assertEqual(params["state"], "pushed-state")
        body = self.exchange_pushed(params["code"])
        self.assertEqual(body["scope"], "read")

    def test_application_that_must_push(self):
        self.app.require_pushed_authorization_requests = True
        params = self.assertRedirectsTo(self.authorize(scope="read"))
        self.assertEqual(params["error"], "invalid_request")
        self.assertIn("push", params["error_description"])
        self.assertEqual(params["state"], "xyz")
        # the implicit grant too
        params = self.assertRedirectsTo(
            self.authorize(scope="read", response_type="token"), fragment=True
        )
        self.assertEqual(params["error"], "invalid_request")
        self.assertFalse(self.env["oauth2.authorization.code"].search([]))
        # through the PAR endpoint, it works
        page = self.authorize_pushed(self.pushed_request_uri())
        params = self.assertRedirectsTo(self.decide(page, "allow"))
        self.exchange_pushed(params["code"])

    def test_select_account_then_consent(self):
        self.app.scope_ids = [(4, self.openid_scope.id)]
        request_uri = self.pushed_request_uri(
            scope="openid read", prompt="select_account", nonce="n-1"
        )
        page = self.authorize_pushed(request_uri)
        self.assertIn('value="continue"', page.text)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        consent = self.opener.post(
            page.url,
            data={"csrf_token": csrf, "decision": "continue"},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(consent.status_code, 200, consent.text[:500])
        self.assertIn('value="allow"', consent.text)
        # the consent page, posting the request_uri, asks no account again
        params = self.assertRedirectsTo(self.decide(consent, "allow"))
        self.assertIn("id_token", self.exchange_pushed(params["code"]))


class TestPushedRequestObjects(PushedAuthorizationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rsa = rsa_key()
        cls.app.jwks = jwks_text(public_jwk(cls.rsa, "rsa-1"))

    def request_object(self, key=None, **claims):
        now = int(time.time())
        claims = {
            "iss": "integration",
            "aud": self.base_url(),
            "iat": now,
            "exp": now + 300,
            "client_id": "integration",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "read",
            "state": "from-object",
            "code_challenge": s256(VERIFIER),
            "code_challenge_method": "S256",
            **claims,
        }
        return jwt.encode(
            claims, key or self.rsa, algorithm="RS256", headers={"kid": "rsa-1"}
        )

    def push_object(self, token):
        return self.http_request(
            "POST",
            PAR_PATH,
            {"client_id": "integration", "request": token},
            auth=("integration", self.secret),
        )

    def test_signed_request_object_in_a_push(self):
        response = self.push_object(self.request_object())
        request_uri = self.assertTokenAnswer(response, status=201)["request_uri"]
        pushed = self.env["oauth2.pushed.authorization.request"].search([])
        self.assertNotIn('"request"', pushed.parameters)
        page = self.authorize_pushed(request_uri)
        params = self.assertRedirectsTo(self.decide(page, "allow"))
        self.assertEqual(params["state"], "from-object")
        self.exchange_pushed(params["code"])

    def test_refused_request_objects(self):
        for token in (
            self.request_object(rsa_key()),
            self.request_object(client_id="other"),
            self.request_object(request_uri=REQUEST_URI_PREFIX + generate_secret()),
            "not-a-jwt",
        ):
            with self.subTest(token=token[:20]):
                self.assertOAuthError(self.push_object(token), "invalid_request_object")
        self.assertFalse(self.env["oauth2.pushed.authorization.request"].search([]))


class TestPushedRequestLifecycle(PushedAuthorizationCase):
    def test_cleanup_deletes_expired_ones(self):
        pushed = self.env["oauth2.pushed.authorization.request"]
        self.pushed_request_uri()
        self.pushed_request_uri()
        expired, waiting = pushed.search([], order="id")
        expired.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env["oauth2.token"]._cron_delete_expired()
        self.assertEqual(pushed.search([]), waiting)

    def test_consumed_once(self):
        pushed = self.env["oauth2.pushed.authorization.request"]
        request_uri = pushed._push(self.app, [("client_id", "integration")])
        opened = pushed._open(request_uri, "integration")
        again = pushed._open(request_uri, "integration")
        self.assertIs(opened._consume(), True)
        # the other request that opened it finds it gone
        self.assertIs(again._consume(), False)
        self.assertFalse(pushed.search([]))

    def test_dynamic_registration_maps_require_pushed_authorization_requests(self):
        self.set_param("client_registration", "open")
        metadata = {
            "redirect_uris": ["http://127.0.0.1:8765/callback"],
            "token_endpoint_auth_method": "none",
            "require_pushed_authorization_requests": True,
        }
        response = self.http_request(
            "POST",
            "/orestapi/oauth2/register",
            json.dumps(metadata),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 201, response.text)
        answer = response.json()
        self.assertIs(answer["require_pushed_authorization_requests"], True)
        application = self.env["oauth2.application"].search(
            [("client_id", "=", answer["client_id"])]
        )
        self.assertTrue(application.require_pushed_authorization_requests)
        metadata["require_pushed_authorization_requests"] = "yes"
        response = self.http_request(
            "POST",
            "/orestapi/oauth2/register",
            json.dumps(metadata),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(response.json()["error"], "invalid_client_metadata")


class TestPushedAuthorizationClients(PushedAuthorizationCase):
    def test_oauth4webapi(self):
        script = MODULE_ROOT / "tests" / "clients" / "oauth4webapi_par.mjs"
        common = [self.base_url(), "integration", self.secret, REDIRECT_URI, "s-1"]
        self.env.flush_all()
        result = run_node(script, "push", *common)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        pushed = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(pushed["par_endpoint"], self.base_url() + PAR_PATH, pushed)
        self.assertEqual(pushed["expires_in"], REQUEST_URI_LIFETIME)
        page = self.opener.get(
            pushed["authorization_url"], allow_redirects=False, timeout=30
        )
        self.assertEqual(page.status_code, 200, page.text[:500])
        callback = self.decide(page, "allow").headers["Location"]
        self.env.flush_all()
        result = run_node(
            script, "exchange", *common, callback, pushed["code_verifier"]
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        tokens = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(
            tokens, {"token_type": "bearer", "scope": "read", "refresh": True}
        )

    def test_authlib(self):
        from authlib.integrations.requests_client import OAuth2Session

        session = OAuth2Session(
            "integration",
            self.secret,
            scope="read",
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )
        # Authlib builds the authorization request; the client pushes its
        # parameters with its secret instead of sending them through the
        # browser
        url, state = session.create_authorization_url(
            self.base_url() + AUTHORIZE_PATH, code_verifier=VERIFIER
        )
        pushed = session.post(
            self.base_url() + PAR_PATH,
            data=dict(parse_qs(urlsplit(url).query, keep_blank_values=True)),
            auth=(("integration", self.secret)),
            timeout=30,
        )
        self.assertEqual(pushed.status_code, 201, pushed.text)
        page = self.authorize_pushed(pushed.json()["request_uri"])
        callback = self.decide(page, "allow").headers["Location"]
        token = session.fetch_token(
            self.base_url() + "/orestapi/oauth2/access_token",
            authorization_response=callback,
            code_verifier=VERIFIER,
            state=state,
        )
        self.assertEqual(token["scope"], "read")
