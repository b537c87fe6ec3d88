# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import os
from unittest.mock import patch

from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from .common import TOKEN_PATH, USER_PASSWORD
from .test_token_endpoint import TokenEndpointCase


class TestSeedRequests(TokenEndpointCase):
    """The literal requests of seed 000, which older clients send."""

    def test_post_with_query_string_and_oauth_header(self):
        # seed 000: -H "Authorization: OAuth" -X POST .../access_token?grant_type=...
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
        # the seed's first example, with a code this server never issued
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
        # seed 000: -H "Authorization: Basic ..." -X GET ...?grant_type=refresh_token
        first = self.assertTokenAnswer(self.password_grant())
        self.set_param("allow_get_token_request", "True")
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
