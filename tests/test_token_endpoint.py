# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The token endpoint whatever the grant: clients, scopes, methods and errors."""

import os
from unittest.mock import patch

from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from odoo.addons.orestapi_oauth2.oauth.routes import OLDER_CLIENT_TOKEN_PATHS

from ..oauth.constants import NAMED_ONLY_SCOPES
from .common import TOKEN_PATH, USER_PASSWORD, TokenEndpointCase, basic_auth


class TestTokenEndpoint(TokenEndpointCase):
    def test_star_scope_means_all_of_the_application(self):
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "*"},
            auth=("other", self.other_secret),
        )
        body = self.assertTokenAnswer(response)
        every = self.env["oauth2.scope"].search([]).mapped("name")
        # rpc and OpenID Connect's scopes only when named
        self.assertCountEqual(body["scope"].split(), set(every) - NAMED_ONLY_SCOPES)

    def test_omitted_scope_gets_the_default_and_never_rpc(self):
        omitted = {"grant_type": "client_credentials"}
        other = ("other", self.other_secret)
        body = self.assertTokenAnswer(self.token_request(omitted, auth=other))
        self.assertIn("read", body["scope"].split())
        self.assertNotIn("rpc", body["scope"].split())
        self.other_app.default_scope_ids = self.scope_read
        body = self.assertTokenAnswer(self.token_request(omitted, auth=other))
        self.assertEqual(body["scope"], "read")
        by_name = dict(omitted, scope="rpc")
        body = self.assertTokenAnswer(self.token_request(by_name, auth=other))
        self.assertEqual(body["scope"], "rpc")

    def test_invalid_client(self):
        cases = {
            "wrong secret": ("integration", "nope"),
            "unknown client": ("nobody", self.secret),
        }
        for label, credentials in cases.items():
            with self.subTest(label):
                response = self.token_request(
                    {"grant_type": "client_credentials"}, auth=credentials
                )
                self.assertOAuthError(response, "invalid_client", 401)
                self.assertTrue(
                    response.headers["WWW-Authenticate"].startswith("Basic ")
                )
        response = self.token_request(
            {"grant_type": "client_credentials"},
            headers={"Authorization": "Basic %%%not-base64"},
        )
        self.assertOAuthError(response, "invalid_client", 401)

    def test_archived_application_is_invalid_client(self):
        self.app.active = False
        response = self.token_request(
            {"grant_type": "client_credentials"}, auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_client", 401)

    def test_new_secret_replaces_old_at_once(self):
        new_secret = self.app.action_generate_client_secret()["context"][
            "default_client_secret"
        ]
        data = {"grant_type": "client_credentials"}
        old = self.token_request(data, auth=("integration", self.secret))
        self.assertOAuthError(old, "invalid_client", 401)
        self.assertTokenAnswer(
            self.token_request(data, auth=("integration", new_secret))
        )

    def test_parameters_named_as_the_servers_own_state_change_nothing(self):
        forged = {
            name: "xy"
            for name in ("client", "refresh_token_record", "authorization_code_record")
        }
        auth = ("integration", self.secret)
        self.assertTokenAnswer(
            self.token_request(
                {"grant_type": "client_credentials", **forged}, auth=auth
            )
        )
        body = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "password",
                    "username": self.user.login,
                    "password": USER_PASSWORD,
                    **forged,
                },
                auth=auth,
            )
        )
        self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": body["refresh_token"],
                    **forged,
                },
                auth=auth,
            )
        )
        self.assertOAuthError(
            self.token_request(
                {"grant_type": "authorization_code", "code": "xy", **forged}, auth=auth
            ),
            "invalid_grant",
        )

    def test_unknown_grant_type(self):
        for grant in ("code", "urn:example:unknown"):
            response = self.token_request(
                {"grant_type": grant}, auth=("integration", self.secret)
            )
            self.assertOAuthError(response, "unsupported_grant_type")

    def test_scope_outside_application(self):
        """RFC 6749 §3.3: the scopes the application may have are granted,
        and the answer says which; none of them is invalid_scope."""
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "admin read"},
            auth=("integration", self.secret),
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(body["scope"], "read")
        record = self.env["oauth2.token"].search(
            [("application_id", "=", self.app.id)], order="id desc", limit=1
        )
        self.assertEqual(record.scope, "read")
        response = self.token_request(
            {"grant_type": "client_credentials", "scope": "admin"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_scope")

    def test_lifetimes_follow_settings_and_application(self):
        self.set_param("access_token_lifetime", "90")
        data = {"grant_type": "client_credentials"}
        body = self.assertTokenAnswer(
            self.token_request(data, auth=("other", self.other_secret))
        )
        self.assertEqual(body["expires_in"], 90)
        self.app.access_token_lifetime = 30
        body = self.assertTokenAnswer(
            self.token_request(data, auth=("integration", self.secret))
        )
        self.assertEqual(body["expires_in"], 30)

    def test_malformed_requests_get_json_errors(self):
        cases = [
            # RFC 6749 §5.2: a missing parameter is invalid_request
            ({}, "invalid_request"),
            ({"grant_type": "jwt-bearer"}, "unsupported_grant_type"),
            ({"grant_type": "password"}, "invalid_request"),
            ({"grant_type": ["client_credentials", "password"]}, "invalid_request"),
            ({"grant_type": "refresh_token"}, "invalid_request"),
        ]
        for data, error in cases:
            with self.subTest(data=data):
                response = self.token_request(data, auth=("integration", self.secret))
                self.assertOAuthError(response, error)
        response = self.opener.post(
            self.base_url() + TOKEN_PATH,
            json={"grant_type": "client_credentials"},
            headers={"Authorization": basic_auth("integration", self.secret)},
        )
        body = self.assertOAuthError(response, "invalid_request")
        self.assertIn("form-encoded", body["error_description"])

    def test_challenge_only_for_the_authorization_header(self):
        """RFC 6749 §5.2: 401 with WWW-Authenticate answers a client that
        authenticated with the Authorization header; one that sent its secret
        in the body gets 400, since a challenge would tell it to use Basic and
        RFC 9110 allows no 401 without one."""
        data = {"grant_type": "client_credentials"}
        header = self.token_request(data, auth=("integration", "wrong-secret"))
        self.assertOAuthError(header, "invalid_client", 401)
        self.assertEqual(
            header.headers["WWW-Authenticate"], 'Basic realm="orestapi_oauth2"'
        )
        body = self.token_request(
            dict(data, client_id="integration", client_secret="wrong-secret")
        )
        self.assertOAuthError(body, "invalid_client", 400)
        self.assertNotIn("WWW-Authenticate", body.headers)

    def test_get_refused_unless_enabled(self):
        params = {"grant_type": "client_credentials"}
        response = self.token_request(
            params=params, method="GET", auth=("integration", self.secret)
        )
        self.assertOAuthError(response, "invalid_request", 405)
        self.assertEqual(response.headers["Allow"], "POST")
        self.set_param("accept_older_client_requests", "True")
        response = self.token_request(
            params=params, method="GET", auth=("integration", self.secret)
        )
        self.assertTokenAnswer(response)

    def test_other_methods_get_json_405(self):
        for method in ("PUT", "DELETE", "PATCH"):
            response = self.token_request(
                {"grant_type": "client_credentials"},
                method=method,
                auth=("integration", self.secret),
            )
            self.assertOAuthError(response, "invalid_request", 405)


class TestOlderClientRequests(TokenEndpointCase):
    """The literal request forms of older orestapi clients."""

    def test_post_with_query_string_and_oauth_header(self):
        # as older orestapi clients send it:
        # -H "Authorization: OAuth" -X POST .../access_token?grant_type=...
        response = self.token_request(
            params={
                "grant_type": "password",
                "username": self.user.login,
                "password": USER_PASSWORD,
                "client_id": "integration",
                "client_secret": self.secret,
            },
            headers={"Authorization": "OAuth"},
        )
        body = self.assertTokenAnswer(response)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 360)
        self.assertIn("refresh_token", body)

    def test_authorization_code_request_shape_gets_rfc_error(self):
        # the authorization code request of older orestapi clients, with a code
        # this server never issued
        response = self.token_request(
            params={
                "grant_type": "authorization_code",
                "code": "Sgw7P0b5XaDvedkrK1SRe6kTVG4",
                "redirect_uri": "https://example.com/cb",
                "client_id": "integration",
                "client_secret": self.secret,
            },
            headers={"Authorization": "OAuth"},
        )
        self.assertOAuthError(response, "invalid_grant")

    def test_refresh_with_basic_as_get_when_enabled(self):
        # as older orestapi clients send it:
        # -H "Authorization: Basic ..." -X GET ...?grant_type=refresh_token
        first = self.assertTokenAnswer(self.password_grant())
        self.set_param("accept_older_client_requests", "True")
        response = self.token_request(
            params={
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
            },
            method="GET",
            auth=("integration", self.secret),
        )
        body = self.assertTokenAnswer(response)
        self.assertNotEqual(body["refresh_token"], first["refresh_token"])

    def test_token_paths_of_older_clients(self):
        data = {"grant_type": "client_credentials"}
        auth = ("integration", self.secret)
        for path in OLDER_CLIENT_TOKEN_PATHS:
            with self.subTest(path=path, accepted=False):
                response = self.http_request("POST", path, data, auth=auth)
                body = self.assertOAuthError(response, "invalid_request", 404)
                self.assertIn(TOKEN_PATH, body["error_description"])
        self.set_param("accept_older_client_requests", "True")
        for path in OLDER_CLIENT_TOKEN_PATHS:
            with self.subTest(path=path, accepted=True):
                response = self.http_request("POST", path, data, auth=auth)
                self.assertTokenAnswer(response)
                # the query-string form of older clients, too
                response = self.http_request("GET", path, params=data, auth=auth)
                self.assertTokenAnswer(response)

    def test_still_refused_with_older_forms_accepted(self):
        """Older clients' examples send a confidential client's client_id
        without its secret: RFC 6749 §2.3.1 and §3.2.1 require the secret, so
        those requests stay refused."""
        self.set_param("accept_older_client_requests", "True")
        response = self.token_request(
            params={
                "grant_type": "password",
                "scope": "read",
                "client_id": "integration",
                "username": self.user.login,
                "password": USER_PASSWORD,
            }
        )
        self.assertOAuthError(response, "invalid_client")

    def test_same_parameter_in_query_and_body_is_duplicated(self):
        response = self.token_request(
            {"grant_type": "client_credentials"},
            params={"grant_type": "client_credentials"},
            auth=("integration", self.secret),
        )
        self.assertOAuthError(response, "invalid_request")


class TestRequestsOAuthlibClient(TokenEndpointCase):
    """A real OAuth2 client library against the real endpoint."""

    def setUp(self):
        super().setUp()
        # the test server speaks plain HTTP on localhost
        environ = patch.dict(os.environ, {"OAUTHLIB_INSECURE_TRANSPORT": "1"})
        environ.start()
        self.addCleanup(environ.stop)
        self.token_url = self.base_url() + TOKEN_PATH

    def test_client_credentials(self):
        session = OAuth2Session(
            client=BackendApplicationClient(client_id="integration")
        )
        token = session.fetch_token(
            self.token_url,
            auth=HTTPBasicAuth("integration", self.secret),
            scope=["read"],
        )
        self.assertEqual(token["scope"], ["read"])
        self.assertEqual(token["token_type"], "Bearer")
        self.assertNotIn("refresh_token", token)

    def test_password_then_refresh(self):
        self.app.refresh_token_policy = "rotate"
        # the client library's requests do not go through the test opener,
        # which flushes first
        self.env.flush_all()
        session = OAuth2Session(client=LegacyApplicationClient(client_id="integration"))
        auth = HTTPBasicAuth("integration", self.secret)
        token = session.fetch_token(
            self.token_url, username=self.user.login, password=USER_PASSWORD, auth=auth
        )
        self.assertCountEqual(token["scope"], ["read", "write"])
        refreshed = session.refresh_token(self.token_url, auth=auth)
        self.assertNotEqual(refreshed["refresh_token"], token["refresh_token"])
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        with self.assertRaises(Exception) as failure:
            session.refresh_token(
                self.token_url, refresh_token=token["refresh_token"], auth=auth
            )
        self.assertIn("invalid_grant", str(failure.exception))
