# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Odoo's external API (XML-RPC, JSON-RPC, and JSON-2 on 19.0) with an
access token."""

import unittest
import xmlrpc.client

import requests

from odoo import fields
from odoo.exceptions import AccessDenied
from odoo.tests import get_db_name, tagged

from ..series import SERIES, authenticate
from .common import HttpCase, OAuth2TestMixin


@tagged("post_install", "-at_install")
class TestRpcWithToken(OAuth2TestMixin, HttpCase):
    """An access token with the ``rpc`` scope in place of the password in Odoo's
    external API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.scope_ids |= cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        cls.db = get_db_name()

    def setUp(self):
        super().setUp()
        # Refused logins must not trigger the login cooldown of later tests.
        self.env["ir.config_parameter"].sudo().set_param(
            "base.login_cooldown_after", 1000
        )

    def read_own_login(self, uid, password):
        [record] = self.xmlrpc_object.execute_kw(
            self.db, uid, password, "res.users", "read", [[uid], ["login"]]
        )
        return record["login"]

    def assertRefused(self, token):
        self.assertFalse(
            self.xmlrpc_common.authenticate(self.db, "oauth2_user", token, {})
        )
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.read_own_login(self.user.id, token)
        self.assertIn("Access Denied", caught.exception.faultString)

    def test_xmlrpc_with_rpc_scope(self):
        _record, token, _refresh = self.issue_token(scope="read rpc")
        uid = self.xmlrpc_common.authenticate(self.db, "oauth2_user", token, {})
        self.assertEqual(uid, self.user.id)
        self.assertEqual(self.read_own_login(uid, token), "oauth2_user")

    def test_jsonrpc_with_rpc_scope(self):
        _record, token, _refresh = self.issue_token(scope="rpc")
        response = self.opener.post(
            self.base_url() + "/jsonrpc",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        self.db,
                        self.user.id,
                        token,
                        "res.users",
                        "read",
                        [[self.user.id], ["login"]],
                    ],
                },
            },
            timeout=30,
        )
        self.assertEqual(response.json()["result"][0]["login"], "oauth2_user")

    def test_token_without_rpc_scope_is_refused(self):
        _record, token, _refresh = self.issue_token(scope="read write")
        self.assertRefused(token)

    def test_expired_or_revoked_token_is_refused(self):
        expired, expired_token, _refresh = self.issue_token(scope="rpc")
        expired.expires_at = fields.Datetime.now()
        revoked, revoked_token, _refresh = self.issue_token(scope="rpc")
        self.assertEqual(
            self.read_own_login(self.user.id, revoked_token), "oauth2_user"
        )
        revoked.action_revoke()
        for token in (expired_token, revoked_token):
            with self.subTest(token=token):
                self.assertRefused(token)

    def test_revoked_token_never_comes_back(self):
        """Odoo caches every accepted (uid, password) per worker: a token used
        once must still be refused after its revocation and after the cleanup
        deleted its row."""
        record, token, _refresh = self.issue_token(scope="rpc")
        for _use in range(2):
            self.assertEqual(self.read_own_login(self.user.id, token), "oauth2_user")
        record.action_revoke()
        self.assertRefused(token)
        record.revoked_at = fields.Datetime.subtract(fields.Datetime.now(), days=30)
        self.env["oauth2.token"]._cron_delete_expired()
        self.assertFalse(record.exists())
        self.assertRefused(token)

    def test_expired_token_never_comes_back(self):
        record, token, _refresh = self.issue_token(scope="rpc")
        self.assertEqual(self.read_own_login(self.user.id, token), "oauth2_user")
        record.expires_at = fields.Datetime.now()
        self.assertRefused(token)
        record.unlink()
        self.assertRefused(token)

    def test_scope_taken_from_the_application_ends_rpc(self):
        _record, token, _refresh = self.issue_token(scope="read rpc")
        self.assertEqual(self.read_own_login(self.user.id, token), "oauth2_user")
        self.app.scope_ids -= self.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        self.assertRefused(token)

    def test_refresh_token_or_another_users_token_is_refused(self):
        admin = self.env.ref("base.user_admin")
        _record, admin_token, refresh_token = self.issue_token(user=admin, scope="rpc")
        self.assertRefused(admin_token)
        self.assertRefused(refresh_token)

    def test_token_is_no_password_at_the_interactive_login(self):
        _record, token, _refresh = self.issue_token(scope="rpc")
        credential = {"type": "password", "login": "oauth2_user", "password": token}
        with self.assertRaises(AccessDenied):
            authenticate(self.env["res.users"], credential, {"interactive": True})


@unittest.skipIf(SERIES < (19, 0), "JSON-2 is the external API of Odoo 19.0 on")
@tagged("post_install", "-at_install")
class TestJson2WithToken(OAuth2TestMixin, HttpCase):
    """An access token with the ``rpc`` scope as the bearer key of JSON-2
    (``POST /json/2/<model>/<method>``), exactly as an API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.scope_ids |= cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")

    def json2(self, key, model="res.users", method="read", cookies=None, **body):
        # a client of its own, as an integration's: no session cookie; it
        # sees what the test wrote once written to the database
        self.env.flush_all()
        return requests.post(
            f"{self.base_url()}/json/2/{model}/{method}",
            json=body,
            headers={"Authorization": f"bearer {key}"},
            cookies=cookies,
            timeout=30,
        )

    def read_own_login(self, key):
        response = self.json2(key, ids=[self.user.id], fields=["login"])
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()[0]["login"]

    def assertRefused(self, key, **kwargs):
        response = self.json2(key, ids=[self.user.id], fields=["login"], **kwargs)
        self.assertEqual(response.status_code, 401, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        self.assertNotIn("oauth2_user", response.text)
        self.assertIn("message", response.json())
        return response

    def test_token_with_rpc_scope_is_a_bearer_key(self):
        _record, token, _refresh = self.issue_token(scope="read rpc")
        self.assertEqual(self.read_own_login(token), "oauth2_user")

    def test_calls_run_with_the_users_rights(self):
        _record, token, _refresh = self.issue_token(scope="rpc")
        response = self.json2(
            token, model="ir.config_parameter", method="search_read", domain=[]
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertIn("message", response.json())

    def test_token_without_rpc_scope_is_refused(self):
        _record, token, _refresh = self.issue_token(scope="read write")
        self.assertRefused(token)

    def test_revoked_or_expired_token_is_refused_on_its_next_call(self):
        revoked, revoked_token, _refresh = self.issue_token(scope="rpc")
        expired, expired_token, _refresh = self.issue_token(scope="rpc")
        for token in (revoked_token, expired_token):
            self.assertEqual(self.read_own_login(token), "oauth2_user")
        revoked.action_revoke()
        expired.expires_at = fields.Datetime.now()
        for token in (revoked_token, expired_token):
            with self.subTest(token=token):
                self.assertRefused(token)
        revoked.unlink()
        self.assertRefused(revoked_token)

    def test_scope_taken_from_the_application_ends_json2(self):
        _record, token, _refresh = self.issue_token(scope="rpc")
        self.assertEqual(self.read_own_login(token), "oauth2_user")
        self.app.scope_ids -= self.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        self.assertRefused(token)

    def test_refresh_token_forged_or_oversized_key_is_refused(self):
        _record, token, refresh_token = self.issue_token(scope="rpc")
        for key in (
            refresh_token,
            token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            "x" * 20000,
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
        ):
            with self.subTest(key=key[:20]):
                self.assertRefused(key)

    def test_another_users_session_cannot_borrow_a_token(self):
        _record, token, _refresh = self.issue_token(scope="rpc")
        self.authenticate("admin", "admin")
        response = self.json2(
            token,
            ids=[self.user.id],
            fields=["login"],
            cookies={"session_id": self.session.sid},
        )
        self.assertEqual(response.status_code, 401, response.text)
