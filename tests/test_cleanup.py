# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The scheduled cleanup of expired tokens, codes and failures."""

import time
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase
from odoo.tools import SQL

from ..models.oauth2_token import CLEANUP_BATCH_SIZE
from .common import OAuth2TestMixin, run_scheduled_job

DAY = timedelta(days=1)


class TestTokenCleanup(OAuth2TestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("orestapi_oauth2.ir_cron_oauth2_delete_expired")
        cls.now = fields.Datetime.now()

    def token(self, expires_at, refresh_expires_at=None, revoked_at=None):
        record, _access, _refresh = self.issue_token(refresh=bool(refresh_expires_at))
        record.write(
            {
                "expires_at": expires_at,
                "refresh_expires_at": refresh_expires_at,
                "revoked": bool(revoked_at),
                "revoked_at": revoked_at,
            }
        )
        return record

    def code(self, expires_at, used=False):
        return self.env["oauth2.authorization.code"].create(
            {
                "code_hash": f"hash-{expires_at}-{used}",
                "application_id": self.app.id,
                "user_id": self.user.id,
                "expires_at": expires_at,
                "used": used,
            }
        )

    def run_cron(self):
        """One run of the scheduled action; its progress record."""
        # an action showing the error when the job failed
        self.assertIs(run_scheduled_job(self, self.cron), True)
        return self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )

    def test_deletes_what_stopped_working_before_the_grace_period(self):
        long_ago = self.now - 8 * DAY
        recently = self.now - 6 * DAY
        gone = (
            self.token(long_ago)
            | self.token(long_ago, refresh_expires_at=long_ago)
            | self.token(self.now + DAY, revoked_at=long_ago)
        )
        kept = (
            self.token(self.now + DAY)
            | self.token(long_ago, refresh_expires_at=self.now + DAY)
            | self.token(recently)
            | self.token(self.now + DAY, revoked_at=recently)
        )
        gone_codes = self.code(long_ago) | self.code(long_ago, used=True)
        kept_codes = self.code(recently, used=True) | self.code(self.now)

        progress = self.run_cron()

        self.assertEqual((progress.done, progress.remaining), (5, 0))
        self.assertFalse(gone.exists())
        self.assertFalse(gone_codes.exists())
        self.assertEqual(kept.exists(), kept)
        self.assertEqual(kept_codes.exists(), kept_codes)

    def test_deletes_failed_client_authentications_older_than_a_day(self):
        failures = self.env["oauth2.client.auth.failure"]
        old = failures.create(
            {"remote_addr": "198.51.100.1", "failed_at": self.now - 2 * DAY}
        )
        recent = failures.create(
            {"remote_addr": "198.51.100.1", "failed_at": self.now - DAY / 2}
        )
        self.run_cron()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_deletes_used_jtis_once_their_jwts_expired(self):
        """A JWT ID is kept only while its JWT could be presented: after
        that, its expiry refuses the JWT anyway."""
        used = self.env["oauth2.jti"]
        now = time.time()
        used._use_once("client_assertion", "integration", "expired", now - 60)
        used._use_once("client_assertion", "integration", "live", now + 3600)
        self.run_cron()
        self.assertEqual(used.search_count([]), 1)
        self.assertTrue(
            used._use_once("client_assertion", "integration", "expired", now + 60),
            "its JWT ID is free again",
        )
        self.assertFalse(
            used._use_once("client_assertion", "integration", "live", now + 60)
        )

    def test_grace_period_is_a_setting(self):
        record = self.token(self.now - 2 * DAY)
        self.run_cron()
        self.assertTrue(record.exists())
        self.set_param("cleanup_grace_days", 1)
        self.run_cron()
        self.assertFalse(record.exists())

    def test_large_tables_are_deleted_batch_by_batch(self):
        """Generated rows, one batch and a half: the first run reports that work
        remains, so the scheduler runs the job again at once."""
        self.env.flush_all()
        count = CLEANUP_BATCH_SIZE + CLEANUP_BATCH_SIZE // 2
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO oauth2_token (application_id, user_id, scope, grant_type,
                    access_token_hash, expires_at, revoked)
                SELECT %s, %s, 'read', 'password', 'generated-' || n,
                    %s, false
                FROM generate_series(1, %s) AS n
                """,
                self.app.id,
                self.user.id,
                self.now - 30 * DAY,
                count,
            )
        )
        live = self.token(self.now + DAY)
        progress = self.env["ir.cron.progress"]
        before = progress.search([], order="id desc", limit=1).id or 0

        # 18.0's scheduler calls the job again when it reports work left,
        # 19.0's loops over it within one trigger: either way, two runs
        while self.run_cron().remaining:
            pass
        runs = progress.search(
            [("cron_id", "=", self.cron.id), ("id", ">", before)], order="id"
        )
        first, second = runs
        self.assertEqual(first.done, CLEANUP_BATCH_SIZE)
        self.assertGreater(first.remaining, 0)
        self.assertEqual(
            (second.done, second.remaining), (count - CLEANUP_BATCH_SIZE, 0)
        )
        self.assertEqual(
            self.env["oauth2.token"].search([("application_id", "=", self.app.id)]),
            live,
        )
