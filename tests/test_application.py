# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The oauth2.application model, its scopes and the settings page."""

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import mute_logger

from ..models.res_config_settings import get_oauth2_setting
from ..oauth.constants import NAMED_ONLY_SCOPES
from .common import OAuth2TestMixin, load_migration


class TestOAuth2Application(OAuth2TestMixin, TransactionCase):
    def _stored_columns(self, app):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT client_id, client_secret_hash FROM oauth2_application WHERE id=%s",
            [app.id],
        )
        return self.env.cr.fetchone()

    def test_client_id_generated_unique_or_given(self):
        first = self.env["oauth2.application"].create({"name": "A"})
        second = self.env["oauth2.application"].create({"name": "B"})
        self.assertGreaterEqual(len(first.client_id), 32)
        self.assertNotEqual(first.client_id, second.client_id)
        self.assertEqual(self.app.client_id, "integration")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["oauth2.application"].create(
                {"name": "C", "client_id": "integration"}
            )

    def test_acts_as_is_chosen_never_defaulted(self):
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        applications = admin_env["oauth2.application"]
        self.assertFalse(applications.create({"name": "Portal login"}).user_id)
        with self.assertRaisesRegex(ValidationError, "Acts As"):
            applications.create(
                {"name": "Nightly sync", "grant_client_credentials": True}
            )
        app = applications.create({"name": "Nightly sync"})
        with self.assertRaisesRegex(ValidationError, "Acts As"):
            app.grant_client_credentials = True
        app.write({"grant_client_credentials": True, "user_id": self.user.id})
        with self.assertRaisesRegex(ValidationError, "Acts As"):
            app.user_id = False
        # a public client obtains no client_credentials token: no one to act as
        public = applications.create(
            {"name": "SPA", "client_type": "public", "grant_client_credentials": True}
        )
        self.assertFalse(public.user_id)

    def test_acts_as_an_administrator_is_flagged(self):
        settings_user = new_test_user(
            self.env, login="acts_settings", groups="base.group_user,base.group_system"
        )
        access_rights_user = new_test_user(
            self.env,
            login="acts_access_rights",
            groups="base.group_user,base.group_erp_manager",
        )
        for user, flagged in (
            (self.user, False),
            (settings_user, True),
            (access_rights_user, True),
            (self.env.ref("base.user_admin"), True),
        ):
            with self.subTest(user=user.login):
                self.app.user_id = user
                self.assertIs(self.app.acts_as_administrator, flagged)

    def test_client_id_without_colon(self):
        with self.assertRaises(ValidationError):
            self.env["oauth2.application"].create({"name": "A", "client_id": "a:b"})

    def test_generated_secret_shown_once_and_stored_hashed(self):
        app = self.env["oauth2.application"].create({"name": "Fresh"})
        # the read that follows the save, in the same request, shows it
        secret = app.web_read({"client_secret": {}})[0]["client_secret"]
        self.assertGreaterEqual(len(secret), 43, "256 bits, URL-safe base64")
        self.assertTrue(app._check_client_secret(secret))
        _client_id, stored = self._stored_columns(app)
        self.assertNotIn(secret, stored)
        # any later read never returns it
        app.invalidate_recordset()
        self.assertFalse(app.web_read({"client_secret": {}})[0]["client_secret"])
        self.assertFalse(app.read(["client_secret"])[0]["client_secret"])

    def test_given_secret_is_hashed(self):
        _client_id, stored = self._stored_columns(self.app)
        self.assertTrue(stored)
        self.assertNotEqual(stored, self.secret)
        self.assertTrue(self.app._check_client_secret(self.secret))
        self.assertFalse(self.app._check_client_secret(self.secret + "x"))
        self.assertFalse(self.app._check_client_secret(""))

    def test_public_client_has_no_secret(self):
        self.assertFalse(self.public_app.has_client_secret)
        self.assertFalse(self.public_app._check_client_secret(""))

    def test_generate_new_secret_replaces_old(self):
        action = self.app.action_generate_client_secret()
        new_secret = action["context"]["default_client_secret"]
        self.assertEqual(action["res_model"], "oauth2.application.secret")
        self.assertEqual(action["target"], "new")
        self.assertTrue(self.app._check_client_secret(new_secret))
        self.assertFalse(self.app._check_client_secret(self.secret))

    def test_revoke_all_tokens(self):
        tokens = self.env["oauth2.token"]
        for value in ("one", "two"):
            tokens |= tokens._create_from_response(
                {"access_token": value, "expires_in": 60, "scope": "read"},
                self.app,
                self.user,
                "client_credentials",
                "read",
            )
        other = tokens._create_from_response(
            {"access_token": "three", "expires_in": 60},
            self.other_app,
            self.user,
            "client_credentials",
            "",
        )
        self.app.action_revoke_tokens()
        self.assertEqual(set(tokens.mapped("state")), {"revoked"})
        self.assertEqual(other.state, "active")
        self.assertEqual(self.app.active_token_count, 0)
        self.assertEqual(self.other_app.active_token_count, 1)

    def test_scopes_default_to_all_and_star(self):
        every = self.env["oauth2.scope"].search([]).mapped("name")
        self.assertCountEqual(self.other_app._allowed_scope_names(), every)
        self.assertCountEqual(self.app._resolve_scopes(["*"]), ["read", "write"])
        self.assertCountEqual(
            self.other_app._resolve_scopes(["*"]), set(every) - NAMED_ONLY_SCOPES
        )
        self.assertEqual(self.app._resolve_scopes(["read", "read"]), ["read"])
        self.assertIsNone(self.app._resolve_scopes(["admin"]))

    def test_allowed_scopes_follow_changes(self):
        self.assertCountEqual(self.app._allowed_scope_names(), ["read", "write"])
        self.app.scope_ids = self.scope_read
        self.assertEqual(self.app._allowed_scope_names(), ("read",))
        every = set(self.other_app._allowed_scope_names())
        extra = self.env["oauth2.scope"].create({"name": "extra"})
        self.assertEqual(set(self.other_app._allowed_scope_names()), every | {"extra"})
        extra.name = "renamed"
        self.assertIn("renamed", self.other_app._allowed_scope_names())
        extra.unlink()
        self.assertEqual(set(self.other_app._allowed_scope_names()), every)

    def test_scope_name_rules(self):
        for bad in ("two words", "*", 'quo"te'):
            with self.assertRaises(ValidationError):
                self.env["oauth2.scope"].create({"name": bad})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["oauth2.scope"].create({"name": "read"})

    def test_redirect_uris_an_admin_can_register(self):
        accepted = [
            "https://a.example/cb",
            "https://a.example:8443/cb?tenant=1",
            "http://127.0.0.1:9000/cb",
            "http://[::1]/cb",
            "http://localhost/cb",
            "com.example.myapp:/callback",
        ]
        self.app.redirect_uris = "\n\n".join(accepted) + "\n"
        self.assertEqual(self.app._redirect_uri_list(), accepted)
        for bad in (
            "/relative/path",
            "https://a.example/cb#frag",
            "javascript:alert(1)//",
            "JavaScript:alert(1)//",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "http://a.example/cb",
            "http://localhost.evil.example/cb",
            "https://good.example@evil.example/cb",
            "https:///no-host",
            "myapp://callback",
            "https://go\u200bod.example/cb",
            "https://bücher.example/cb",
            "https://a.example/\x01cb",
            "https://a.example:99999/cb",
        ):
            with self.subTest(uri=bad), self.assertRaises(ValidationError) as caught:
                self.app.redirect_uris = bad
            self.assertIn("cannot be a redirect URI", str(caught.exception))

    def test_unregistrable_uri_stored_before_is_never_used(self):
        self.env.cr.execute(
            "UPDATE oauth2_application SET redirect_uris = %s WHERE id = %s",
            ["javascript:alert(1)//\nhttps://a.example/cb", self.app.id],
        )
        self.app.invalidate_recordset(["redirect_uris"])
        self.assertEqual(self.app._redirect_uri_list(), ["https://a.example/cb"])

    def test_hand_chosen_secret_must_be_strong(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["oauth2.application"].create(
                {"name": "Weak", "client_secret": "x" * 31}
            )
        self.assertIn("at least 32 characters", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.app.client_secret = "short"
        self.assertTrue(self.app._check_client_secret(self.secret))
        with self.assertRaises(ValidationError):
            self.app.client_secret = "y" * 32
        strong = "correct-horse-battery-staple-0123"
        self.app.client_secret = strong
        self.assertTrue(self.app._check_client_secret(strong))

    def test_default_scopes(self):
        rpc = self.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        # no default: every scope of the application but rpc
        self.assertNotIn("rpc", self.other_app._default_scope_names())
        self.assertIn("read", self.other_app._default_scope_names())
        self.assertNotIn("rpc", self.other_app._resolve_scopes(["*"]))
        self.assertEqual(self.other_app._resolve_scopes(["rpc"]), ["rpc"])
        self.app.default_scope_ids = self.scope_read
        self.assertEqual(self.app._default_scope_names(), ("read",))
        with self.assertRaises(ValidationError):
            self.other_app.default_scope_ids = rpc
        with self.assertRaises(ValidationError):
            self.app.default_scope_ids = self.scope_admin

    def test_lifetimes_from_settings_or_application(self):
        self.assertEqual(self.app._get_access_token_lifetime(), 360)
        self.assertEqual(self.app._get_refresh_token_lifetime(), 3600)
        self.set_param("access_token_lifetime", "120")
        self.assertEqual(self.app._get_access_token_lifetime(), 120)
        self.app.refresh_token_lifetime = 77
        self.assertEqual(self.app._get_refresh_token_lifetime(), 77)

    def test_settings_page_saves_parameters(self):
        settings = self.env["res.config.settings"].create(
            {
                "oauth2_access_token_lifetime": 600,
                "oauth2_accept_older_client_requests": True,
            }
        )
        settings.execute()
        self.assertEqual(self.app._get_access_token_lifetime(), 600)
        fresh = self.env["res.config.settings"].create({})
        self.assertTrue(fresh.oauth2_accept_older_client_requests)
        self.assertEqual(fresh.oauth2_refresh_token_lifetime, 3600)

    def test_upgrade_keeps_the_get_token_requests_setting(self):
        """The setting that accepted GET token requests became the one that
        accepts every request form of older clients: its value carries over."""
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.search([("key", "like", "orestapi_oauth2.accept_older")]).unlink()
        parameters.set_param("orestapi_oauth2.allow_get_token_request", "True")
        self.env.flush_all()
        load_migration("1.2.0", "post")(self.env.cr, "1.1.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertTrue(get_oauth2_setting(self.env, "accept_older_client_requests"))
        self.assertFalse(
            parameters.get_param("orestapi_oauth2.allow_get_token_request")
        )

    def test_upgrade_adopts_scopes_named_like_openid_connects(self):
        """A scope named profile made by hand before the upgrade becomes the
        module's, instead of failing the upgrade on its unique name."""
        profile = self.env.ref("orestapi_oauth2.oauth2_scope_profile")
        profile.description = "Our own profile scope"
        self.env["ir.model.data"].search(
            [("module", "=", "orestapi_oauth2"), ("name", "=", "oauth2_scope_profile")]
        ).unlink()
        self.env.flush_all()
        load_migration("1.3.0", "pre")(self.env.cr, "1.2.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertEqual(self.env.ref("orestapi_oauth2.oauth2_scope_profile"), profile)
        self.assertEqual(profile.description, "Our own profile scope")

    def test_upgrade_adopts_a_scope_named_offline_access(self):
        """A scope named offline_access made by hand before the upgrade becomes
        the module's, and stops being a default scope, which it can no longer
        be."""
        xmlid = "oauth2_scope_offline_access"
        offline_access = self.env.ref(f"orestapi_oauth2.{xmlid}")
        offline_access.description = "Our own offline scope"
        self.env["ir.model.data"].search(
            [("module", "=", "orestapi_oauth2"), ("name", "=", xmlid)]
        ).unlink()
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO oauth2_application_default_scope_rel VALUES (%s, %s)",
            [self.other_app.id, offline_access.id],
        )
        load_migration("1.9.0", "pre")(self.env.cr, "1.8.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertEqual(self.env.ref(f"orestapi_oauth2.{xmlid}"), offline_access)
        self.assertEqual(offline_access.description, "Our own offline scope")
        self.assertFalse(self.other_app.default_scope_ids)

    def test_zero_settings_are_kept_where_zero_means_something(self):
        self.env["res.config.settings"].create(
            {"oauth2_client_auth_max_failures": 0, "oauth2_cleanup_grace_days": 0}
        ).execute()
        self.assertEqual(get_oauth2_setting(self.env, "client_auth_max_failures"), 0)
        self.assertEqual(get_oauth2_setting(self.env, "cleanup_grace_days"), 0)
        fresh = self.env["res.config.settings"].create({})
        self.assertEqual(fresh.oauth2_client_auth_max_failures, 0)
        self.assertEqual(fresh.oauth2_cleanup_grace_days, 0)

    def test_durations_must_be_positive(self):
        for field_name in (
            "oauth2_access_token_lifetime",
            "oauth2_refresh_token_lifetime",
            "oauth2_authorization_code_lifetime",
            "oauth2_client_auth_failure_window",
        ):
            with (
                self.subTest(field_name=field_name),
                self.assertRaises(ValidationError),
            ):
                self.env["res.config.settings"].create({field_name: 0})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"oauth2_client_auth_max_failures": -1}
            )

    def test_invalid_stored_setting_falls_back_and_blocks_no_save(self):
        self.set_param("access_token_lifetime", "-5")
        self.assertEqual(get_oauth2_setting(self.env, "access_token_lifetime"), 360)
        settings = self.env["res.config.settings"].create(
            {"oauth2_accept_older_client_requests": True}
        )
        self.assertEqual(settings.oauth2_access_token_lifetime, -5)
        settings.execute()
        self.assertTrue(get_oauth2_setting(self.env, "accept_older_client_requests"))

    def test_only_managers_manage_applications(self):
        employee = new_test_user(self.env, login="employee", groups="base.group_user")
        manager = new_test_user(
            self.env,
            login="oauth_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        with self.assertRaises(AccessError):
            self.app.with_user(employee).read(["name"])
        with self.assertRaises(AccessError):
            self.app.with_user(employee).action_revoke_tokens()
        with self.assertRaises(AccessError):
            self.app.with_user(employee).action_generate_client_secret()
        app = self.env["oauth2.application"].with_user(manager).create({"name": "Mine"})
        self.assertTrue(app.has_client_secret)
        with self.assertRaises(AccessError):
            app.read(["client_secret_hash"])
        self.assertTrue(
            self.env.ref("base.group_system").implied_ids
            & self.env.ref("orestapi_oauth2.group_oauth2_manager")
        )
