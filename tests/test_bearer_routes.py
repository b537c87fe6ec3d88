# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Routes with auth="oauth2": bearer tokens (RFC 6750) on a module's own API."""

import json

from odoo import fields

from .common import BearerCase


class TestBearerRoutes(BearerCase):
    def test_live_token_runs_as_its_user(self):
        _record, access_token, _refresh = self.issue_token(scope="read write")
        response = self.bearer_get("/orestapi_oauth2_test/whoami", access_token)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json(),
            {
                "uid": self.user.id,
                "superuser": False,
                "application": "integration",
                "scope": "read write",
            },
        )
        self.assertNotIn("Set-Cookie", response.headers)

    def test_a_bearer_check_asks_one_query(self):
        """The token with its user, partner, company and application in one
        query; its scopes, audiences and the resources from what that query
        and each worker's caches (filled by the first check) hold."""
        _record, access_token, _refresh = self.issue_token(scope="read write")

        def check():
            token = self.env["oauth2.token"]._find_live_access_token(access_token)
            self.assertFalse(token._lost_every_scope())
            self.assertTrue(token._is_for_odoo())
            self.assertTrue(token._has_scopes(["read", "write"]))
            self.assertFalse(token.dpop_jkt)

        check()
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            check()

    def test_no_token_gets_a_challenge_without_error(self):
        self.assertBearerError(self.bearer_get("/orestapi_oauth2_test/whoami"), 401)
        basic = self.bearer_get(
            "/orestapi_oauth2_test/whoami", authorization="Basic aW50ZWdyYXRpb246eA=="
        )
        self.assertBearerError(basic, 401)

    def test_unknown_token_is_invalid(self):
        for authorization in ("Bearer not-a-token", "Bearer a b", "bearer x"):
            with self.subTest(authorization=authorization):
                response = self.bearer_get(
                    "/orestapi_oauth2_test/whoami", authorization=authorization
                )
                self.assertBearerError(response, 401, "invalid_token")

    def test_expired_and_revoked_tokens_are_invalid(self):
        expired, expired_token, _refresh = self.issue_token()
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, _refresh = self.issue_token()
        revoked.action_revoke()
        for token in (expired_token, revoked_token):
            response = self.bearer_get("/orestapi_oauth2_test/whoami", token)
            self.assertBearerError(response, 401, "invalid_token")

    def test_token_of_archived_user_or_application_is_invalid(self):
        _record, user_token, _refresh = self.issue_token()
        _record, app_token, _refresh = self.issue_token(application=self.other_app)
        self.user.active = False
        self.other_app.active = False
        for token in (user_token, app_token):
            response = self.bearer_get("/orestapi_oauth2_test/whoami", token)
            self.assertBearerError(response, 401, "invalid_token")

    def bearer_post(self, path, token):
        return self.opener.post(
            self.base_url() + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            allow_redirects=False,
        )

    def test_missing_scope_is_forbidden(self):
        _record, access_token, _refresh = self.issue_token(scope="read")
        response = self.bearer_post("/orestapi_oauth2_test/update", access_token)
        self.assertBearerError(response, 403, "insufficient_scope")
        self.assertIn('scope="write"', response.headers["WWW-Authenticate"])

    def test_post_needs_no_csrf_token(self):
        """The route declares no ``csrf=False``: a bearer token is no cookie."""
        _record, write_token, _refresh = self.issue_token(scope="write")
        response = self.bearer_post("/orestapi_oauth2_test/update", write_token)
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.json(), {"updated": True})

    def test_token_in_query_string_is_refused(self):
        _record, access_token, _refresh = self.issue_token()
        response = self.bearer_get(
            "/orestapi_oauth2_test/whoami", params={"access_token": access_token}
        )
        self.assertBearerError(response, 400, "invalid_request")
        # even together with a header: one method per request (RFC 6750 §2)
        response = self.bearer_get(
            "/orestapi_oauth2_test/whoami",
            access_token,
            params={"access_token": access_token},
        )
        self.assertBearerError(response, 400, "invalid_request")

    def test_form_body_token_within_the_routes_callable_limit(self):
        """A route's ``max_content_length`` may be a callable of its controller,
        as Odoo's dispatch allows; the token's form body is read within it."""
        _record, access_token, _refresh = self.issue_token()
        url = self.base_url() + "/orestapi_oauth2_test/form"
        response = self.opener.post(
            url, data={"access_token": access_token}, timeout=30
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.json(), {"login": self.user.login})
        response = self.opener.post(
            url,
            data={"access_token": access_token, "x": "x" * 4096},
            timeout=30,
        )
        self.assertEqual(response.status_code, 413, response.text[:300])

    def test_json_route_answers_rfc6750_errors_too(self):
        _record, access_token, _refresh = self.issue_token()
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}})
        url = self.base_url() + "/orestapi_oauth2_test/json"
        json_headers = {"Content-Type": "application/json"}
        response = self.opener.post(
            url,
            data=payload,
            headers=dict(json_headers, Authorization="Bearer wrong"),
            timeout=30,
        )
        self.assertBearerError(response, 401, "invalid_token")
        response = self.opener.post(
            url,
            data=payload,
            headers=dict(json_headers, Authorization=f"Bearer {access_token}"),
            timeout=30,
        )
        self.assertEqual(response.json()["result"], {"login": self.user.login})
