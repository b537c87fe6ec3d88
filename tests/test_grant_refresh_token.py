# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The refresh token grant at the token endpoint: rotation, scope and binding."""

import importlib.util
from datetime import timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase

from ..models.oauth2_application import REUSABLE, ROTATE
from .common import OAuth2TestMixin, TokenEndpointCase

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "18.0.1.2.0"
    / "pre-migration.py"
)


class TestRefreshGrant(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        self.first = self.assertTokenAnswer(self.password_grant())
        self.first_record = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id)]
        )

    def refresh(self, refresh_token, auth=None, **extra):
        return self.token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
            auth=auth or ("integration", self.secret),
        )

    def test_refresh_rotates_and_prolongs(self):
        later = fields.Datetime.now() + timedelta(seconds=3000)
        with freeze_time(later):
            body = self.assertTokenAnswer(self.refresh(self.first["refresh_token"]))
        self.assertNotEqual(body["refresh_token"], self.first["refresh_token"])
        self.assertNotEqual(body["access_token"], self.first["access_token"])
        self.assertEqual(body["scope"], "read write")
        self.assertEqual(self.first_record.state, "revoked")
        new = self.env["oauth2.token"].search(
            [("user_id", "=", self.user.id), ("revoked", "=", False)]
        )
        self.assertEqual(new.grant_type, "refresh_token")
        self.assertEqual(new.refresh_expires_at, later + timedelta(seconds=3600))
        # the rotated refresh token is dead
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "invalid_grant"
        )

    def test_scope_may_narrow_not_widen(self):
        body = self.assertTokenAnswer(
            self.refresh(self.first["refresh_token"], scope="read")
        )
        self.assertEqual(body["scope"], "read")
        self.assertOAuthError(
            self.refresh(body["refresh_token"], scope="read admin"), "invalid_scope"
        )

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

    def test_refresh_after_application_stops_issuing_them(self):
        self.app.issue_refresh_token = False
        self.assertOAuthError(
            self.refresh(self.first["refresh_token"]), "unauthorized_client"
        )

    def test_access_token_is_not_a_refresh_token(self):
        self.assertOAuthError(self.refresh(self.first["access_token"]), "invalid_grant")


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
        spec = importlib.util.spec_from_file_location("migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.1.0")
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
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(self.app.refresh_token_policy, REUSABLE)
