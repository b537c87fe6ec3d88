# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The last use of a token: recorded wherever the token is presented, at
most once a minute per token, and rolled up on its application and consent."""

import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import EndpointCase

# Older than the minute within which a use is not written again.
STALE = timedelta(minutes=2)
# Within that minute.
FRESH = timedelta(seconds=30)


class TestLastUsed(EndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.scope_ids |= cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")

    def set_last_used(self, record, ago):
        """Write the token's last use ``ago`` before now; returns that time."""
        moment = fields.Datetime.now() - ago
        self.env.cr.execute(
            "UPDATE oauth2_token SET last_used_at = %s WHERE id = %s",
            (moment, record.id),
        )
        record.invalidate_recordset(["last_used_at"])
        return moment

    def last_used(self, record):
        record.invalidate_recordset(["last_used_at"])
        return record.last_used_at

    def assertRecordedNow(self, record):
        last_used = self.last_used(record)
        self.assertTrue(last_used, "no use recorded")
        self.assertLess(abs(fields.Datetime.now() - last_used), timedelta(seconds=5))

    def present_over_xmlrpc(self, token):
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, self.user.login, token, {}
        )
        self.assertEqual(uid, self.user.id)
        self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, token, "res.users", "read", [[uid], ["login"]]
        )

    def test_every_place_a_token_is_presented_records_its_use(self):
        places = {
            "a bearer route": lambda token: self.bearer_get(
                "/orestapi_oauth2_test/whoami", token
            ),
            "userinfo": lambda token: self.bearer_get(
                "/orestapi/oauth2/userinfo", token
            ),
            "tokeninfo": lambda token: self.call(
                "GET", "tokeninfo", params={"access_token": token}
            ),
            "introspection": lambda token: self.call(
                "POST",
                "introspect",
                data={"token": token},
                auth=self.integration,
            ),
            "the external API": self.present_over_xmlrpc,
        }
        for place, present in places.items():
            with self.subTest(place=place):
                record, token, _refresh = self.issue_token(scope="read rpc")
                self.assertFalse(self.last_used(record))
                response = present(token)
                if response is not None:
                    self.assertEqual(response.status_code, 200, response.text)
                self.assertRecordedNow(record)

    def test_a_refresh_records_the_use_of_the_pair_it_presents(self):
        record, _token, refresh_token = self.issue_token()
        self.assertJson(self.refresh(refresh_token))
        self.assertRecordedNow(record)

    def test_a_use_is_written_at_most_once_a_minute(self):
        record, token, _refresh = self.issue_token()
        recent = self.set_last_used(record, FRESH)
        response = self.bearer_get("/orestapi/oauth2/userinfo", token)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.last_used(record), recent, "written within the minute")
        self.set_last_used(record, STALE)
        response = self.bearer_get("/orestapi/oauth2/userinfo", token)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertRecordedNow(record)

    def test_a_refused_token_records_nothing(self):
        record, token, _refresh = self.issue_token(scope="read rpc")
        record.action_revoke()
        response = self.bearer_get("/orestapi/oauth2/userinfo", token)
        self.assertEqual(response.status_code, 401, response.text)
        self.assertFalse(
            self.xmlrpc_common.authenticate(
                self.env.cr.dbname, self.user.login, token, {}
            )
        )
        with self.assertRaises(xmlrpc.client.Fault):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.user.id,
                token,
                "res.users",
                "read",
                [[self.user.id]],
            )
        self.assertFalse(self.last_used(record))

    def test_the_application_and_the_consent_show_their_last_token_use(self):
        consent = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        older, _token, _refresh = self.issue_token()
        newer, _token, _refresh = self.issue_token()
        self.set_last_used(older, timedelta(days=3))
        latest = self.set_last_used(newer, timedelta(hours=1))
        # another user's token of the application: the consent's is the user's
        someone_else = new_test_user(self.env, login="oauth2_last_used_other")
        other, _token, _refresh = self.issue_token(user=someone_else)
        other_use = self.set_last_used(other, timedelta(minutes=5))
        self.app.invalidate_recordset(["last_used_at"])
        consent.invalidate_recordset(["last_used_at"])
        self.assertEqual(self.app.last_used_at, other_use)
        self.assertEqual(consent.last_used_at, latest)
