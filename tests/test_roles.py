# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What each role may do, over Odoo's external API as that role's user: the
boundaries README.rst's security section lists."""

import xmlrpc.client

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..series import USER_GROUPS_FIELD
from .common import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    TOKEN_PATH,
    USER_PASSWORD,
    ExternalApiAsUsersMixin,
    HttpCase,
    OAuth2TestMixin,
    basic_auth,
)

MANAGER_SECRET = "the-manager's-own-application-secret"


@tagged("post_install", "-at_install")
class TestRoles(ExternalApiAsUsersMixin, OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_scope = cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")

        def user(login, groups):
            return new_test_user(
                cls.env, login=login, password=USER_PASSWORD, groups=groups
            )

        cls.portal = user("role_portal", "base.group_portal")
        cls.internal = user("role_internal", "base.group_user")
        cls.manager = user(
            "role_manager", "base.group_user,orestapi_oauth2.group_oauth2_manager"
        )
        cls.administrator = user("role_admin", "base.group_user,base.group_system")
        cls.admin_app = cls.env["oauth2.application"].create(
            {
                "name": "Acts as the administrator",
                "client_id": "acts-as-admin",
                "client_secret": "an-administrator's-application-secret",
                "grant_client_credentials": True,
                "user_id": cls.administrator.id,
            }
        )
        cls.token, _access, _refresh = cls.issue_token(cls, user=cls.internal)
        cls.consent = cls.env["oauth2.consent"]._grant(cls.portal, cls.app, ["read"])
        cls.code = cls.env["oauth2.authorization.code"]._create_for_request(
            "a-code", cls.app, cls.internal, ["read"], None, None, None
        )
        cls.device, _device_code, _user_code = cls.env[
            "oauth2.device.authorization"
        ]._create_for_request(cls.app, ["read"], "198.51.100.2")
        cls.env["oauth2.device.user.code.failure"]._count(
            "addr:198.51.100.3", "minute", fields.Datetime.now()
        )
        cls.user_code_failure = cls.env["oauth2.device.user.code.failure"].search(
            [("key", "=", "addr:198.51.100.3")]
        )
        # what back-channel logout keeps of an OpenID Connect sign-in, and of
        # the notification of its end that the application refused
        cls.env["oauth2.session"]._record("a-sid", cls.internal, cls.app)
        cls.oidc_session = cls.env["oauth2.session"].search([("sid", "=", "a-sid")])
        cls.notification = cls.env["oauth2.logout.notification"].create(
            {
                "application_id": cls.app.id,
                "user_id": cls.internal.id,
                "sid": "a-sid",
                "state": "failed",
                "attempts": 6,
                "last_error": "HTTP 400",
            }
        )
        cls.failure = cls.env["oauth2.client.auth.failure"].create(
            {
                "client_id": cls.app.client_id,
                "remote_addr": "198.51.100.1",
                "failed_at": fields.Datetime.now(),
            }
        )
        # the managers' list of failed client authentications: one row per
        # client_id and address block, named by its first failure
        cls.throttle = cls.env["oauth2.client.auth.throttle"].browse(cls.failure.id)

    def test_nobody_writes_tokens_codes_or_consents(self):
        records = [
            ("oauth2.token", self.token, {"user_id": self.administrator.id}),
            ("oauth2.token", self.token, {"scope": "read rpc"}),
            ("oauth2.token", self.token, {"revoked": False, "expires_at": False}),
            ("oauth2.authorization.code", self.code, {"used": False}),
            ("oauth2.device.authorization", self.device, {"state": "approved"}),
            ("oauth2.device.authorization", self.device, {"user_id": self.portal.id}),
            (
                "oauth2.device.user.code.failure",
                self.user_code_failure,
                {"attempts": 0},
            ),
            ("oauth2.consent", self.consent, {"user_id": self.administrator.id}),
        ]
        for user in (self.portal, self.internal, self.manager, self.administrator):
            for model, record, values in records:
                with self.subTest(user=user.login, model=model, values=values):
                    self.assertRefused(user, model, "write", [record.id], values)
                    self.assertRefused(user, model, "create", [values])
                    self.assertRefused(user, model, "unlink", [record.id])

    def test_who_reads_what(self):
        readable = {
            # model: the users who read the record of setUpClass
            "oauth2.application": {self.manager, self.administrator},
            "oauth2.token": {self.internal, self.manager, self.administrator},
            "oauth2.consent": {self.portal, self.manager, self.administrator},
            "oauth2.authorization.code": {self.manager, self.administrator},
            "oauth2.device.authorization": {self.manager, self.administrator},
            "oauth2.device.user.code.failure": {self.manager, self.administrator},
            "oauth2.session": {self.manager, self.administrator},
            "oauth2.logout.notification": {self.manager, self.administrator},
            "oauth2.client.auth.failure": {self.manager, self.administrator},
            "oauth2.client.auth.throttle": {self.manager, self.administrator},
        }
        records = {
            "oauth2.application": self.app,
            "oauth2.token": self.token,
            "oauth2.consent": self.consent,
            "oauth2.authorization.code": self.code,
            "oauth2.device.authorization": self.device,
            "oauth2.device.user.code.failure": self.user_code_failure,
            "oauth2.session": self.oidc_session,
            "oauth2.logout.notification": self.notification,
            "oauth2.client.auth.failure": self.failure,
            "oauth2.client.auth.throttle": self.throttle,
        }
        for user in (self.portal, self.internal, self.manager, self.administrator):
            for model, record in records.items():
                with self.subTest(user=user.login, model=model):
                    domain = [("id", "=", record.id)]
                    if user in readable[model]:
                        found = self.execute(user, model, "search", domain)
                        self.assertEqual(found, [record.id])
                    else:
                        try:
                            found = self.execute(user, model, "search", domain)
                        except xmlrpc.client.Fault as refused:
                            self.assertEqual(
                                refused.faultCode, RPC_FAULT_CODE_ACCESS_ERROR
                            )
                        else:
                            self.assertEqual(found, [])

    def test_users_are_found_by_the_consents_one_may_read_only(self):
        """Searching users by their consents would tell who approved what,
        past the consents' record rules: each finds only what they read."""
        oauth2_user = new_test_user(
            self.env,
            login="role_oauth2_user",
            password=USER_PASSWORD,
            groups="base.group_user,orestapi_oauth2.group_oauth2_user",
        )
        internal_consent = self.env["oauth2.consent"]._grant(
            self.internal, self.other_app, ["read"]
        )
        consents = {self.portal: self.consent, self.internal: internal_consent}
        approvers = [self.portal.id, self.internal.id]
        for user in (self.portal, self.internal, oauth2_user):
            own = consents.get(user, self.env["oauth2.consent"])
            for domain in (
                [("oauth2_consent_ids", "!=", False)],
                [("oauth2_consent_ids", "in", [c.id for c in consents.values()])],
                [("oauth2_consent_ids.application_id", "!=", False)],
            ):
                with self.subTest(user=user.login, domain=domain):
                    found = self.execute(
                        user, "res.users", "search", [*domain, ("id", "in", approvers)]
                    )
                    self.assertEqual(found, own.user_id.ids)
            # portal users see no other user at all
            visible = self.execute(
                user, "res.users", "search", [("id", "in", approvers)]
            )
            without = [("oauth2_consent_ids", "=", False), ("id", "in", approvers)]
            self.assertEqual(
                set(self.execute(user, "res.users", "search", without)),
                set(visible) - set(own.user_id.ids),
            )
        # reading them too: another user's are read as none
        read = self.execute(
            self.internal, "res.users", "read", approvers, ["oauth2_consent_ids"]
        )
        self.assertEqual(
            {row["id"]: row["oauth2_consent_ids"] for row in read},
            {self.portal.id: [], self.internal.id: internal_consent.ids},
        )
        # the preferences' Connected Apps tab reads the user's own
        [own] = self.execute(
            self.portal, "res.users", "read", [self.portal.id], ["oauth2_consent_ids"]
        )
        self.assertEqual(own["oauth2_consent_ids"], self.consent.ids)
        for user in (self.manager, self.administrator):
            with self.subTest(user=user.login):
                found = self.execute(
                    user,
                    "res.users",
                    "search",
                    [("oauth2_consent_ids", "!=", False), ("id", "in", approvers)],
                )
                self.assertEqual(sorted(found), sorted(approvers))

    def test_only_the_job_writes_sessions_and_logout_notifications(self):
        records = [
            ("oauth2.session", self.oidc_session, {"user_id": self.manager.id}),
            ("oauth2.logout.notification", self.notification, {"state": "delivered"}),
            ("oauth2.logout.notification", self.notification, {"sid": "another"}),
        ]
        for user in (self.portal, self.internal, self.manager, self.administrator):
            for model, record, values in records:
                with self.subTest(user=user.login, model=model, values=values):
                    self.assertRefused(user, model, "write", [record.id], values)
                    self.assertRefused(
                        user,
                        model,
                        "create",
                        [{"application_id": self.app.id, "sid": "x", **values}],
                    )
                    self.assertRefused(user, model, "unlink", [record.id])

    def test_a_manager_retries_a_logout_notification(self):
        model = "oauth2.logout.notification"
        for user in (self.portal, self.internal):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "action_retry", [self.notification.id])
        self.notification.invalidate_recordset()
        self.assertEqual(self.notification.state, "failed")
        [read] = self.execute(
            self.manager, model, "read", [self.notification.id], ["state", "last_error"]
        )
        self.assertEqual(read["last_error"], "HTTP 400")
        # as the form's button calls it
        self.authenticate(self.manager.login, USER_PASSWORD)
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": "action_retry",
                "args": [self.notification.ids],
                "kwargs": {},
            },
        )
        self.notification.invalidate_recordset()
        self.assertRecordValues(
            self.notification, [{"state": "pending", "attempts": 0}]
        )

    def test_only_managers_lift_a_throttle(self):
        model = "oauth2.client.auth.throttle"
        oauth2_user = new_test_user(
            self.env,
            login="role_oauth2_user",
            password=USER_PASSWORD,
            groups="base.group_user,orestapi_oauth2.group_oauth2_user",
        )
        for user in (self.portal, self.internal, oauth2_user):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "action_lift", [self.throttle.id])
                self.assertRefused(user, model, "search_read", [], ["client_id"])
                self.assertRefused(
                    user, "oauth2.client.auth.failure", "unlink", [self.failure.id]
                )
        self.assertTrue(self.failure.exists())
        # the view is read-only, whoever asks
        for method, args in (
            ("write", [[self.throttle.id], {"failure_count": 0}]),
            ("create", [{"client_id": "x"}]),
            ("unlink", [[self.throttle.id]]),
        ):
            with self.subTest(method=method):
                self.assertRefused(self.administrator, model, method, *args)
        [row] = self.execute(
            self.manager, model, "read", [self.throttle.id], ["client_id"]
        )
        self.assertEqual(row["client_id"], self.app.client_id)
        self.execute(self.manager, model, "action_lift", [self.throttle.id])
        self.assertFalse(self.failure.exists())

    def test_who_issues_initial_access_tokens(self):
        """OAuth2 managers issue and revoke initial access tokens (RFC 7591
        §3), which the form shows once; nobody reads one back, nor its hash;
        nobody else sees them."""
        model = "oauth2.registration.token"
        for user in (self.portal, self.internal):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "create", [{"name": "Mine"}])
                self.assertRefused(user, model, "search_read", [], ["name"])
        for user in (self.manager, self.administrator):
            with self.subTest(user=user.login):
                # what the form's save calls: the new token, in its answer
                [saved] = self.execute(
                    user,
                    model,
                    "web_save",
                    [],
                    {"name": f"Issued by {user.login}", "max_uses": 2},
                    specification={"token": {}, "name": {}, "state": {}},
                )
                self.assertEqual(len(saved["token"]), 43)
                self.assertEqual(saved["state"], "valid")
                [row] = self.execute(user, model, "read", [saved["id"]], ["token"])
                self.assertFalse(row["token"])
                self.assertRefused(user, model, "unlink", [saved["id"]])
                self.execute(user, model, "action_revoke", [saved["id"]])
                [row] = self.execute(
                    user,
                    model,
                    "read",
                    [saved["id"]],
                    ["state"],
                    context={"active_test": False},
                )
                self.assertEqual(row["state"], "revoked")
        [token_id] = self.execute(self.manager, model, "create", [{"name": "Hashed"}])
        self.assertRefused(self.manager, model, "read", [token_id], ["token_hash"])
        self.assertRefused(
            self.manager,
            "oauth2.application",
            "read",
            [self.app.id],
            ["registration_access_token_hash"],
        )

    def test_nobody_writes_metadata_document_fetches(self):
        model = "oauth2.metadata.document.fetch"
        fetch = self.env[model].create(
            {"remote_addr": "198.51.100.9", "fetched_at": fields.Datetime.now()}
        )
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user, model, "create", [{"remote_addr": "198.51.100.10"}]
                )
                self.assertRefused(
                    user, model, "write", [fetch.id], {"remote_addr": "x"}
                )
                self.assertRefused(user, model, "unlink", [fetch.id])
        found = self.execute(self.manager, model, "search", [("id", "=", fetch.id)])
        self.assertEqual(found, [fetch.id])
        self.assertRefused(self.internal, model, "search", [])
        self.assertRefused(self.portal, model, "search", [])

    def test_nobody_reads_pushed_authorization_requests(self):
        # what the client pushed (login_hint, claims) is the endpoints' alone
        model = "oauth2.pushed.authorization.request"
        self.env[model]._push(self.app, [("client_id", self.app.client_id)])
        pushed = self.env[model].search([])
        self.assertTrue(pushed)
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "search", [])
                self.assertRefused(user, model, "read", pushed.ids, ["parameters"])
                self.assertRefused(
                    user,
                    model,
                    "create",
                    [{"application_id": self.app.id, "parameters": "[]"}],
                )
                self.assertRefused(
                    user, model, "write", pushed.ids, {"parameters": "[]"}
                )
                self.assertRefused(user, model, "unlink", pushed.ids)

    def test_nobody_writes_used_jtis(self):
        model = "oauth2.jti"
        self.env[model]._use_once("client_assertion", "integration", "a-jti", 2e9)
        used = self.env[model].search([], limit=1)
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user,
                    model,
                    "create",
                    [{"purpose": "x", "digest": "y", "expires_at": False}],
                )
                self.assertRefused(user, model, "write", [used.id], {"purpose": "x"})
                self.assertRefused(user, model, "unlink", [used.id])
        found = self.execute(self.manager, model, "search", [("id", "=", used.id)])
        self.assertEqual(found, [used.id])
        self.assertRefused(self.internal, model, "search", [])
        self.assertRefused(self.portal, model, "search", [])

    def test_nobody_reads_a_kept_client_secret(self):
        """A client_secret_jwt client's sealed secret is the system's: its
        managers may not read even the ciphertext."""
        self.app.write(
            {
                "token_endpoint_auth_method": "client_secret_jwt",
                "client_secret": "a-client-secret-jwt-secret-with-enough-characters",
            }
        )
        self.assertTrue(self.app.sudo().client_secret_encrypted)
        for user in (self.internal, self.manager):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user,
                    "oauth2.application",
                    "read",
                    [self.app.id],
                    ["client_secret_encrypted"],
                )

    def test_nobody_writes_registration_requests(self):
        model = "oauth2.registration.attempt"
        attempt = self.env[model].create(
            {"remote_addr": "198.51.100.9", "attempted_at": fields.Datetime.now()}
        )
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user, model, "create", [{"remote_addr": "198.51.100.10"}]
                )
                self.assertRefused(
                    user, model, "write", [attempt.id], {"remote_addr": "x"}
                )
                self.assertRefused(user, model, "unlink", [attempt.id])
        found = self.execute(self.manager, model, "search", [("id", "=", attempt.id)])
        self.assertEqual(found, [attempt.id])
        self.assertRefused(self.internal, model, "search", [])

    def test_nobody_writes_dpop_proofs(self):
        model = "oauth2.dpop.proof"
        proofs = self.env[model]
        self.assertTrue(proofs._accept_once("a-key-thumbprint", "a-jti", 1_900_000_000))
        self.assertFalse(
            proofs._accept_once("a-key-thumbprint", "a-jti", 1_900_000_000)
        )
        proof = proofs.search([], order="id desc", limit=1)
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "create", [{"proof_hash": "x"}])
                self.assertRefused(
                    user, model, "write", [proof.id], {"proof_hash": "x"}
                )
                self.assertRefused(user, model, "unlink", [proof.id])
        found = self.execute(self.manager, model, "search", [("id", "=", proof.id)])
        self.assertEqual(found, [proof.id])
        self.assertRefused(self.internal, model, "search", [])
        self.assertRefused(self.portal, model, "search", [])

    def test_the_show_once_secret_dialog_reads_nothing(self):
        model = "oauth2.application.secret"
        for user in (self.portal, self.internal):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "get_views", [(False, "form")])
                self.assertRefused(user, model, "search_read", [])
                self.assertRefused(user, model, "read", [1], ["client_secret"])
        for user in (self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "create", [{"client_secret": "x"}])
                self.assertRefused(user, model, "write", [1], {"client_secret": "x"})

    def test_the_secret_dialog_shows_a_new_secret_once(self):
        """What the web client calls, as each role that may set the secret:
        the dialog opens with the new secret, which then cannot be read back."""
        model = "oauth2.application.secret"
        [own_id] = self.execute(
            self.manager,
            "oauth2.application",
            "create",
            [{"name": "The manager's own", "client_secret": MANAGER_SECRET}],
        )
        for user, app_id in (
            (self.manager, own_id),
            (self.administrator, self.admin_app.id),
        ):
            with self.subTest(user=user.login):
                action = self.execute(
                    user,
                    "oauth2.application",
                    "action_generate_client_secret",
                    [app_id],
                )
                self.assertEqual(action["res_model"], model)
                views = self.execute(user, model, "get_views", [(False, "form")])
                self.assertIn("CopyClipboardChar", views["views"]["form"]["arch"])
                dialog = self.execute(
                    user,
                    model,
                    "onchange",
                    [],
                    {},
                    [],
                    {"client_id": {}, "client_secret": {}},
                    context=action["context"],
                )["value"]
                secret = dialog["client_secret"]
                app = self.env["oauth2.application"].browse(app_id)
                self.assertTrue(app._check_client_secret(secret))
                # after the dialog, nobody reads it back
                self.assertEqual(self.execute(user, model, "search_read", []), [])
                self.assertEqual(
                    self.execute(user, model, "read", [1], ["client_secret"]), []
                )
                [row] = self.execute(
                    user, "oauth2.application", "read", [app_id], ["client_secret"]
                )
                self.assertFalse(row["client_secret"])
                note = app.message_ids[:1].body
                self.assertIn("regenerated", note)
                self.assertNotIn(secret, note)

    def test_the_secret_set_by_hand_from_its_dialog(self):
        hand_set = "a-secret-typed-into-the-set-by-hand-dialog"
        for user, app_id in (
            (self.administrator, self.admin_app.id),
            (self.manager, None),
        ):
            with self.subTest(user=user.login):
                if app_id is None:
                    [app_id] = self.execute(
                        user, "oauth2.application", "create", [{"name": "By hand"}]
                    )
                action = self.execute(
                    user, "oauth2.application", "action_set_client_secret", [app_id]
                )
                self.assertEqual(
                    (action["res_model"], action["res_id"], action["target"]),
                    ("oauth2.application", app_id, "new"),
                )
                self.execute(
                    user,
                    "oauth2.application",
                    "web_save",
                    [app_id],
                    {"client_secret": hand_set},
                    specification={"has_client_secret": {}},
                )
                app = self.env["oauth2.application"].browse(app_id)
                self.assertTrue(app._check_client_secret(hand_set))
                note = app.message_ids[:1].body
                self.assertIn("set by hand", note)
                self.assertNotIn(hand_set, note)
        # the dialog changes no secret the manager could not change otherwise
        self.assertRefused(
            self.manager,
            "oauth2.application",
            "web_save",
            [self.admin_app.id],
            {"client_secret": "the-manager-takes-over-the-admin-application"},
            specification={},
        )

    def test_manager_applications_act_only_as_the_manager(self):
        message = self.assertRefused(
            self.manager,
            "oauth2.application",
            "create",
            [{"name": "Escalate", "user_id": self.administrator.id}],
        ).faultString
        self.assertIn("Settings administrator", message)
        [own_id] = self.execute(
            self.manager,
            "oauth2.application",
            "create",
            [
                {
                    "name": "Mine",
                    "grant_client_credentials": True,
                    "user_id": self.manager.id,
                }
            ],
        )
        for values in (
            {"user_id": self.administrator.id},
            {"skip_consent": True},
        ):
            with self.subTest(values=values):
                self.assertRefused(
                    self.manager, "oauth2.application", "write", [own_id], values
                )
        # an application that acts as someone else is not the manager's to
        # change, nor to take over
        for values in (
            {"client_secret": MANAGER_SECRET},
            {"grant_client_credentials": True},
            {"scope_ids": [(4, self.rpc_scope.id)]},
            {"redirect_uris": "https://attacker.example/cb"},
            {"client_type": "public"},
            {"user_id": self.manager.id, "client_secret": MANAGER_SECRET},
        ):
            with self.subTest(values=values):
                self.assertRefused(
                    self.manager,
                    "oauth2.application",
                    "write",
                    [self.admin_app.id],
                    values,
                )
        self.assertRefused(
            self.manager,
            "oauth2.application",
            "action_generate_client_secret",
            [self.admin_app.id],
        )
        # what stays a manager's job
        self.execute(
            self.manager,
            "oauth2.application",
            "write",
            [own_id],
            {"redirect_uris": "https://client.example.com/cb"},
        )
        self.execute(
            self.manager, "oauth2.application", "action_revoke_tokens", [self.app.id]
        )

    def test_acts_as_is_the_managers_to_choose_and_warned_of(self):
        # a manager who may not read the administrator's groups is still
        # told that the application acts as an administrator
        [admin_app] = self.execute(
            self.manager,
            "oauth2.application",
            "read",
            [self.admin_app.id],
            ["acts_as_administrator"],
        )
        self.assertIs(admin_app["acts_as_administrator"], True)
        # an application that acts as no one carries no identity: the
        # manager's to create, and it stays no one's until chosen
        [own_id] = self.execute(
            self.manager, "oauth2.application", "create", [{"name": "No one"}]
        )
        [own] = self.execute(
            self.manager,
            "oauth2.application",
            "read",
            [own_id],
            ["user_id", "acts_as_administrator"],
        )
        self.assertEqual((own["user_id"], own["acts_as_administrator"]), (False, False))
        message = self.assertRefused(
            self.manager,
            "oauth2.application",
            "write",
            [own_id],
            {"grant_client_credentials": True},
        ).faultString
        self.assertIn("Acts As", message)
        self.assertRefused(
            self.manager,
            "oauth2.application",
            "write",
            [own_id],
            {"grant_client_credentials": True, "user_id": self.administrator.id},
        )
        self.execute(
            self.manager,
            "oauth2.application",
            "write",
            [own_id],
            {"grant_client_credentials": True, "user_id": self.manager.id},
        )

    def test_defaults_slip_no_other_identity_in(self):
        for context in (
            {"default_user_id": self.administrator.id},
            {"default_skip_consent": True},
        ):
            with self.subTest(context=context):
                self.assertRefused(
                    self.manager,
                    "oauth2.application",
                    "create",
                    [{"name": "Escalate", "grant_client_credentials": True}],
                    context=context,
                )
                self.assertRefused(
                    self.manager,
                    "oauth2.application",
                    "name_create",
                    "Escalate",
                    context=context,
                )
        self.execute(
            self.manager,
            "ir.default",
            "set",
            "oauth2.application",
            "user_id",
            self.administrator.id,
            user_id=True,
        )
        self.assertRefused(
            self.manager, "oauth2.application", "create", [{"name": "Escalate"}]
        )

    def test_application_other_users_approved_is_not_the_managers_to_change(self):
        [own_id] = self.execute(
            self.manager, "oauth2.application", "create", [{"name": "Mine"}]
        )
        own = self.env["oauth2.application"].browse(own_id)
        self.env["oauth2.consent"]._grant(self.internal, own, ["read"])
        message = self.assertRefused(
            self.manager,
            "oauth2.application",
            "write",
            [own_id],
            {"redirect_uris": "https://attacker.example/cb"},
        ).faultString
        self.assertIn("other users have approved it", message)

    def test_scopes_keep_their_meaning(self):
        scope_id = self.execute(
            self.manager, "oauth2.scope", "create", [{"name": "narrow"}]
        )[0]
        self.execute(
            self.manager,
            "oauth2.scope",
            "write",
            [scope_id],
            {"description": "A narrow scope"},
        )
        for user in (self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user,
                    "oauth2.scope",
                    "write",
                    [self.rpc_scope.id],
                    {"name": "rpc_old"},
                )
                self.assertRefused(user, "oauth2.scope", "unlink", [self.rpc_scope.id])
        self.assertRefused(
            self.manager, "oauth2.scope", "write", [scope_id], {"name": "rpc2"}
        )
        self.assertRefused(self.manager, "oauth2.scope", "unlink", [scope_id])
        # deleting an application's only scope would give it every scope
        self.admin_app.scope_ids = self.env["oauth2.scope"].browse(scope_id)
        message = self.assertRefused(
            self.administrator, "oauth2.scope", "unlink", [scope_id]
        ).faultString
        self.assertIn(self.admin_app.name, message)
        self.admin_app.scope_ids |= self.scope_read
        self.execute(self.administrator, "oauth2.scope", "unlink", [scope_id])
        self.assertEqual(self.admin_app.scope_ids, self.scope_read)

    def test_administrator_may_let_applications_act_as_anyone(self):
        [app_id] = self.execute(
            self.administrator,
            "oauth2.application",
            "create",
            [{"name": "Service", "user_id": self.internal.id, "skip_consent": True}],
        )
        self.execute(
            self.administrator,
            "oauth2.application",
            "write",
            [app_id],
            {"client_secret": MANAGER_SECRET, "grant_client_credentials": True},
        )

    def test_manager_token_never_carries_more_than_the_manager(self):
        """End to end: the escalation a red team found, closed."""
        self.execute(
            self.manager,
            "oauth2.application",
            "create",
            [
                {
                    "name": "Manager's script",
                    "client_id": "managers-script",
                    "client_secret": MANAGER_SECRET,
                    "grant_client_credentials": True,
                    "user_id": self.manager.id,
                    "scope_ids": [(6, 0, self.rpc_scope.ids)],
                }
            ],
        )
        response = self.url_open(
            TOKEN_PATH,
            data={"grant_type": "client_credentials", "scope": "rpc"},
            headers={"Authorization": basic_auth("managers-script", MANAGER_SECRET)},
        )
        token = response.json()["access_token"]
        uid = self.xmlrpc_common.authenticate(self.db, "role_manager", token, {})
        self.assertEqual(uid, self.manager.id)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.xmlrpc_object.execute_kw(
                self.db,
                uid,
                token,
                "ir.config_parameter",
                "get_param",
                ["database.secret"],
            )
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertFalse(
            self.xmlrpc_common.authenticate(self.db, "role_admin", token, {})
        )

    def signing_keys(self):
        return self.env["oauth2.signing.key"].search([("state", "=", "signing")])

    def test_who_reads_the_signing_keys(self):
        """The public halves are an OAuth2 manager's to see; the private ones
        a Settings administrator's alone."""
        key = self.signing_keys()[0]
        model = "oauth2.signing.key"
        public = ["kid", "algorithm", "state", "public_jwk", "retire_at"]
        for user in (self.portal, self.internal):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "read", [key.id], public)
        [read] = self.execute(self.manager, model, "read", [key.id], public)
        self.assertEqual(read["kid"], key.kid)
        self.assertEqual(read["public_jwk"], key.public_jwk)
        # reading every field leaves out the one the manager may not read
        [read] = self.execute(self.manager, model, "read", [key.id])
        self.assertNotIn("private_key", read)
        self.assertRefused(self.manager, model, "read", [key.id], ["private_key"])
        self.assertRefused(
            self.manager, model, "search_read", [], ["kid", "private_key"]
        )
        [read] = self.execute(
            self.administrator, model, "read", [key.id], ["private_key"]
        )
        self.assertEqual(read["private_key"], key.private_key)

    def test_only_an_administrator_rotates_the_keys(self):
        model = "oauth2.signing.key"
        before = self.signing_keys()
        for user in (self.portal, self.internal, self.manager):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "action_rotate", [])
        self.assertEqual(self.signing_keys(), before)
        self.execute(self.administrator, model, "action_rotate", [])
        rotated = self.signing_keys()
        self.assertFalse(rotated & before)
        # as the list's header button calls it, with the records selected
        self.authenticate(self.administrator.login, USER_PASSWORD)
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": "action_rotate",
                "args": [rotated[:1].ids],
                "kwargs": {},
            },
        )
        self.assertFalse(self.signing_keys() & rotated)

    def test_nobody_changes_or_deletes_a_key(self):
        """Keys change by rotation only: a key written by hand could sign
        without a private half, or never retire."""
        model = "oauth2.signing.key"
        key = self.signing_keys()[0]
        for user in (self.portal, self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(user, model, "write", [key.id], {"state": "retired"})
                self.assertRefused(
                    user, model, "create", [{"kid": "mine", "algorithm": "RS256"}]
                )
                self.assertRefused(user, model, "unlink", [key.id])
                self.assertRefused(user, model, "copy", [key.id])
        self.assertEqual(key.state, "signing")

    def test_nobody_exports_a_private_key(self):
        model = "oauth2.signing.key"
        key = self.signing_keys()[0]
        self.manager[USER_GROUPS_FIELD] |= self.env.ref("base.group_allow_export")
        for user in (self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user, model, "export_data", [key.id], ["kid", "private_key"]
                )
                exported = self.execute(user, model, "export_data", [key.id], ["kid"])
                self.assertEqual(exported["datas"], [[key.kid]])
        # what the export dialog offers
        fields = self.execute(self.administrator, model, "fields_get", [])
        self.assertNotIn("private_key", fields)

    def test_no_view_shows_a_private_key(self):
        views = self.execute(
            self.administrator,
            "oauth2.signing.key",
            "get_views",
            [[False, "list"], [False, "form"], [False, "search"]],
        )
        for view_type, view in views["views"].items():
            with self.subTest(view=view_type):
                self.assertNotIn("private_key", view["arch"])
        # nor can a custom filter or grouping of the web client name it
        self.assertNotIn("private_key", views["models"]["oauth2.signing.key"]["fields"])
