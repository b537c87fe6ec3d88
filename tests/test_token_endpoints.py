# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields

from .common import basic_auth
from .test_bearer_routes import BearerCase

PREFIX = "/orestapi/oauth2/"


class EndpointCase(BearerCase):
    def call(self, method, endpoint, data=None, params=None, headers=None, auth=None):
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic_auth(*auth)
        return self.opener.request(
            method,
            self.base_url() + PREFIX + endpoint,
            data=data,
            params=params,
            headers=headers,
            timeout=30,
            allow_redirects=False,
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


class TestUserinfo(EndpointCase):
    def test_claims_of_the_token_user(self):
        self.user.write({"email": "oauth@example.com", "tz": "Europe/Budapest"})
        _record, access_token, _refresh = self.issue_token()
        for method in ("GET", "POST"):
            response = self.call(
                method, "userinfo", headers={"Authorization": f"Bearer {access_token}"}
            )
            self.assertEqual(
                self.assertJson(response),
                {
                    "sub": str(self.user.id),
                    "name": "OAuth User",
                    "email": "oauth@example.com",
                    "login": "oauth2_user",
                    "locale": "en-US",
                    "zoneinfo": "Europe/Budapest",
                    "company": {
                        "id": self.user.company_id.id,
                        "name": self.user.company_id.name,
                    },
                },
            )

    def test_client_credentials_token_describes_the_application_user(self):
        app_user = self.env.ref("base.user_admin")
        self.other_app.user_id = app_user
        issued = self.call(
            "POST",
            "access_token",
            data={"grant_type": "client_credentials"},
            auth=("other", self.other_secret),
        )
        access_token = self.assertJson(issued)["access_token"]
        response = self.call(
            "GET", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertEqual(self.assertJson(response)["sub"], str(app_user.id))

    def test_errors(self):
        self.assertBearerError(self.call("GET", "userinfo"), 401)
        response = self.call("GET", "userinfo", headers={"Authorization": "Bearer x"})
        self.assertBearerError(response, 401, "invalid_token")
        _record, access_token, _refresh = self.issue_token()
        response = self.call(
            "DELETE", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "GET, POST")


class TestTokeninfo(EndpointCase):
    def assertTokeninfo(self, response, record):
        body = self.assertJson(response)
        self.assertEqual(
            set(body),
            {"active", "client_id", "scope", "user_id", "exp", "expires_in"},
        )
        self.assertIs(body["active"], True)
        self.assertEqual(body["client_id"], "integration")
        self.assertEqual(body["scope"], "read")
        self.assertEqual(body["user_id"], self.user.id)
        self.assertEqual(body["exp"], int(record.expires_at.timestamp()))
        self.assertTrue(350 <= body["expires_in"] <= 360, body)

    def test_token_as_parameter_or_header(self):
        record, access_token, _refresh = self.issue_token()
        self.assertTokeninfo(
            self.call("GET", "tokeninfo", params={"access_token": access_token}),
            record,
        )
        self.assertTokeninfo(
            self.call("POST", "tokeninfo", data={"access_token": access_token}),
            record,
        )
        self.assertTokeninfo(
            self.call(
                "GET", "tokeninfo", headers={"Authorization": f"Bearer {access_token}"}
            ),
            record,
        )

    def test_dead_or_missing_token_is_invalid(self):
        expired, expired_token, _refresh = self.issue_token()
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, refresh_token = self.issue_token()
        revoked.action_revoke()
        for params in (
            {"access_token": expired_token},
            {"access_token": revoked_token},
            {"access_token": refresh_token},
            {"access_token": "unknown"},
            {},
        ):
            with self.subTest(params=params):
                response = self.call("GET", "tokeninfo", params=params)
                self.assertOAuthError(response, "invalid_token")

    def test_other_methods_are_refused(self):
        response = self.call("PUT", "tokeninfo")
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "GET, POST")


class TestIntrospection(EndpointCase):
    def introspect(self, token, auth=None, **extra):
        data = {"token": token, **extra}
        return self.call("POST", "introspect", data=data, auth=auth or self.integration)

    def test_live_access_token(self):
        record, access_token, _refresh = self.issue_token(scope="read write")
        body = self.assertJson(self.introspect(access_token))
        self.assertEqual(
            body,
            {
                "active": True,
                "scope": "read write",
                "client_id": "integration",
                "username": "oauth2_user",
                "sub": str(self.user.id),
                "token_type": "Bearer",
                "exp": int(record.expires_at.timestamp()),
                "iat": int(record.create_date.timestamp()),
            },
        )

    def test_refresh_token_with_and_without_hint(self):
        record, _access, refresh_token = self.issue_token()
        for extra in ({}, {"token_type_hint": "refresh_token"}):
            body = self.assertJson(self.introspect(refresh_token, **extra))
            self.assertIs(body["active"], True)
            self.assertEqual(body["exp"], int(record.refresh_expires_at.timestamp()))
            self.assertNotIn("token_type", body)

    def test_dead_unknown_and_foreign_tokens_are_inactive(self):
        expired, expired_token, _refresh = self.issue_token()
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, revoked_refresh = self.issue_token()
        revoked.action_revoke()
        _record, foreign_token, _refresh = self.issue_token(application=self.other_app)
        for token in (
            expired_token,
            revoked_token,
            revoked_refresh,
            foreign_token,
            "unknown",
        ):
            with self.subTest(token=token):
                self.assertEqual(
                    self.assertJson(self.introspect(token)), {"active": False}
                )

    def test_resource_server_sees_every_application_token(self):
        _record, foreign_token, _refresh = self.issue_token(application=self.other_app)
        self.app.is_resource_server = True
        body = self.assertJson(self.introspect(foreign_token))
        self.assertIs(body["active"], True)
        self.assertEqual(body["client_id"], "other")

    def test_client_must_authenticate(self):
        _record, access_token, _refresh = self.issue_token()
        response = self.introspect(access_token, auth=("integration", "wrong"))
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertEqual(
            response.headers["WWW-Authenticate"], 'Basic realm="orestapi_oauth2"'
        )
        response = self.call("POST", "introspect", data={"token": access_token})
        self.assertOAuthError(response, "invalid_client", status=401)

    def test_malformed_requests(self):
        response = self.call("POST", "introspect", data={}, auth=self.integration)
        self.assertOAuthError(response, "invalid_request")
        response = self.call(
            "POST",
            "introspect",
            params={"token": "x"},
            data={"token": "x"},
            auth=self.integration,
        )
        self.assertOAuthError(response, "invalid_request")
        response = self.call("GET", "introspect", params={"token": "x"})
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertEqual(response.headers["Allow"], "POST")


class TestRevocation(EndpointCase):
    def revoke(self, token, auth=None, **extra):
        data = {"token": token, **extra}
        return self.call("POST", "revoke", data=data, auth=auth or self.integration)

    def assertRevocationOk(self, response):
        self.assertEqual(self.assertJson(response), {})

    def test_revoking_an_access_token_stops_it(self):
        record, access_token, _refresh = self.issue_token()
        self.assertRevocationOk(self.revoke(access_token))
        self.assertTrue(record.revoked)
        response = self.call(
            "GET", "userinfo", headers={"Authorization": f"Bearer {access_token}"}
        )
        self.assertBearerError(response, 401, "invalid_token")

    def test_revoking_a_refresh_token_stops_its_access_token(self):
        _record, access_token, refresh_token = self.issue_token()
        self.assertRevocationOk(
            self.revoke(refresh_token, token_type_hint="refresh_token")
        )
        refresh = self.call(
            "POST",
            "access_token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=self.integration,
        )
        self.assertOAuthError(refresh, "invalid_grant")
        response = self.call("GET", "tokeninfo", params={"access_token": access_token})
        self.assertOAuthError(response, "invalid_token")

    def test_unknown_and_foreign_tokens_get_200_and_nothing_changes(self):
        foreign, foreign_token, _refresh = self.issue_token(application=self.other_app)
        self.assertRevocationOk(self.revoke("unknown"))
        self.assertRevocationOk(self.revoke(foreign_token))
        self.assertFalse(foreign.revoked)
        self.assertRevocationOk(
            self.revoke(foreign_token, auth=("other", self.other_secret))
        )
        self.assertTrue(foreign.revoked)

    def test_public_client_revokes_with_its_client_id(self):
        record, access_token, _refresh = self.issue_token(application=self.public_app)
        response = self.call(
            "POST", "revoke", data={"token": access_token, "client_id": "browser-app"}
        )
        self.assertRevocationOk(response)
        self.assertTrue(record.revoked)

    def test_errors(self):
        record, access_token, _refresh = self.issue_token()
        response = self.revoke(access_token, auth=("integration", "wrong"))
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertFalse(record.revoked)
        response = self.call("POST", "revoke", data={}, auth=self.integration)
        self.assertOAuthError(response, "invalid_request")
        response = self.call("GET", "revoke", params={"token": access_token})
        self.assertOAuthError(response, "invalid_request", status=405)
        self.assertFalse(record.revoked)


class TestServerMetadata(EndpointCase):
    def test_metadata(self):
        response = self.opener.get(
            self.base_url() + "/.well-known/oauth-authorization-server", timeout=30
        )
        metadata = self.assertJson(response)
        issuer = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(metadata["issuer"], issuer)
        for name, path in {
            "authorization_endpoint": "authorize",
            "token_endpoint": "access_token",
            "userinfo_endpoint": "userinfo",
            "tokeninfo_endpoint": "tokeninfo",
            "introspection_endpoint": "introspect",
            "revocation_endpoint": "revoke",
        }.items():
            self.assertEqual(metadata[name], f"{issuer}{PREFIX}{path}")
        self.assertEqual(
            set(metadata["grant_types_supported"]),
            {
                "authorization_code",
                "implicit",
                "password",
                "client_credentials",
                "refresh_token",
            },
        )
        self.assertEqual(metadata["response_types_supported"], ["code", "token"])
        self.assertEqual(metadata["code_challenge_methods_supported"], ["S256"])
        self.assertIn(
            "client_secret_basic", metadata["token_endpoint_auth_methods_supported"]
        )
        self.assertLessEqual(
            {"read", "write", "rpc", "admin"}, set(metadata["scopes_supported"])
        )

    def test_advertised_endpoints_answer(self):
        metadata = self.opener.get(
            self.base_url() + "/.well-known/oauth-authorization-server", timeout=30
        ).json()
        _record, access_token, _refresh = self.issue_token()
        bearer = {"Authorization": f"Bearer {access_token}"}
        basic = {"Authorization": basic_auth(*self.integration)}
        for name, method, data, headers in (
            ("userinfo_endpoint", "GET", None, bearer),
            ("tokeninfo_endpoint", "GET", None, bearer),
            ("introspection_endpoint", "POST", {"token": access_token}, basic),
            ("revocation_endpoint", "POST", {"token": access_token}, basic),
        ):
            with self.subTest(endpoint=name):
                response = self.opener.request(
                    method, metadata[name], data=data, headers=headers, timeout=30
                )
                self.assertEqual(response.status_code, 200, response.text)
