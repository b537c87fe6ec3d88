# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import time
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import backchannel_logout
from .direct_sql import own_cursor
from .res_config_settings import get_outbound_allowed_networks

_logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
# Seconds after which a run of the job starts no more deliveries; the one in
# progress may last its deadline (oauth/outbound.py) longer. Well within
# Odoo's time limit for jobs (limit_time_real_cron, else limit_time_real: 120
# s by default), which covers every job one cron thread runs in a row: the
# job is woken up again by a trigger rather than by reporting work left,
# which would make Odoo run it up to ten times within that limit.
DELIVERY_BUDGET = 30
# What an attempt reads until its outcome is written: what a run killed
# mid-POST leaves.
INTERRUPTED = "interrupted"
# How long delivered and failed notifications stay for the administrator to
# see, before the cleanup job deletes them.
KEEP_NOTIFICATIONS = timedelta(days=30)


class Attempt:
    """One attempt at posting a notification, as claimed: what the POST needs
    once the claiming transaction has committed. No ``uri``: nothing to
    post."""

    def __init__(self, notification, application):
        self.notification_id = notification.id
        self.application_id = application.id
        self.client_id = application.client_id
        self.attempts = notification.attempts + 1
        self.uri = None
        self.logout_token = None
        self.allowed_networks = None


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
        readonly=True,
        help="Why the last attempt failed: the HTTP status the application "
        "answered, or the kind of network failure (timed out, connection "
        "failed, address not allowed...); never what the application answered. "
        "Interrupted: the attempt's outcome was never written.",
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
    def _cron_deliver(self, budget=DELIVERY_BUDGET):
        """Post the notifications due, each a logout token signed now, until
        none is due or ``budget`` seconds have passed, then wake the job up
        again. Each attempt is committed before its POST, which holds no
        transaction; applications take turns, one attempt a round, and one
        that did not answer waits for the next run."""
        # what the caller wrote must be seen by the cursors below
        self.env.flush_all()
        stops_at = time.monotonic() + budget
        unreachable = set()
        served_this_round = set()
        while time.monotonic() < stops_at:
            attempt = self._claim_due(unreachable | served_this_round)
            if attempt is None and served_this_round:
                served_this_round.clear()
                continue
            if attempt is None:
                break
            served_this_round.add(attempt.application_id)
            if not attempt.uri:
                continue
            delivery = backchannel_logout.deliver(
                attempt.uri, attempt.logout_token, attempt.allowed_networks
            )
            self._record_outcome(attempt, delivery)
            if delivery.unreachable:
                unreachable.add(attempt.application_id)
        self._schedule_next_run()
        # written on cursors of their own, behind this environment's back
        self.invalidate_model()

    def _claim_due(self, skipped_application_ids):
        """The attempt at the next notification due, of an application not in
        ``skipped_application_ids``, counted and committed as if it failed
        (its retry scheduled, or failed if it was the last), or None when
        none is due. A notification another run holds is skipped rather than
        waited for."""
        with own_cursor(self.env) as cr:
            env = self.env(cr=cr, su=True)
            try:
                cr.execute(
                    SQL(
                        """SELECT id FROM oauth2_logout_notification
                        WHERE state = %s AND next_attempt_at <= %s
                          AND application_id != ALL(%s)
                        ORDER BY next_attempt_at, id
                        LIMIT 1
                          FOR UPDATE SKIP LOCKED""",
                        PENDING,
                        fields.Datetime.now(),
                        list(skipped_application_ids),
                    ),
                    log_exceptions=False,
                )
            except psycopg2.errors.SerializationFailure:
                # Another run claimed the first one due since this
                # transaction began (SKIP LOCKED skips only rows locked
                # now): this run ends, the next one takes what is left.
                cr.rollback()
                return None
            row = cr.fetchone()
            if not row:
                return None
            notification = env[self._name].browse(row[0])
            application = notification.application_id
            attempt = Attempt(notification, application)
            if not (application.active and application.backchannel_logout_uri):
                notification.write(
                    {"state": FAILED, "last_error": "No back-channel logout URI."}
                )
                return attempt
            attempt.uri = application.backchannel_logout_uri
            attempt.logout_token = application._logout_token(
                notification.user_id, notification.sid
            )
            attempt.allowed_networks = get_outbound_allowed_networks(env)
            notification.write(
                {
                    "attempts": attempt.attempts,
                    "last_error": INTERRUPTED,
                    **self._failure_values(attempt.attempts),
                }
            )
            return attempt

    @api.model
    def _failure_values(self, attempts, final=False):
        """The state and next attempt of a notification whose attempt number
        ``attempts`` failed."""
        delay = None if final else backchannel_logout.retry_delay(attempts)
        return {
            "state": PENDING if delay else FAILED,
            "next_attempt_at": fields.Datetime.now() + delay if delay else False,
        }

    def _record_outcome(self, attempt, delivery):
        """What ``attempt`` came to, unless a manager retried the notification
        meanwhile (its count of attempts started again)."""
        if not delivery.delivered:
            _logger.info(
                "Back-channel logout to %s failed (attempt %s): %s",
                attempt.client_id,
                attempt.attempts,
                delivery.error,
            )
        with own_cursor(self.env) as cr:
            cr.execute(
                SQL(
                    """SELECT id FROM oauth2_logout_notification
                        WHERE id = %s AND attempts = %s
                          FOR UPDATE""",
                    attempt.notification_id,
                    attempt.attempts,
                )
            )
            if not cr.fetchone():
                return
            notification = self.env(cr=cr, su=True)[self._name].browse(
                attempt.notification_id
            )
            if delivery.delivered:
                notification.write(
                    {
                        "state": DELIVERED,
                        "delivered_at": fields.Datetime.now(),
                        "next_attempt_at": False,
                        "last_error": False,
                    }
                )
                return
            notification.write(
                {
                    "last_error": delivery.error,
                    **self._failure_values(attempt.attempts, delivery.final),
                }
            )

    def _schedule_next_run(self):
        """Wake the job up again: now while some notifications are due (the
        budget ran out, or an application that did not answer was skipped),
        else when the next one is."""
        with own_cursor(self.env) as cr:
            notifications = self.env(cr=cr, su=True)[self._name]
            upcoming = notifications.search(
                [("state", "=", PENDING)], order="next_attempt_at", limit=1
            )
            if upcoming:
                now = fields.Datetime.now()
                notifications._delivery_job()._trigger(
                    max(upcoming.next_attempt_at, now)
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
