# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import backchannel_logout

_logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
# Deliveries per run of the job: each may wait on a relying party for the
# delivery timeout, and a run must end well within Odoo's time limit for
# jobs (limit_time_real, 120 s by default); the scheduler runs the job again
# at once while some are due.
DELIVERY_BATCH_SIZE = 5
# How long delivered and failed notifications stay for the administrator to
# see, before the cleanup job deletes them.
KEEP_NOTIFICATIONS = timedelta(days=30)


class OAuth2LogoutNotification(models.Model):
    """A logout token to post to an application's back-channel logout URI
    (OpenID Connect Back-Channel Logout 1.0): queued as the session ends,
    posted by a scheduled job once the transaction that ended it has
    committed, and posted again, a bounded number of times, while the
    application cannot take it. A user's logout never waits on an
    application."""

    _name = "oauth2.logout.notification"
    _description = "OAuth2 Back-channel Logout Notification"
    _order = "id desc"
    _rec_name = "application_id"

    application_id = fields.Many2one(
        "oauth2.application",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", readonly=True
    )
    sid = fields.Char(string="Session", required=True, readonly=True)
    state = fields.Selection(
        [(PENDING, "Pending"), (DELIVERED, "Delivered"), (FAILED, "Failed")],
        required=True,
        default=PENDING,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(
        string="Next Attempt",
        readonly=True,
        default=fields.Datetime.now,
        help="When a pending notification is posted next.",
    )
    last_error = fields.Char(
        readonly=True, help="Why the last attempt failed, as the application answered."
    )
    delivered_at = fields.Datetime(readonly=True)

    @api.model
    def _queue(self, sessions):
        """Queue a notification of the end of each of ``sessions`` (``oauth2.
        session`` records) whose application takes them, and wake the job up
        for when this transaction commits."""
        vals_list = [
            {
                "application_id": session.application_id.id,
                "user_id": session.user_id.id,
                "sid": session.sid,
            }
            for session in sessions.sudo()
            if session.application_id.active
            and session.application_id.backchannel_logout_uri
        ]
        if not vals_list:
            return self.browse()
        notifications = self.sudo().create(vals_list)
        self._delivery_job()._trigger()
        return notifications

    def _delivery_job(self):
        return self.env.ref("orestapi_oauth2.ir_cron_oauth2_logout_notifications")

    @api.model
    def _cron_deliver(self, batch_size=DELIVERY_BATCH_SIZE):
        """Post one batch of the notifications due, each a logout token
        signed now; the scheduler calls again while some are due, and the job
        is woken up again for the next retry."""
        due = self._lock_due(batch_size + 1)
        for notification in due[:batch_size]:
            notification._deliver()
        self.env["ir.cron"]._notify_progress(
            done=len(due[:batch_size]), remaining=len(due[batch_size:])
        )
        upcoming = self.sudo().search(
            [("state", "=", PENDING)], order="next_attempt_at", limit=1
        )
        if upcoming and upcoming.next_attempt_at > fields.Datetime.now():
            self._delivery_job()._trigger(upcoming.next_attempt_at)

    def _lock_due(self, limit):
        """Up to ``limit`` pending notifications due now, locked; those another
        run holds are skipped rather than waited for."""
        self.flush_model(["state", "next_attempt_at"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM oauth2_logout_notification
                    WHERE state = %s AND next_attempt_at <= %s
                    ORDER BY next_attempt_at, id
                    LIMIT %s
                      FOR UPDATE SKIP LOCKED""",
                PENDING,
                fields.Datetime.now(),
                limit,
            )
        )
        return self.sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _deliver(self):
        """One attempt to post this notification's logout token."""
        self.ensure_one()
        application = self.application_id
        if not (application.active and application.backchannel_logout_uri):
            self.write({"state": FAILED, "last_error": "No back-channel logout URI."})
            return
        logout_token = application._logout_token(self.user_id, self.sid)
        delivery = backchannel_logout.deliver(
            application.backchannel_logout_uri, logout_token
        )
        attempts = self.attempts + 1
        if delivery.delivered:
            self.write(
                {
                    "state": DELIVERED,
                    "attempts": attempts,
                    "delivered_at": fields.Datetime.now(),
                    "last_error": False,
                }
            )
            return
        delay = None if delivery.final else backchannel_logout.retry_delay(attempts)
        _logger.info(
            "Back-channel logout to %s failed (attempt %s): %s",
            application.client_id,
            attempts,
            delivery.error,
        )
        self.write(
            {
                "state": PENDING if delay else FAILED,
                "attempts": attempts,
                "last_error": delivery.error,
                "next_attempt_at": fields.Datetime.now() + delay if delay else False,
            }
        )

    def action_retry(self):
        """Post these notifications again now, with a fresh count of
        attempts: for an application that was down longer than the retries
        last."""
        self.check_access("read")
        undelivered = self.sudo().filtered(lambda n: n.state != DELIVERED)
        undelivered.write(
            {
                "state": PENDING,
                "attempts": 0,
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        if undelivered:
            self._delivery_job()._trigger()
        return True

    @api.model
    def _stale_domain(self):
        """Delivered and failed notifications old enough to delete."""
        return [
            ("state", "!=", PENDING),
            ("create_date", "<", fields.Datetime.now() - KEEP_NOTIFICATIONS),
        ]
