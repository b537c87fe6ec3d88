# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The applications' audit trail: their chatter says who created them, who
changed what their tokens may do, who replaced their secret and who revoked
whose tokens, and never shows a secret."""

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import html2plaintext

from ..models.oauth2_application_audit import OAuth2ApplicationAudit
from ..oauth.constants import CLIENT_SECRET
from ..provider.configuration import hash_secret
from .common import (
    REDIRECT_URI,
    RPC_FAULT_CODE_ACCESS_ERROR,
    USER_PASSWORD,
    VERIFIER,
    AuthorizationCase,
    ExternalApiAsUsersMixin,
    HttpCase,
    OAuth2TestMixin,
    s256,
)

MODEL = "oauth2.application"
HAND_SECRET = "a-client-secret-chosen-by-hand-0123456789"


class AuditTrailMixin:
    def flush_tracking(self):
        """What a commit does: the chatter's tracking is written just before."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def trail(self, app):
        return self.env["mail.message"].search(
            [("model", "=", MODEL), ("res_id", "=", app.id)], order="id"
        )

    def notes(self, app):
        """The plain text of the application's messages, oldest first."""
        return [html2plaintext(message.body) for message in self.trail(app)]

    def assertNoted(self, app, text, author):
        [note] = self.trail(app).filtered(
            lambda message: html2plaintext(message.body) == text
        )
        self.assertEqual(note.author_id, author.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        return note

    def assertHoldsNoSecret(self, *secrets):
        """Neither the secrets nor their hashes are in any message, tracking
        value or mail: every column of every row, cast to text."""
        values = [*secrets, *(hash_secret(self.env, CLIENT_SECRET, s) for s in secrets)]
        self.env.flush_all()
        for table in ("mail_message", "mail_tracking_value", "mail_mail"):
            for value in values:
                self.env.cr.execute(
                    f"SELECT count(*) FROM {table} AS row WHERE row::text LIKE %s",  # noqa: S608
                    [f"%{value}%"],
                )
                with self.subTest(table=table):
                    self.assertEqual(self.env.cr.fetchone()[0], 0)


class TestAuditTrail(AuditTrailMixin, OAuth2TestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.administrator = new_test_user(
            cls.env,
            login="audit_admin",
            name="Ada Admin",
            groups="base.group_user,base.group_system",
        )
        cls.manager = new_test_user(
            cls.env,
            login="audit_manager",
            name="Mona Manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        cls.other = new_test_user(cls.env, login="audit_other", name="Otto Other")

    def test_creation_is_logged_with_its_creator(self):
        app = self.env[MODEL].with_user(self.manager).create({"name": "Mine"})
        self.flush_tracking()
        [created] = self.trail(app)
        self.assertEqual(created.author_id, self.manager.partner_id)
        self.assertIn("created", created.preview)
        self.assertEqual(app.message_partner_ids, self.manager.partner_id)

    def test_acts_as_user_is_not_made_a_follower_nor_mailed(self):
        mails = self.env["mail.mail"].search([])
        app = self.env[MODEL].create({"name": "Service", "user_id": self.other.id})
        app.user_id = self.user
        self.flush_tracking()
        self.assertFalse(app.message_partner_ids & self.other.partner_id)
        self.assertFalse(app.message_partner_ids & self.user.partner_id)
        self.assertEqual(self.env["mail.mail"].search([]), mails)

    def test_every_change_of_what_tokens_may_do_is_tracked(self):
        """Each tracked field, changed by a Settings administrator, gives a
        tracking value with its old and new value, by that administrator."""
        app = self.app.with_user(self.administrator)
        changes = [
            ("name", "Renamed", "Integration", "Renamed"),
            ("client_id", "renamed-client", "integration", "renamed-client"),
            ("redirect_uris", REDIRECT_URI, False, REDIRECT_URI),
            (
                "post_logout_redirect_uris",
                "https://client.example.com/bye",
                False,
                "https://client.example.com/bye",
            ),
            (
                "allowed_origins",
                "https://app.example.com",
                False,
                "https://app.example.com",
            ),
            ("scope_ids", self.scope_read, "read, write", "read"),
            ("default_scope_ids", self.scope_read, "", "read"),
            ("grant_authorization_code", False, True, False),
            ("grant_implicit", True, False, True),
            ("grant_password", False, True, False),
            ("grant_client_credentials", False, True, False),
            ("issue_refresh_token", False, True, False),
            (
                "refresh_token_policy",
                "rotate",
                "Reusable until they expire",
                "Single use (rotated on every refresh)",
            ),
            ("user_id", self.other, "OAuth User", "Otto Other"),
            ("skip_consent", True, False, True),
            ("allow_pkce_plain", True, False, True),
            ("is_resource_server", True, False, True),
            ("access_token_format", "jwt", "Opaque", "JWT (RFC 9068)"),
            (
                "access_token_audiences",
                "https://api.example.com",
                False,
                "https://api.example.com",
            ),
            (
                "backchannel_logout_uri",
                "https://client.example.com/logout",
                False,
                "https://client.example.com/logout",
            ),
            ("backchannel_logout_session_required", True, False, True),
            ("subject_type", "pairwise", "Public", "Pairwise"),
            ("id_token_signed_response_alg", "ES256", "RS256", "ES256"),
            ("access_token_lifetime", 120, 0, 120),
            ("refresh_token_lifetime", 600, 0, 600),
            ("active", False, True, False),
        ]
        formats = dict(self.env[MODEL].fields_get(attributes=["type", "selection"]))
        for field_name, value, old, new in changes:
            with self.subTest(field=field_name):
                app.write({field_name: value})
                self.flush_tracking()
                message = self.trail(app)[-1]
                self.assertEqual(message.author_id, self.administrator.partner_id)
                [tracking] = message.sudo().tracking_value_ids
                self.assertEqual(tracking.field_id.name, field_name)
                field_type = formats[field_name]["type"]
                self.assertEqual(
                    tracking._format_display_value(field_type, new=False)[0], old
                )
                self.assertEqual(
                    tracking._format_display_value(field_type, new=True)[0], new
                )

    def test_client_type_change_tracks_the_policy_it_forces(self):
        self.app.client_type = "public"
        self.flush_tracking()
        tracked = self.trail(self.app)[-1].sudo().tracking_value_ids
        self.assertEqual(
            set(tracked.field_id.mapped("name")),
            {"client_type", "refresh_token_policy", "token_endpoint_auth_method"},
        )

    def test_the_secret_is_never_tracked(self):
        tracked = self.env[MODEL]._track_get_fields()
        self.assertIn("redirect_uris", tracked)
        self.assertFalse(
            tracked & {"client_secret", "client_secret_hash", "client_secret_is_strong"}
        )

    def test_secret_changes_are_noted_without_the_secret(self):
        app = self.env[MODEL].with_user(self.manager).create({"name": "Mine"})
        # the generated secret the form shows once
        first = app.web_read({"client_secret": {}})[0]["client_secret"]
        action = app.action_generate_client_secret()
        generated = action["context"]["default_client_secret"]
        app.client_secret = HAND_SECRET
        app.client_secret = False
        self.flush_tracking()
        self.assertNoted(
            app, "Client secret regenerated by Mona Manager.", self.manager
        )
        self.assertNoted(
            app, "Client secret set by hand by Mona Manager.", self.manager
        )
        self.assertNoted(app, "Client secret removed by Mona Manager.", self.manager)
        # creating it is the creation message: no secret note
        self.assertEqual(len(self.trail(app)), 4)
        self.assertHoldsNoSecret(first, generated, HAND_SECRET, self.secret)

    def test_a_secret_sent_over_the_api_is_never_called_generated(self):
        self.app.write({"client_secret": HAND_SECRET})
        self.flush_tracking()
        self.assertEqual(
            self.notes(self.app)[-1], "Client secret set by hand by OdooBot."
        )

    def token(self, user, application=None, family=None):
        record, _access, _refresh = self.issue_token(application=application, user=user)
        if family:
            record.sudo().family = family.family
        return record

    def test_revoke_in_the_token_list_says_who_revoked_how_many_of_whose(self):
        first = self.token(self.user)
        self.token(self.user, family=first)
        untouched = self.token(self.other)
        other_app = self.token(self.user, application=self.other_app)
        (first | other_app).with_user(self.manager).action_revoke()
        self.assertNoted(
            self.app, "Mona Manager revoked 2 tokens of OAuth User.", self.manager
        )
        self.assertNoted(
            self.other_app, "Mona Manager revoked 1 token of OAuth User.", self.manager
        )
        self.assertFalse(untouched.revoked)
        # revoked again, nothing ends: nothing is noted
        count = len(self.trail(self.app))
        first.with_user(self.manager).action_revoke()
        self.assertEqual(len(self.trail(self.app)), count)

    def test_revoke_all_tokens_names_every_owner(self):
        for user in (self.user, self.user, self.other):
            self.token(user)
        self.token(self.user).sudo().revoked = True
        self.app.with_user(self.manager).action_revoke_tokens()
        self.assertNoted(
            self.app,
            "Mona Manager revoked every token of this application: 3 tokens of "
            "OAuth User (2), Otto Other (1).",
            self.manager,
        )
        self.app.with_user(self.manager).action_revoke_tokens()
        self.assertNoted(
            self.app,
            "Mona Manager revoked every token of this application: none was left "
            "to revoke.",
            self.manager,
        )

    def test_many_owners_are_counted_beyond_ten(self):
        users = [
            new_test_user(self.env, login=f"owner{index:02}", name=f"Owner {index:02}")
            for index in range(12)
        ]
        for user in users:
            self.token(user)
        self.app.action_revoke_tokens()
        note = self.notes(self.app)[-1]
        self.assertIn("12 tokens of Owner 00 (1), ", note)
        self.assertIn("Owner 09 (1), 2 other users.", note)
        self.assertNotIn("Owner 10", note)

    def test_user_revoking_their_consent_posts_as_themselves(self):
        """A user who may not even read the application leaves a note on it."""
        consent = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        self.token(self.user)
        self.token(self.user)
        with self.assertRaises(AccessError):
            self.app.with_user(self.user).check_access("read")
        consent.with_user(self.user).action_revoke()
        self.assertNoted(
            self.app,
            "OAuth User revoked the consent of OAuth User, and with it 2 tokens.",
            self.user,
        )

    def test_manager_revoking_a_consent_names_its_user(self):
        consent = self.env["oauth2.consent"]._grant(self.other, self.app, ["read"])
        self.token(self.other)
        consent.with_user(self.manager).action_revoke()
        self.assertNoted(
            self.app,
            "Mona Manager revoked the consent of Otto Other, and with it 1 token.",
            self.manager,
        )

    def test_revocations_by_the_protocol_note_nothing(self):
        """Password changes, replayed codes and refresh tokens, and the
        revocation endpoint (whose validator method is called here) end
        tokens without a word in the chatter."""
        self.flush_tracking()
        before = len(self.trail(self.app))
        with patch.object(
            OAuth2ApplicationAudit,
            "_log_token_revocation",
            side_effect=AssertionError("noted"),
        ):
            first = self.token(self.user)
            self.token(self.user, family=first)._revoke_family()
            self.token(self.user).sudo().origin_grant_type = "password"
            self.user.password = "a new password for the audit trail"
            self.assertEqual(
                self.env["oauth2.token"].search_count(
                    [("user_id", "=", self.user.id), ("revoked", "=", False)]
                ),
                0,
            )
        self.flush_tracking()
        self.assertEqual(len(self.trail(self.app)), before)


@tagged("post_install", "-at_install")
class TestAuditTrailOverHttp(AuditTrailMixin, AuthorizationCase):
    """The protocol's revocations, through the endpoints: nothing noted."""

    def test_protocol_revocations_post_nothing(self):
        self.app.refresh_token_policy = "rotate"
        self.flush_tracking()
        before = self.trail(self.app)
        with patch.object(
            OAuth2ApplicationAudit,
            "_log_token_revocation",
            side_effect=AssertionError("noted"),
        ):
            # RFC 7009, by the client itself
            _record, access_token, _refresh = self.issue_token()
            response = self.http_request(
                "POST",
                "/orestapi/oauth2/revoke",
                data={"token": access_token},
                auth=("integration", self.secret),
            )
            self.assertEqual(response.status_code, 200, response.text)
            # a single-use refresh token presented again
            _record, _access, refresh_token = self.issue_token()
            data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
            auth = ("integration", self.secret)
            self.assertTokenAnswer(self.token_request(data, auth=auth))
            self.assertOAuthError(self.token_request(data, auth=auth), "invalid_grant")
            # an authorization code exchanged twice
            code = self.get_code(
                code_challenge=s256(VERIFIER), code_challenge_method="S256"
            )
            self.assertTokenAnswer(self.exchange(code, code_verifier=VERIFIER))
            self.assertOAuthError(
                self.exchange(code, code_verifier=VERIFIER), "invalid_grant"
            )
        self.assertEqual(self.trail(self.app), before)
        self.assertFalse(
            self.env["oauth2.token"].search_count(
                [("application_id", "=", self.app.id), ("revoked", "=", False)]
            )
        )


@tagged("post_install", "-at_install")
class TestAuditTrailRoles(
    ExternalApiAsUsersMixin, AuditTrailMixin, OAuth2TestMixin, HttpCase
):
    """What each role may do with the chatter, over Odoo's external API and
    the web client's own calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, name, groups):
            return new_test_user(
                cls.env, login=login, password=USER_PASSWORD, name=name, groups=groups
            )

        cls.internal = user("trail_internal", "Ivy Internal", "base.group_user")
        cls.reader = user(
            "trail_reader",
            "Rita Reader",
            "base.group_user,orestapi_oauth2.group_oauth2_user",
        )
        cls.manager = user(
            "trail_manager",
            "Mona Manager",
            "base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        cls.administrator = user(
            "trail_admin", "Ada Admin", "base.group_user,base.group_system"
        )
        cls.admin_app = cls.env[MODEL].create(
            {
                "name": "Acts as the administrator",
                "client_id": "trail-acts-as-admin",
                "grant_client_credentials": True,
                "user_id": cls.administrator.id,
            }
        )

    def test_changes_over_the_api_are_tracked_as_their_author(self):
        self.execute(
            self.administrator,
            MODEL,
            "write",
            [self.admin_app.id],
            {"redirect_uris": REDIRECT_URI, "client_secret": HAND_SECRET},
        )
        [secret_note, change] = self.trail(self.admin_app)[-2:]
        self.assertEqual(change.author_id, self.administrator.partner_id)
        self.assertEqual(
            change.sudo().tracking_value_ids.field_id.mapped("name"), ["redirect_uris"]
        )
        self.assertEqual(secret_note.preview, "Client secret set by hand by Ada Admin.")
        self.assertHoldsNoSecret(HAND_SECRET)

    def test_readers_read_the_trail_and_post_nothing(self):
        self.app.redirect_uris = REDIRECT_URI
        self.flush_tracking()
        self.authenticate(self.reader.login, USER_PASSWORD)
        shown = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": MODEL, "thread_id": self.app.id}
        )
        self.assertEqual(set(shown["messages"]), set(self.trail(self.app).ids))
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": MODEL,
                    "thread_id": self.app.id,
                    "post_data": {
                        "body": "I changed nothing",
                        "message_type": "comment",
                    },
                },
            )
        for user in (self.internal, self.reader):
            with self.subTest(user=user.login):
                refused = self.assertRefused(
                    user, MODEL, "message_post", [self.app.id], body="Hello"
                )
                self.assertEqual(refused.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
                self.assertRefused(
                    user,
                    MODEL,
                    "message_subscribe",
                    [self.app.id],
                    partner_ids=self.manager.partner_id.ids,
                )
                self.assertRefused(
                    user,
                    MODEL,
                    "message_update",
                    [self.app.id],
                    {},
                    {"redirect_uris": "https://attacker.example/cb"},
                )
        self.assertEqual(self.app.redirect_uris, REDIRECT_URI)
        self.assertEqual(
            self.trail(self.app).author_id & self.reader.partner_id,
            self.env["res.partner"],
        )

    def test_mail_gateway_creates_and_changes_no_application(self):
        """Incoming mail reaches no application: the gateway creates and
        updates records as the superuser, past the rule that only a Settings
        administrator lets an application act as someone else."""
        email = (
            "From: Mona Manager <trail_manager@example.com>\r\n"
            "To: nobody@example.com\r\n"
            "Subject: Escalate\r\n"
            "Message-Id: <{id}@example.com>\r\n"
            "\r\n"
            "Hello\r\n"
        )
        values = {
            "name": "Escalate",
            "client_id": "escalate",
            "client_secret": HAND_SECRET,
            "grant_client_credentials": True,
            "user_id": self.administrator.id,
        }
        for user in (self.internal, self.manager, self.administrator):
            with self.subTest(user=user.login):
                self.assertRefused(
                    user,
                    "mail.thread",
                    "message_process",
                    MODEL,
                    email.format(id=f"new-{user.login}"),
                    values,
                )
                self.assertRefused(
                    user,
                    "mail.thread",
                    "message_process",
                    MODEL,
                    email.format(id=f"reply-{user.login}"),
                    thread_id=self.admin_app.id,
                )
                self.assertRefused(user, MODEL, "message_new", {"subject": "x"}, values)
        self.assertFalse(self.env[MODEL].search([("client_id", "=", "escalate")]))
        self.assertFalse(
            self.trail(self.admin_app).filtered(lambda message: "Hello" in message.body)
        )

    def test_manager_cannot_change_through_mail_what_they_may_not_write(self):
        self.assertRefused(
            self.manager,
            MODEL,
            "message_update",
            [self.admin_app.id],
            {},
            {"redirect_uris": "https://attacker.example/cb"},
        )
        self.assertFalse(self.admin_app.redirect_uris)

    def test_the_trail_stays_as_written(self):
        """Only a Settings administrator changes or deletes its messages; no
        one posts in another's name."""
        [own_id] = self.execute(self.manager, MODEL, "create", [{"name": "Mine"}])
        own = self.env[MODEL].browse(own_id)
        self.execute(
            self.manager, MODEL, "write", [own_id], {"redirect_uris": REDIRECT_URI}
        )
        self.execute(self.manager, MODEL, "action_revoke_tokens", [own_id])
        self.admin_app.redirect_uris = REDIRECT_URI
        self.flush_tracking()
        for app in (own, self.admin_app):
            for message in self.trail(app):
                with self.subTest(app=app.name, message=message.id):
                    refused = self.assertRefused(
                        self.manager, "mail.message", "unlink", [message.id]
                    )
                    self.assertEqual(refused.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
                    self.assertRefused(
                        self.manager,
                        "mail.message",
                        "write",
                        [message.id],
                        {"body": "Nothing happened"},
                    )
        self.assertEqual(len(self.trail(own)), 3)
        for values in (
            {"author_id": self.administrator.partner_id.id},
            {"email_from": "trail_admin@example.com"},
        ):
            with self.subTest(values=values):
                self.assertRefused(
                    self.manager,
                    MODEL,
                    "message_post",
                    [self.admin_app.id],
                    body="Ada Admin regenerated the secret.",
                    **values,
                )
        # a manager's own message, in their own name
        message_id = self.execute(
            self.manager,
            MODEL,
            "message_post",
            [own_id],
            body="Rotated on the client's side too.",
            author_id=self.manager.partner_id.id,
        )
        self.assertEqual(
            self.env["mail.message"].browse(message_id).author_id,
            self.manager.partner_id,
        )
        # the administrator keeps Odoo's rights on messages
        self.execute(
            self.administrator, "mail.message", "unlink", [self.trail(own)[0].id]
        )
        self.assertEqual(len(self.trail(own)), 3)
