# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Generated malformed requests against every OAuth endpoint: each answer must
be a 4xx in the endpoint's documented error shape, never a 500 or a traceback."""

import base64
import json
from urllib.parse import quote

import jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..oauth.acr import ACR_MFA, ACR_PASSWORD
from ..series import SERIES
from .common import HttpCase, OAuth2TestMixin

EXAMPLES_PER_ENDPOINT = 1000
REGISTERED_URI = "https://client.example.com/cb"
PARAMETER_NAMES = [
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "refresh_token",
    "scope",
    "username",
    "password",
    "token",
    "token_type_hint",
    "access_token",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "response_type",
    "response_mode",
    "nonce",
    "state",
    "nonce",
    "claims",
    "request",
    "request_uri",
    "acr_values",
]
KNOWN_VALUES = [
    "authorization_code",
    "password",
    "client_credentials",
    "refresh_token",
    "implicit",
    "code",
    "token",
    "id_token",
    # OpenID Connect's hybrid flow (Core §3.3) and its response modes
    "code id_token",
    "code token",
    "code id_token token",
    "openid",
    "query",
    "fragment",
    "form_post",
    "integration",
    "browser-app",
    REGISTERED_URI,
    "read",
    "*",
    "S256",
    "plain",
    "access_token",
    "openid",
    # OpenID Connect's claims (Core §5.5): well-formed, of the wrong shapes,
    # nested deeper than Python's JSON parser recurses
    '{"id_token":{"email":null},"userinfo":{"phone_number":{"essential":true}}}',
    '{"id_token":{"sub":{"value":"someone else"}}}',
    '{"userinfo":[]}',
    '{"id_token":{"email":{"values":"x"}}}',
    '{"id_token":{"email":NaN}}',
    "[" * 3000,
    '{"id_token":{"email":{"value":"\\u0000"}}}',
    # request objects: unsigned, not JSON, not an object, a nested JSON value
    "eyJhbGciOiJub25lIn0.e30.",
    "eyJhbGciOiJub25lIn0.bm90IGpzb24.",
    "eyJhbGciOiJub25lIn0.WzFd.",
    "eyJhbGciOiJSUzI1NiIsImtpZCI6W119.eyJyZWRpcmVjdF91cmkiOnt9fQ.c2ln",
    ACR_PASSWORD,
    ACR_MFA,
    f"urn:unknown {ACR_MFA}",
    # PostgreSQL cannot store a NUL: it must never reach a query
    "\x00",
    "integration\x00",
]

texts = st.text(max_size=200)
names = st.one_of(st.sampled_from(PARAMETER_NAMES), texts)
# Unsigned request objects (alg none), which the authorization endpoint
# unpacks for an application that allows them: any claims, of any JSON type.
claim_values = st.one_of(
    st.sampled_from(KNOWN_VALUES),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
unsigned_request_objects = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETER_NAMES), st.text(max_size=10)),
    claim_values,
    max_size=4,
).map(lambda claims: jwt.encode(claims, None, algorithm="none"))
short_values = st.one_of(
    st.sampled_from(KNOWN_VALUES),
    texts,
    unsigned_request_objects,
    st.text(alphabet="%", min_size=1, max_size=5).map(lambda p: p + "zz%4"),
)
# The query stays under the HTTP server's request-line limit; long values go in
# bodies.
query_parameters = st.lists(st.tuples(names, short_values), max_size=8)
parameters = st.lists(
    st.tuples(
        names,
        st.one_of(
            short_values,
            st.integers(min_value=1000, max_value=20000).map(lambda n: "x" * n),
        ),
    ),
    max_size=8,
)


def _form(pairs):
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def _header(text):
    """``text`` as a header value an HTTP client can send at all."""
    printable = "".join(char for char in text if char.isprintable()).strip()
    return printable.encode("latin-1", "replace").decode("latin-1")


bodies = st.one_of(
    st.none(),
    parameters.map(lambda pairs: ("application/x-www-form-urlencoded", _form(pairs))),
    # duplicated parameters
    parameters.map(
        lambda pairs: ("application/x-www-form-urlencoded", _form(pairs + pairs))
    ),
    # broken percent-encoding and invalid UTF-8
    st.binary(max_size=300).map(
        lambda raw: ("application/x-www-form-urlencoded", b"grant_type=%ff%" + raw)
    ),
    parameters.map(lambda pairs: ("application/json", json.dumps(dict(pairs)))),
    st.tuples(
        st.sampled_from(["text/plain", "application/xml", "multipart/form-data"]),
        st.binary(max_size=300),
    ),
    # huge values
    st.integers(min_value=100_000, max_value=1_000_000).map(
        lambda n: ("application/x-www-form-urlencoded", "client_secret=" + "A" * n)
    ),
)
authorizations = st.one_of(
    st.none(),
    st.binary(max_size=80).map(lambda raw: "Basic " + base64.b64encode(raw).decode()),
    texts.map(lambda text: "Basic " + _header(text)),
    texts.map(lambda text: "Bearer " + _header(text)),
    st.sampled_from(
        [
            "Basic",
            "Bearer",
            "OAuth",
            "Basic Og==",
            "Basic aW50ZWdyYXRpb24=",
            # non-ASCII, and a client_id with a NUL ("integration\x00:x")
            "Basic \xe9t\xe9",
            "Basic aW50ZWdyYXRpb24AOng=",
        ]
    ),
    texts.map(_header),
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])


@tagged("post_install", "-at_install")
class TestFuzzing(OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.redirect_uris = REGISTERED_URI
        cls.app.grant_implicit = True
        cls.public_app.redirect_uris = REGISTERED_URI

    def setUp(self):
        super().setUp()
        # Throttling is asked on every request, but with a limit no run reaches:
        # a 429 would answer most requests before they reach the parsers.
        self.set_param("client_auth_max_failures", 1_000_000)

    def send(self, path, method, query, body, authorization):
        headers = {}
        data = None
        if body is not None:
            headers["Content-Type"], data = body
        if authorization is not None:
            headers["Authorization"] = authorization
        return self.opener.request(
            method,
            self.base_url() + path,
            params=query,
            data=data,
            headers=headers,
            timeout=60,
            allow_redirects=False,
        )

    def assertJsonError(self, response, allow_no_error_code=False):
        self.assertTrue(400 <= response.status_code < 500, response.text[:500])
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/json"),
            response.headers,
        )
        body = response.json()
        self.assertIsInstance(body, dict)
        self.assertIsInstance(body["error_description"], str)
        if not (allow_no_error_code and "error" not in body):
            self.assertIsInstance(body["error"], str)

    def fuzz(self, path, check, **strategies):
        @settings(
            max_examples=EXAMPLES_PER_ENDPOINT,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            method=strategies.get("method", methods),
            query=query_parameters,
            body=bodies,
            authorization=authorizations,
        )
        def run(method, query, body, authorization):
            response = self.send(path, method, query, body, authorization)
            if (
                method == "OPTIONS"
                and SERIES >= (19, 0)
                and response.status_code == 400
            ):
                # Werkzeug 3 (19.0's) reads a urlencoded body before the
                # endpoint, and refuses one that is not UTF-8
                self.assertJsonError(response)
                self.assertIn("not UTF-8", response.json()["error_description"])
            elif method == "OPTIONS":
                # RFC 9110 §9.3.7: what the endpoint serves, whatever was sent
                self.assertEqual(response.status_code, 204, response.text[:500])
                self.assertIn("OPTIONS", response.headers["Allow"])
            else:
                check(response)

        run()

    def test_nul_characters_and_non_ascii_basic_credentials(self):
        """Cases the generated ones may miss: each once on every endpoint."""
        cases = [
            (None, {"grant_type": "client_credentials", "client_id": "a\x00b"}),
            (None, {"grant_type": "password", "username": "admin\x00"}),
            (None, {"token": "x", "token_type_hint": "\x00"}),
            ("Basic \xe9t\xe9", {"grant_type": "client_credentials"}),
            ("Basic aW50ZWdyYXRpb24AOng=", {"grant_type": "client_credentials"}),
        ]
        for path in (
            "/orestapi/oauth2/access_token",
            "/orestapi/oauth2/tokeninfo",
            "/orestapi/oauth2/introspect",
            "/orestapi/oauth2/revoke",
        ):
            for authorization, params in cases:
                body = ("application/x-www-form-urlencoded", _form(params.items()))
                with self.subTest(path=path, params=params, auth=authorization):
                    self.assertJsonError(
                        self.send(path, "POST", None, body, authorization)
                    )

    def test_token_endpoint(self):
        self.fuzz("/orestapi/oauth2/access_token", self.assertJsonError)

    def test_tokeninfo(self):
        self.fuzz("/orestapi/oauth2/tokeninfo", self.assertJsonError)

    def test_introspection(self):
        self.fuzz("/orestapi/oauth2/introspect", self.assertJsonError)

    def test_revocation(self):
        self.fuzz("/orestapi/oauth2/revoke", self.assertJsonError)

    def test_userinfo(self):
        # RFC 6750 §3.1: a request without a token gets no error code
        self.fuzz(
            "/orestapi/oauth2/userinfo",
            lambda response: self.assertJsonError(response, allow_no_error_code=True),
        )

    def test_metadata_refuses_other_methods(self):
        self.fuzz(
            "/.well-known/oauth-authorization-server",
            self.assertJsonError,
            method=st.sampled_from(["POST", "PUT", "DELETE", "PATCH"]),
        )

    def test_authorization_endpoint(self):
        """Logged in, as the user who would approve: an error page (400, in
        Odoo's look) or, for a known client and registered URI, a redirect back
        with ``error`` (RFC 6749 §4.1.2.1); request objects included."""
        self.authenticate("oauth2_user", "correct horse battery staple")
        # the generated request objects are unsigned
        self.app.request_object_signing_alg = "none"

        def check(response):
            if response.is_redirect:
                location = response.headers["Location"]
                self.assertTrue(location.startswith(REGISTERED_URI), location)
                self.assertIn("error=", location)
            elif response.status_code == 200:
                # generated parameters that happen to form a valid request get
                # the consent page; with response_mode=form_post, an error is
                # posted back
                consent = 'name="decision"' in response.text
                posted_error = (
                    f'action="{REGISTERED_URI}"' in response.text
                    and 'name="error"' in response.text
                )
                self.assertTrue(consent or posted_error, response.text[:500])
            else:
                self.assertEqual(response.status_code, 400, response.text[:500])
                self.assertIn("text/html", response.headers["Content-Type"])

        self.fuzz(
            "/orestapi/oauth2/authorize",
            check,
            method=st.sampled_from(["GET", "POST"]),
        )
