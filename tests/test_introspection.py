# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Token introspection (RFC 7662)."""

import jwt

from odoo import fields

from .common import PREFIX, AuthorizationCase, EndpointCase


class TestIntrospection(EndpointCase):
    def introspect(self, token, auth=None, **extra):
        data = {"token": token, **extra}
        return self.call("POST", "introspect", data=data, auth=auth or self.integration)

    def test_live_access_token(self):
        self.set_param("issuer_url", "https://odoo.example.com")
        record, access_token, _refresh = self.issue_token(scope="read write")
        body = self.assertJson(self.introspect(access_token))
        self.assertEqual(
            body,
            {
                "active": True,
                "iss": "https://odoo.example.com",
                "scope": "read write",
                "client_id": "integration",
                "username": "oauth2_user",
                "sub": self.user._oidc_subject(self.app),
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


class TestIntrospectionSubjects(AuthorizationCase, EndpointCase):
    """Introspection names the user as the token's application knows them: by
    the sub of its id_tokens, userinfo and JWT access tokens (RFC 9068
    consumers compare them); a pairwise application never learns the login
    or the database id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.write(
            {
                "access_token_format": "jwt",
                "scope_ids": [
                    (4, cls.env.ref("orestapi_oauth2.oauth2_scope_openid").id)
                ],
            }
        )

    def code_flow_tokens(self):
        code = self.get_code(scope="openid read")
        return self.assertTokenAnswer(self.exchange(code))

    def introspect(self, token, auth=None):
        response = self.call(
            "POST", "introspect", data={"token": token}, auth=auth or self.integration
        )
        return self.assertJson(response)

    def userinfo_subject(self, access_token):
        response = self.bearer_get(PREFIX + "userinfo", access_token)
        return self.assertJson(response)["sub"]

    def assertNamesNoDatabaseUser(self, answer):
        """Neither the login nor the database id, under any name."""
        self.assertNotIn("username", answer)
        self.assertNotIn("odoo_user_id", answer)
        self.assertNotIn("user_id", answer)
        for value in answer.values():
            self.assertNotIn(value, (self.user.id, str(self.user.id), self.user.login))

    def test_pairwise_subject_is_the_same_everywhere(self):
        self.app.subject_type = "pairwise"
        tokens = self.code_flow_tokens()
        subject = self.user._oidc_subject(self.app)
        self.assertNotEqual(subject, self.user._oidc_subject(self.other_app))
        id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        access_token = jwt.decode(
            tokens["access_token"], options={"verify_signature": False}
        )
        self.assertEqual(id_token["sub"], subject)
        self.assertEqual(access_token["sub"], subject)
        self.assertEqual(self.userinfo_subject(tokens["access_token"]), subject)
        for token in (tokens["access_token"], tokens["refresh_token"]):
            answer = self.introspect(token)
            self.assertIs(answer["active"], True)
            self.assertEqual(answer["sub"], subject)
            self.assertNamesNoDatabaseUser(answer)

    def test_pairwise_profile_has_no_login(self):
        """The profile scope names the user, never by the login, which would
        let a pairwise application match its users with others'."""
        self.app.write(
            {
                "subject_type": "pairwise",
                "scope_ids": [
                    (4, self.env.ref("orestapi_oauth2.oauth2_scope_profile").id)
                ],
            }
        )
        code = self.get_code(scope="openid profile")
        tokens = self.assertTokenAnswer(self.exchange(code))
        response = self.bearer_get(PREFIX + "userinfo", tokens["access_token"])
        claims = self.assertJson(response)
        self.assertEqual(claims["name"], self.user.name)
        self.assertNotIn("preferred_username", claims)
        self.assertNotIn(self.user.login, claims.values())

    def test_public_subject_is_the_id_token_one(self):
        tokens = self.code_flow_tokens()
        id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        answer = self.introspect(tokens["access_token"])
        self.assertEqual(answer["sub"], id_token["sub"])
        self.assertEqual(answer["username"], self.user.login)
        self.assertNotIn("odoo_user_id", answer)

    def test_client_credentials_subject_is_the_client(self):
        for subject_type in ("public", "pairwise"):
            with self.subTest(subject_type=subject_type):
                self.app.subject_type = subject_type
                issued = self.call(
                    "POST",
                    "access_token",
                    data={"grant_type": "client_credentials", "scope": "read"},
                    auth=self.integration,
                )
                access_token = self.assertJson(issued)["access_token"]
                jwt_subject = jwt.decode(
                    access_token, options={"verify_signature": False}
                )["sub"]
                answer = self.introspect(access_token)
                self.assertEqual(answer["sub"], "integration")
                self.assertEqual(answer["sub"], jwt_subject)

    def test_resource_server_gets_the_database_id_under_its_own_name(self):
        self.app.subject_type = "pairwise"
        self.other_app.is_resource_server = True
        _record, access_token, _refresh = self.issue_token()
        answer = self.introspect(access_token, auth=("other", self.other_secret))
        self.assertEqual(answer["sub"], self.user._oidc_subject(self.app))
        self.assertEqual(answer["odoo_user_id"], self.user.id)
        self.assertEqual(answer["username"], self.user.login)

    def test_pairwise_resource_server_gets_no_database_user(self):
        self.other_app.write({"is_resource_server": True, "subject_type": "pairwise"})
        _record, access_token, _refresh = self.issue_token()
        answer = self.introspect(access_token, auth=("other", self.other_secret))
        self.assertEqual(answer["sub"], self.user._oidc_subject(self.app))
        self.assertNamesNoDatabaseUser(answer)
