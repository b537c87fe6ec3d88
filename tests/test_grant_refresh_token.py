# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The refresh token grant at the token endpoint: the two refresh token
policies, reusable and rotate, and the scope, binding, revocation and expiry
rules both keep."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase

from ..models.oauth2_application import REUSABLE, ROTATE
from .common import USER_PASSWORD, OAuth2TestMixin, TokenEndpointCase, load_migration


class RefreshCase(TokenEndpointCase):
    """A password grant's pair for the test user, issued under ``policy``."""

    policy = REUSABLE

    def setUp(self):
        super().setUp()
        self.app.refresh_token_policy = self.policy
        self.first = self.assertTokenAnswer(self.password_grant())
        self.first_record = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id)]
        )

    def refresh(self, refresh_token, auth=None, **extra):
        return self.token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
            auth=auth or ("integration", self.secret),
        )

    def tokeninfo(self, access_token):
        return self.http_request(
            "GET", "/orestapi/oauth2/tokeninfo", params={"access_token": access_token}
        )

    def introspect(self, token):
        response = self.http_request(
            "POST",
            "/orestapi/oauth2/introspect",
            data={"token": token},
            auth=("integration", self.secret),
        )
        return self.assertTokenAnswer(response)

    def assertWorks(self, *pairs):
        """Both tokens of each token answer in ``pairs`` are usable."""
        for pair in pairs:
            self.assertTokenAnswer(self.tokeninfo(pair["access_token"]))
            self.assertTrue(self.introspect(pair["refresh_token"])["active"])

    def assertDead(self, *pairs):
        """Neither token of any token answer in ``pairs`` is usable. The
        refreshes come last: a revoked refresh token presented revokes its
        grant, which would hide a pair left live."""
        for pair in pairs:
            self.assertOAuthError(self.tokeninfo(pair["access_token"]), "invalid_token")
            self.assertEqual(self.introspect(pair["refresh_token"]), {"active": False})
        for pair in pairs:
            self.assertOAuthError(self.refresh(pair["refresh_token"]), "invalid_grant")


class TestRefreshGrant(RefreshCase):
    """The rules of a refresh under either policy: these run with reusable
    refresh tokens here, and with single-use ones in TestRefreshGrantRotating."""

    policy = REUSABLE

    def test_refresh_answers_a_new_pair_with_a_fresh_lifetime(self):
        later = fields.Datetime.now() + timedelta(seconds=3000)
        with freeze_time(later):
            body = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertNotEqual(body["refresh_token"], self.first["refresh_token"])
        self.assertNotEqual(body["access_token"], self.first["access_token"])
        self.assertEqual(body["scope"], "read write")
        new = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id), ("grant_type", "=", "refresh_token")]
        )
        self.assertEqual(new.family, self.first_record.family)
        self.assertEqual(new.refresh_expires_at, later + timedelta(seconds=3600))

    def test_scope_may_narrow_not_widen(self):
        body = self.assertTokenAnswer(
            self.refresh(self.first["refresh_token"], scope="read")
        )
        self.assertEqual(body["scope"], "read")
        self.assertOAuthError(
            self.refresh(body["refresh_token"], scope="read admin"), "invalid_scope"
        )
        # the narrowed access token's refresh token may ask for the grant again
        again = self.assertTokenAnswer(self.refresh(body["refresh_token"]))
        self.assertEqual(again["scope"], "read write")

    def test_refresh_token_bound_to_its_client(self):
        response = self.refresh(
            self.first["refresh_token"], auth=("other", self.other_secret)
        )
        self.assertOAuthError(response, "invalid_grant")
        self.assertEqual(self.first_record.state, "active")

    def test_expired_or_revoked_refresh_token(self):
        later = fields.Datetime.now() + timedelta(seconds=3601)
        with freeze_time(later):
            self.assertOAuthError(
                self.refresh(self.first["refresh_token"]), "invalid_grant"
            )
        self.first_record.action_revoke()
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )

    def test_revoking_the_newest_pair_ends_the_grant(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        response = self.http_request(
            "POST",
            "/orestapi/oauth2/revoke",
            data={"token": second["refresh_token"]},
            auth=("integration", self.secret),
        )
        self.assertEqual(self.assertTokenAnswer(response), {})
        self.assertDead(self.first, second)

    def test_password_change_or_archiving_stops_refreshes(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.user.active = False
        self.assertOAuthError(self.refresh(second["refresh_token"]), "invalid_grant")
        self.user.active = True
        self.app.active = False
        self.assertOAuthError(
            self.refresh(second["refresh_token"]), "invalid_client", status=401
        )
        self.app.active = True
        self.user.with_user(self.user).change_password(USER_PASSWORD, "a new one!")
        self.assertDead(self.first, second)

    def test_archived_user_is_told_not_a_bare_invalid_grant(self):
        self.user.active = False
        body = self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )
        self.assertIn("archived", body["error_description"])
        self.assertFalse(
            self.env["oauth2.token"].search_count(
                [("user_id", "=", self.user.id), ("id", "!=", self.first_record.id)]
            ),
            "no new token for an archived user",
        )
        # another client presenting it learns nothing of its user
        body = self.assertOAuthError(
            self.refresh(
                self.first["refresh_token"], auth=("other", self.other_secret)
            ),
            "invalid_grant",
        )
        self.assertNotIn("archived", body["error_description"])
        # restored, the user's refresh token works again: it was not revoked
        self.user.active = True
        self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))

    def test_refresh_after_application_stops_issuing_them(self):
        self.app.issue_refresh_token = False
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "unauthorized_client"
        )

    def test_access_token_is_not_a_refresh_token(self):
        self.assertOAuthError(self.refresh(self.first["access_token"]), "invalid_grant")


class TestRefreshGrantRotating(TestRefreshGrant):
    policy = ROTATE


class TestOnlyWithOfflineAccess(TokenEndpointCase):
    """An application that issues refresh tokens only to grants holding
    offline_access (OpenID Connect Core §11), here through the password
    grant, where the client asks for the scope itself."""

    def setUp(self):
        super().setUp()
        self.app.scope_ids |= self.env.ref(
            "orestapi_oauth2.oauth2_scope_offline_access"
        )
        self.app.refresh_token_offline_access_only = True

    def refresh(self, refresh_token):
        return self.token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=("integration", self.secret),
        )

    def test_refresh_token_only_for_offline_access(self):
        self.assertNotIn("refresh_token", self.assertTokenAnswer(self.password_grant()))
        pair = self.assertTokenAnswer(self.password_grant(scope="read offline_access"))
        # a refresh that narrows the access token keeps the grant's scope
        narrowed = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": pair["refresh_token"],
                    "scope": "read",
                },
                auth=("integration", self.secret),
            )
        )
        self.assertEqual(narrowed["scope"], "read")
        self.assertIn("refresh_token", narrowed)
        self.assertIn(
            "refresh_token",
            self.assertTokenAnswer(self.refresh(narrowed["refresh_token"])),
        )

    def test_unticked_every_grant_gets_one_as_before(self):
        self.app.refresh_token_offline_access_only = False
        self.assertIn("refresh_token", self.assertTokenAnswer(self.password_grant()))


class TestReusableRefreshToken(RefreshCase):
    """RFC 6749 §6 and the orestapi contract: a refresh token works until it
    expires, and every refresh still hands out a new one."""

    policy = REUSABLE

    def test_retry_with_the_same_refresh_token_works(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        # the answer was lost: the client presents the same refresh token again
        retried = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertNotEqual(retried["refresh_token"], second["refresh_token"])
        self.assertNotEqual(retried["access_token"], second["access_token"])
        self.assertWorks(self.first, second, retried)
        self.assertEqual(self.first_record.state, "active")
        family = [("family", "=", self.first_record.family)]
        self.assertEqual(self.env["oauth2.token"].search_count(family), 3)

    def test_each_refresh_token_keeps_its_own_expiry_and_scope(self):
        later = fields.Datetime.now() + timedelta(seconds=3000)
        with freeze_time(later):
            narrowed = self.assertTokenAnswer(
                self.refresh(self.first["refresh_token"], scope="read")
            )
        self.assertEqual(narrowed["scope"], "read")
        # the refresh token presented keeps its scope
        body = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertEqual(body["scope"], "read write")
        self.assertEqual(self.first_record.scope, "read write")
        expiry = self.first_record.refresh_expires_at
        with freeze_time(expiry + timedelta(seconds=1)):
            self.assertOAuthError(
                self.refresh(self.first["refresh_token"]), "invalid_grant"
            )
            # the one issued later lives on
            self.assertTokenAnswer(self.refresh(narrowed["refresh_token"]))

    def test_revoking_an_earlier_pair_ends_the_later_ones(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        unrelated = self.assertTokenAnswer(self.password_grant())
        admin = self.env.ref("base.user_admin")
        self.first_record.with_user(admin).action_revoke()
        self.assertDead(self.first, second)
        self.assertWorks(unrelated)

    def test_switched_to_rotate_the_next_refresh_rotates(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.app.refresh_token_policy = ROTATE
        third = self.assertTokenAnswer(self.refresh(second["refresh_token"]))
        self.assertOAuthError(self.refresh(second["refresh_token"]), "invalid_grant")
        # that reuse of a rotated refresh token ended the grant
        self.assertDead(self.first, third)


class TestRotatedRefreshToken(RefreshCase):
    """RFC 9700 §4.14.2: a refresh token works once."""

    policy = ROTATE

    def test_refresh_revokes_the_pair_it_presents(self):
        second = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertEqual(self.first_record.state, "revoked")
        self.assertOAuthError(
            self.tokeninfo(self.first["access_token"]), "invalid_token"
        )
        self.assertWorks(second)
        # presented again, it revokes the grant
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )
        self.assertDead(second)

    def test_public_client_refresh_tokens_are_single_use(self):
        record, _access, refresh_token = self.issue_token(application=self.public_app)
        self.assertEqual(self.public_app.refresh_token_policy, ROTATE)
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": "browser-app",
        }
        second = self.assertTokenAnswer(self.token_request(data))
        self.assertEqual(record.state, "revoked")
        self.assertOAuthError(self.token_request(data), "invalid_grant")
        self.assertOAuthError(self.tokeninfo(second["access_token"]), "invalid_token")


class TestRefreshTokenPolicy(OAuth2TestMixin, TransactionCase):
    def test_default_follows_the_client_type(self):
        applications = self.env["oauth2.application"]
        confidential = applications.create({"name": "Server"})
        public = applications.create({"name": "SPA", "client_type": "public"})
        self.assertEqual(confidential.refresh_token_policy, REUSABLE)
        self.assertEqual(public.refresh_token_policy, ROTATE)
        chosen = applications.create({"name": "Strict", "refresh_token_policy": ROTATE})
        self.assertEqual(chosen.refresh_token_policy, ROTATE)
        # a client turned public rotates; turned confidential again, it is not
        # loosened behind the administrator's back
        confidential.client_type = "public"
        self.assertEqual(confidential.refresh_token_policy, ROTATE)
        confidential.client_type = "confidential"
        self.assertEqual(confidential.refresh_token_policy, ROTATE)

    def test_public_client_cannot_reuse_refresh_tokens(self):
        with self.assertRaisesRegex(ValidationError, "public client"):
            self.public_app.refresh_token_policy = REUSABLE
        with self.assertRaisesRegex(ValidationError, "public client"):
            self.env["oauth2.application"].create(
                {
                    "name": "SPA",
                    "client_type": "public",
                    "refresh_token_policy": REUSABLE,
                }
            )

    def test_form_locks_the_policy_of_public_clients(self):
        form = Form(self.env["oauth2.application"])
        form.name = "SPA"
        self.assertEqual(form.refresh_token_policy, REUSABLE)
        form.client_type = "public"
        self.assertEqual(form.refresh_token_policy, ROTATE)
        with self.assertRaisesRegex(AssertionError, "readonly"):
            form.refresh_token_policy = REUSABLE

    def test_upgrade_keeps_existing_applications_single_use(self):
        self.env.flush_all()
        self.env.cr.execute(
            "ALTER TABLE oauth2_application DROP COLUMN refresh_token_policy"
        )
        migrate = load_migration("1.2.0", "pre")
        migrate(self.env.cr, "1.1.0")
        self.env.cr.execute(
            "SELECT DISTINCT refresh_token_policy FROM oauth2_application"
        )
        self.assertEqual(self.env.cr.fetchall(), [(ROTATE,)])
        # run again, it leaves a policy chosen since alone
        self.env.cr.execute(
            "UPDATE oauth2_application SET refresh_token_policy = 'reusable' "
            "WHERE id = %s",
            [self.app.id],
        )
        migrate(self.env.cr, "1.1.0")
        self.env.invalidate_all()
        self.assertEqual(self.app.refresh_token_policy, REUSABLE)
