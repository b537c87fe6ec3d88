# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The log filter that masks tokens and secret parameters."""

import base64
import io
import json
import logging
from importlib import import_module
from urllib.parse import quote

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged

from .. import post_load
from ..oauth import jose
from ..oauth.log_filters import MASK, SecretMaskingFilter
from ..oauth.secrets import generate_secret

# Not token-shaped: only its parameter name gives it away.
HAND_CHOSEN_SECRET = "correct.horse~battery!staple/2026+hand-chosen"
# What only a quoted value holds: spaces, a "," and quotes its repr or JSON
# escapes.
QUOTED_SECRET = 'it\'s "hand-chosen", with spaces'
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvYXV0aDJfdXNlciJ9.c2lnbmF0dXJl"
# A compact JWE (RFC 7516 §7.1) of another server, its encrypted key empty
JWE = (
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..NDItYnl0ZXMtaXY."
    "ZW5jcnlwdGVkLWNsYWltcw.YXV0aGVudGljYXRpb24tdGFn"
)


def percent_encode_every_character(text):
    return "".join(f"%{ord(character):02X}" for character in text)


@tagged("post_install", "-at_install")
class TestLogMasking(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # JWT access tokens (RFC 9068) as the server signs them, with each
        # algorithm: an RS256 signature is 342 characters, an ES256 one 86.
        claims = {
            "iss": "https://odoo.example.com",
            "sub": "42",
            "aud": "https://api.example.com",
            "client_id": "integration",
            "scope": "read write",
            "jti": generate_secret(),
            "iat": 1767225600,
            "exp": 1767229200,
        }
        cls.jwts = [
            jose.sign(
                claims,
                jose.generate_private_key(algorithm),
                algorithm,
                f"kid-{algorithm}",
                jose.ACCESS_TOKEN_TYPE,
            )
            for algorithm in jose.SIGNING_ALGORITHMS
        ]

    def setUp(self):
        super().setUp()
        # one that holds both characters a partial percent-encoding hides
        self.token = generate_secret()[:-2] + "-_"
        self.output = io.StringIO()
        handler = logging.StreamHandler(self.output)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        # A root handler, as Odoo's are, and the only one, so that what the
        # tests log stays out of the real log.
        self.patch(logging.getLogger(), "handlers", [handler])
        post_load()
        self.logger = self.enabled_logger(__name__)
        self.access_log = self.enabled_logger("werkzeug")

    def enabled_logger(self, name):
        logger = logging.getLogger(name)
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.DEBUG)
        return logger

    def logged(self, text, logger=None):
        self.output.seek(0)
        self.output.truncate()
        (logger or self.logger).info("%s", text)
        return self.output.getvalue()

    def assertMasked(self, logged, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, logged)
        self.assertIn(MASK, logged)

    def request_line(self, query):
        return f'"GET /orestapi/oauth2/tokeninfo?{query} HTTP/1.1" 401 -'

    def test_red_team_spellings(self):
        for query in (
            f"scope=read;access_token={self.token}",
            f"Access_Token={self.token}",
            f"foo={self.token}",
        ):
            with self.subTest(query=query):
                logged = self.logged(self.request_line(query), self.access_log)
                self.assertIn("werkzeug", logged)
                self.assertMasked(logged, self.token)

    def test_percent_encoded_tokens(self):
        once = self.token.replace("_", "%5F").replace("-", "%2D")
        twice = self.token.replace("_", "%255F").replace("-", "%252D")
        for encoded in (
            once,
            once.lower(),
            twice,
            percent_encode_every_character(self.token),
        ):
            with self.subTest(encoded=encoded):
                logged = self.logged(self.request_line(f"foo={encoded}"))
                self.assertMasked(logged, encoded, self.token)

    def test_bearer_tokens(self):
        for header in (f"Bearer {self.token}", f"Bearer%20{self.token}"):
            with self.subTest(header=header):
                logged = self.logged(f"Authorization: {header}")
                self.assertMasked(logged, self.token)

    def test_token_in_json(self):
        body = json.dumps({"access_token": self.token, "token_type": "Bearer"})
        logged = self.logged(f"token response {body}")
        self.assertMasked(logged, self.token)
        self.assertIn('"token_type": "Bearer"', logged)

    def test_token_in_exception_traceback(self):
        try:
            raise ValueError(f"unknown token {self.token}")
        except ValueError:
            self.logger.exception("tokeninfo refused")
        logged = self.output.getvalue()
        self.assertIn("Traceback (most recent call last)", logged)
        self.assertIn(f"ValueError: unknown token {MASK}", logged)
        self.assertNotIn(self.token, logged)

    def test_malformed_logging_call_is_masked_and_does_not_raise(self):
        self.logger.warning("refused %s for %s", f"access_token={self.token}")
        self.assertMasked(self.output.getvalue(), self.token)

    def test_hand_chosen_secret_under_its_name(self):
        for spelling in ("client_secret", "CLIENT_SECRET", "client%5Fsecret"):
            for line in (
                self.request_line(f"client_id=integration&{spelling}={{}}"),
                f"token request grant_type=password {spelling}={{}}",
            ):
                with self.subTest(spelling=spelling, line=line):
                    self.assertEqual(
                        self.logged(line.format(HAND_CHOSEN_SECRET)),
                        f"INFO {__name__}: {line.format(MASK)}\n",
                    )

    def test_hand_chosen_secret_in_dicts_json_and_yaml(self):
        quoted = (
            lambda s: repr({"client_id": "integration", "client_secret": s}),
            lambda s: json.dumps({"client_secret": s, "client_id": "integration"}),
            lambda s: json.dumps({"Client_Secret": s}, separators=(",", ":")),
            lambda s: repr({"password": s.encode()}),
            lambda s: f"{{'code' : {s!r}}}",
            lambda s: f"token request client_secret={json.dumps(s)} scope=read",
        )
        bare = (
            lambda s: f"client_secret: {s}",
            lambda s: f"{{client%5Fsecret: {s}}}",
            lambda s: f"client_id=integration,client_secret={s},scope=read",
            lambda s: f"authorization code: {s}",
        )
        for renders, secret in ((quoted, QUOTED_SECRET), (bare, HAND_CHOSEN_SECRET)):
            for render in renders:
                line = render(secret)
                with self.subTest(line=line):
                    self.assertEqual(
                        self.logged(line), f"INFO {__name__}: {render(MASK)}\n"
                    )

    def test_token_after_a_repr_escape(self):
        for text in (
            ascii("\u00e9" + self.token),
            ascii("\u0100" + self.token),
            ascii("\U0001f600" + self.token),
            repr(b"grant_type=refresh\n" + self.token.encode()),
            repr("\t" + self.token),
            repr("\r\n" + self.token),
            repr("\\\n" + self.token),
            f"\\x41{self.token}",
        ):
            with self.subTest(text=text):
                self.assertEqual(
                    self.logged(text),
                    f"INFO {__name__}: {text.replace(self.token, MASK)}\n",
                )

    def test_authorization_credentials_of_any_shape(self):
        basic = base64.b64encode(f"integration:{HAND_CHOSEN_SECRET}".encode()).decode()
        # RFC 6749's example of an access token another server might issue
        short_token = "2YotnFZFEjr1zCsicMWpAA"
        encoded = quote(basic, safe="")
        for line, credentials in (
            (f"Authorization: Basic {basic}", basic),
            (repr({"Authorization": f"basic {basic}"}), basic),
            (f"HTTP_AUTHORIZATION=BASIC%20{encoded}", encoded),
            (f"Authorization: Bearer {short_token}", short_token),
            (f"Authorization: DPoP {short_token}", short_token),
            (repr([("Authorization", f"bearer {ID_TOKEN}")]), ID_TOKEN),
        ):
            with self.subTest(line=line):
                self.assertEqual(
                    self.logged(line),
                    f"INFO {__name__}: {line.replace(credentials, MASK)}\n",
                )

    def test_other_secret_parameters(self):
        for query in (
            f"id_token_hint=x&ID%5FToken={ID_TOKEN}",
            f"client_assertion_type=jwt-bearer&client_assertion={ID_TOKEN}",
            f"grant_type=jwt-bearer&assertion={ID_TOKEN}",
        ):
            with self.subTest(query=query):
                self.assertMasked(self.logged(self.request_line(query)), ID_TOKEN)

    def test_what_is_no_secret_stays(self):
        for text in (
            f"a 42-character run {self.token[:42]} and a 44-character run "
            f"{self.token}A",
            "Loading 43 modules: 12 updated, orestapi_oauth2 took 0.43s",
            "/opt/odoo18/odoo/addons/orestapi_oauth2/controllers/main.py:42 "
            "odoo.addons.orestapi_oauth2.models.oauth2_application_secret",
            self.request_line(
                "client_id=integration&grant_type=password&code_challenge_method=S256"
            ),
            "description: foo",
            repr(
                {"code_challenge": "plain-challenge", "code_challenge_method": "S256"}
            ),
            "code_challenge: plain-challenge, code_challenge_method=plain",
            'WWW-Authenticate: Bearer realm="orestapi_oauth2", error="invalid_token"',
            'WWW-Authenticate: Basic realm="orestapi_oauth2"',
            "Basic HTTP authentication is off: send a Bearer token.",
            'WWW-Authenticate: DPoP error="invalid_dpop_proof", algs="ES256"',
            "The request has no DPoP proof.",
        ):
            with self.subTest(text=text):
                self.assertEqual(self.logged(text), f"INFO {__name__}: {text}\n")

    def assertMaskedWhole(self, line, secret, logger=None):
        """``line`` logged with ``secret`` masked and nothing else changed."""
        self.assertEqual(
            self.logged(line, logger),
            f"INFO {(logger or self.logger).name}: {line.replace(secret, MASK)}\n",
        )

    def test_bare_jwts(self):
        for jws in (*self.jwts, ID_TOKEN, JWE):
            for line in (
                f"refused the access token {jws}",
                f"{jws}. Expired",
                f"logout token {jws}, to https://client.example.com/logout",
                repr(f"\n{jws}"),
                f"\x1b[31m{jws}\x1b[0m",
            ):
                with self.subTest(line=line):
                    self.assertMaskedWhole(line, jws)

    def test_jwts_after_bearer(self):
        for jws in self.jwts:
            for line in (
                f"Authorization: Bearer {jws}",
                f"HTTP_AUTHORIZATION=Bearer%20{jws}",
                repr({"Authorization": f"bearer {jws}"}),
            ):
                with self.subTest(line=line):
                    self.assertMaskedWhole(line, jws)

    def test_percent_encoded_jwts(self):
        for jws in self.jwts:
            dots_once = jws.replace(".", "%2E")
            every_character = percent_encode_every_character(jws)
            # in a URL inside a URL's parameter: encoded twice
            redirect = quote(f"https://client.example.com/cb?t={dots_once}", safe="")
            for query, encoded in (
                (f"foo={quote(jws, safe='')}&scope=read", jws),
                (f"foo={dots_once}&scope=read", dots_once),
                (f"foo={jws.replace('.', '%2e')}", jws.replace(".", "%2e")),
                (f"foo={every_character}", every_character),
                (f"redirect={redirect}", quote(dots_once, safe="")),
            ):
                with self.subTest(query=query):
                    line = self.request_line(query)
                    self.assertMaskedWhole(line, encoded, self.access_log)

    def test_jwts_in_json_body_reprs(self):
        for jws in self.jwts:
            response = {"access_token": jws, "token_type": "Bearer", "expires_in": 3600}
            for line in (
                f"token response {json.dumps(response)}",
                repr(json.dumps({"result": {"value": jws}}).encode()),
                repr(json.dumps({"jwt": jws, "kind": "logout"}, indent=1).encode()),
                f"back-channel logout body {repr(b'logout_token=' + jws.encode())}",
            ):
                with self.subTest(line=line):
                    self.assertMaskedWhole(line, jws)

    def test_dotted_non_tokens_stay(self):
        for text in (
            "odoo.addons.orestapi_oauth2.models.oauth2_application: loaded",
            "orestapi_oauth2 18.0.1.4.0 up to date; Odoo 18.0-20260101",
            "posting to https://rp.example.com:8443/backchannel_logout",
            "/web/assets/1/web.assets_web.min.js from 127.0.0.1:8069",
            # dotted names that hold "eyJ", no JSON header before the dot
            "https://heyJourneyPlanner.example.com/cb",
            "record.surveyJourneyMapping.line_ids.sudo",
            # a JWS header alone, as an error may name it, is no token
            "refused a JWT with header eyJhbGciOiJub25lIn0: alg none",
        ):
            with self.subTest(text=text):
                self.assertEqual(self.logged(text), f"INFO {__name__}: {text}\n")

    def test_post_load_filters_each_root_handler_once(self):
        handlers = [logging.StreamHandler(io.StringIO()) for _ in range(2)]
        self.patch(logging.getLogger(), "handlers", handlers)
        post_load()
        post_load()
        for handler in handlers:
            self.assertEqual([type(f) for f in handler.filters], [SecretMaskingFilter])
        self.assertGreaterEqual(
            logging.getLogger("oauthlib").getEffectiveLevel(), logging.INFO
        )


@tagged("post_install", "-at_install")
class TestLogMaskingInstalled(TransactionCase):
    def test_the_manifest_installs_the_filters(self):
        # tests/__init__.py calls post_load itself (pytest-odoo imports the
        # addon before Odoo's loader would): what a server runs is the
        # manifest's hook.
        manifest = get_manifest("orestapi_oauth2")
        self.assertIs(
            getattr(
                import_module("odoo.addons.orestapi_oauth2"), manifest["post_load"]
            ),
            post_load,
        )

    def test_the_server_log_is_filtered(self):
        self.assertTrue(
            any(
                isinstance(f, SecretMaskingFilter)
                for handler in logging.getLogger().handlers
                for f in handler.filters
            ),
            "post_load did not run: no root handler masks secrets",
        )
