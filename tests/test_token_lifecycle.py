# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What happens to issued tokens when something around them changes: a scope
taken from the application, a password change, an archived user or
application."""

from odoo.tests import new_test_user, tagged

from .common import USER_PASSWORD, EndpointCase, load_migration


@tagged("post_install", "-at_install")
class TestScopeTakenAway(EndpointCase):
    def introspected_scope(self, token):
        response = self.call(
            "POST", "introspect", data={"token": token}, auth=self.integration
        )
        return self.assertJson(response)["scope"]

    def test_removed_scope_is_gone_from_tokens_issued_before(self):
        pair = self.password_pair(scope="read write")
        self.app.scope_ids = self.scope_read
        response = self.opener.post(
            self.base_url() + "/orestapi_oauth2_test/update",
            headers={"Authorization": f"Bearer {pair['access_token']}"},
            timeout=30,
        )
        self.assertBearerError(response, 403, "insufficient_scope")
        self.assertEqual(self.introspected_scope(pair["access_token"]), "read")
        self.assertEqual(self.introspected_scope(pair["refresh_token"]), "read")

        refreshed = self.assertJson(self.refresh(pair["refresh_token"]))
        self.assertEqual(refreshed["scope"], "read")
        # given back to the application, the scope does not return to the grant
        self.app.scope_ids |= self.scope_write
        again = self.assertJson(self.refresh(refreshed["refresh_token"]))
        self.assertEqual(again["scope"], "read")

    def test_refresh_keeping_no_scope_fails(self):
        pair = self.password_pair(scope="write")
        self.app.scope_ids = self.scope_read
        self.assertOAuthError(self.refresh(pair["refresh_token"]), "invalid_scope")

    def test_token_that_lost_every_scope_is_refused(self):
        pair = self.password_pair(scope="write")
        self.app.scope_ids = self.scope_read
        response = self.call(
            "GET",
            "userinfo",
            headers={"Authorization": f"Bearer {pair['access_token']}"},
        )
        self.assertBearerError(response, 401, "invalid_token")
        tokeninfo = self.call(
            "GET", "tokeninfo", params={"access_token": pair["access_token"]}
        )
        self.assertOAuthError(tokeninfo, "invalid_token")
        for token in (pair["access_token"], pair["refresh_token"]):
            response = self.call(
                "POST", "introspect", data={"token": token}, auth=self.integration
            )
            self.assertEqual(self.assertJson(response), {"active": False})


@tagged("post_install", "-at_install")
class TestPasswordChange(EndpointCase):
    def issue(self, grant_type, scope, origin=None):
        record, _access, _refresh = self.issue_token(scope=scope)
        record.sudo().write(
            {"grant_type": grant_type, "origin_grant_type": origin or grant_type}
        )
        return record

    def setUp(self):
        super().setUp()
        self.from_password = self.issue("password", "read")
        self.refreshed_from_password = self.issue(
            "refresh_token", "read", origin="password"
        )
        self.consented = self.issue("authorization_code", "read write")
        self.consented_rpc = self.issue("authorization_code", "read rpc")
        self.refreshed_consent = self.issue(
            "refresh_token", "read", origin="authorization_code"
        )
        self.other_users = self.issue_token(user=self.env.ref("base.user_admin"))[0]

    def assertRevoked(self, tokens, revoked):
        self.assertEqual(set(tokens.mapped("revoked")), {revoked}, tokens)

    def test_password_grant_and_rpc_tokens_end(self):
        self.user.with_user(self.user).change_password(USER_PASSWORD, "a new one!")
        self.assertRevoked(
            self.from_password | self.refreshed_from_password | self.consented_rpc,
            True,
        )
        self.assertRevoked(
            self.consented | self.refreshed_consent | self.other_users, False
        )

    def test_administrator_setting_a_password_ends_them_too(self):
        self.user.password = "set by the administrator"
        self.assertRevoked(self.from_password | self.consented_rpc, True)
        self.assertRevoked(self.consented, False)

    def test_setting_widens_it_to_every_token(self):
        self.set_param("revoke_all_tokens_on_password_change", "True")
        code = self.env["oauth2.authorization.code"]._create_for_request(
            "an-unused-code", self.app, self.user, ["read"], None, None, None
        )
        self.user.password = "set by the administrator"
        self.assertRevoked(
            self.from_password | self.consented | self.refreshed_consent, True
        )
        self.assertTrue(code.used)
        self.assertRevoked(self.other_users, False)


@tagged("post_install", "-at_install")
class TestOriginalGrantMigration(EndpointCase):
    def test_tokens_stored_before_learn_their_original_grant(self):
        code = self.env["oauth2.authorization.code"]._create_for_request(
            "migrated-code", self.app, self.user, ["read"], None, None, None
        )
        first = self.issue_token()[0]
        refreshed = self.issue_token()[0]
        from_code = self.issue_token()[0]
        orphan = self.issue_token()[0]
        refreshed.write({"grant_type": "refresh_token", "family": first.family})
        from_code.write({"grant_type": "refresh_token", "authorization_code_id": code})
        orphan.grant_type = "refresh_token"
        tokens = first | refreshed | from_code | orphan
        tokens.flush_recordset()
        self.env.cr.execute(
            "UPDATE oauth2_token SET origin_grant_type = NULL WHERE id IN %s",
            [tuple(tokens.ids)],
        )
        self.run_migration()
        self.assertEqual(
            tokens.mapped("origin_grant_type"),
            ["password", "password", "authorization_code", "password"],
        )

    def run_migration(self):
        self.env.flush_all()
        load_migration("1.1.0", "post")(self.env.cr, "1.0.0")
        self.env.invalidate_all()

    def test_what_the_old_rights_allowed_is_undone(self):
        manager = new_test_user(
            self.env,
            login="old_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        admin = self.env.ref("base.user_admin")
        untouched, _access, _refresh = self.issue_token()
        rewritten, _access, _refresh = self.issue_token()
        forged = self.env["oauth2.consent"]._grant(self.user, self.other_app, ["read"])
        genuine = self.env["oauth2.consent"]._grant(admin, self.app, ["read"])
        escalated = self.env["oauth2.application"].create(
            {"name": "Acts as the administrator", "user_id": admin.id}
        )
        own = self.env["oauth2.application"].create(
            {"name": "The manager's own", "user_id": manager.id}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE oauth2_token SET write_date = write_date + interval '1 minute' "
            "WHERE id = %s",
            [rewritten.id],
        )
        self.env.cr.execute(
            "UPDATE oauth2_consent SET create_uid = %s WHERE id = %s",
            [manager.id, forged.id],
        )
        self.env.cr.execute(
            "UPDATE oauth2_consent SET create_uid = %s WHERE id = %s",
            [admin.id, genuine.id],
        )
        self.env.cr.execute(
            "UPDATE oauth2_application SET create_uid = %s, write_uid = %s "
            "WHERE id IN %s",
            [manager.id, manager.id, (escalated.id, own.id)],
        )
        self.run_migration()
        self.assertTrue(rewritten.revoked)
        self.assertFalse(untouched.revoked)
        self.assertFalse(forged.exists())
        self.assertTrue(genuine.exists())
        self.assertFalse(escalated.active)
        self.assertTrue(own.active)
        self.assertTrue(self.app.active)
