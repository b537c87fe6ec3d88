# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The oauth2.token model: hashes at rest, states and access rules."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user

from .common import OAuth2TestMixin


class TestOAuth2Token(OAuth2TestMixin, TransactionCase):
    def _issue(self, access_token, refresh_token=None, user=None, expires_in=60):
        response = {
            "access_token": access_token,
            "expires_in": expires_in,
            "scope": "read",
        }
        if refresh_token:
            response["refresh_token"] = refresh_token
        return self.env["oauth2.token"]._create_from_response(
            response, self.app, user or self.user, "password", "read"
        )

    def test_only_hashes_are_stored(self):
        token = self._issue("clear-access-value", "clear-refresh-value")
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM oauth2_token WHERE id=%s", [token.id])
        row = " ".join(str(value) for value in self.env.cr.fetchone())
        self.assertNotIn("clear-access-value", row)
        self.assertNotIn("clear-refresh-value", row)
        self.assertEqual(
            self.env["oauth2.token"]._lock_by_refresh_token("clear-refresh-value"),
            token,
        )
        self.assertFalse(
            self.env["oauth2.token"]._lock_by_refresh_token("clear-access-value")
        )

    def test_state_compute_and_search(self):
        live = self._issue("a1", "r1")
        revoked = self._issue("a2", "r2")
        revoked.action_revoke()
        expired = self._issue("a3", expires_in=60)
        refreshable = self._issue("a4", "r4", expires_in=60)
        with freeze_time(fields.Datetime.now() + timedelta(seconds=120)):
            self.assertEqual(expired.state, "expired")
            self.assertEqual(
                refreshable.state, "active", "its refresh token still works"
            )
            Token = self.env["oauth2.token"]
            mine = [("id", "in", (live | revoked | expired | refreshable).ids)]
            self.assertEqual(
                Token.search(mine + [("state", "=", "active")]), live | refreshable
            )
            self.assertEqual(Token.search(mine + [("state", "=", "expired")]), expired)
            self.assertEqual(Token.search(mine + [("state", "=", "revoked")]), revoked)
            self.assertEqual(
                Token.search(mine + [("state", "!=", "active")]), revoked | expired
            )
        with freeze_time(fields.Datetime.now() + timedelta(seconds=3601)):
            refreshable.invalidate_recordset(["state"])
            self.assertEqual(refreshable.state, "expired")
            self.assertFalse(refreshable._is_live("refresh_token"))

    def test_archived_user_or_application_suspends_its_tokens(self):
        token = self._issue("a5", "r5")
        other_app = self.env["oauth2.token"]._create_from_response(
            {"access_token": "a6", "expires_in": 360},
            self.other_app,
            self.env.ref("base.user_admin"),
            "client_credentials",
            "",
        )
        self.user.active = False
        (token | other_app).invalidate_recordset(["state"])
        self.assertEqual(token.state, "suspended")
        Token = self.env["oauth2.token"]
        mine = [("id", "in", (token | other_app).ids)]
        self.assertEqual(Token.search(mine + [("state", "=", "suspended")]), token)
        self.assertEqual(Token.search(mine + [("state", "=", "active")]), other_app)
        self.assertFalse(token._is_live())
        self.user.active = True
        self.other_app.active = False
        (token | other_app).invalidate_recordset(["state"])
        self.assertEqual(token.state, "active")
        self.assertEqual(other_app.state, "suspended")
        self.assertEqual(Token.search(mine + [("state", "=", "suspended")]), other_app)

    def test_bearer_lookup_agrees_with_the_live_domain(self):
        """The bearer check's hand-written query and ``_live_domain`` are two
        spellings of one rule."""
        Token = self.env["oauth2.token"]
        archived_user = new_test_user(self.env, login="oauth2_archived_user")
        issued = {
            "live": self._issue("b-live"),
            "revoked": self._issue("b-revoked"),
            "expired": self._issue("b-expired", expires_in=-1),
            "user archived": self._issue("b-user", user=archived_user),
            "application archived": Token._create_from_response(
                {"access_token": "b-app", "expires_in": 60},
                self.other_app,
                self.user,
                "client_credentials",
                "",
            ),
        }
        issued["revoked"].action_revoke()
        # not flushed: the lookup must see the ORM's pending writes
        archived_user.active = False
        self.other_app.active = False
        raw = {"live": "b-live", "revoked": "b-revoked", "expired": "b-expired"}
        raw.update({"user archived": "b-user", "application archived": "b-app"})
        for case, token in issued.items():
            with self.subTest(case):
                by_domain = Token.search([("id", "=", token.id), *Token._live_domain()])
                self.assertEqual(Token._find_live_access_token(raw[case]), by_domain)
                self.assertEqual(bool(by_domain), case == "live")

    def test_users_read_only_their_own_tokens(self):
        mine = self._issue("mine")
        someone = new_test_user(self.env, login="someone", groups="base.group_user")
        theirs = self._issue("theirs", user=someone)
        Token = self.env["oauth2.token"].with_user(self.user)
        self.assertEqual(Token.search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.user).read(["scope"])
        with self.assertRaises(AccessError):
            mine.with_user(self.user).read(["access_token_hash"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.user).action_revoke()
        self.assertFalse(theirs.revoked)
