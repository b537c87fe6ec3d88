# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..series import Constraint
from .oauth2_client_auth_failure import _address_key

# RFC 8628 §5.1: a user code has about 34 bits, so guessing is slowed. Each
# limit is a number of wrong codes within a sliding window, counted in small
# buckets (10 seconds for the minute, an hour for the day):
# - per address (an IPv6 /64 counting as one),
# - per signed-in user, the page requiring a login: an attacker's addresses
#   do not multiply what one account may guess,
# - for everyone together; applied only to a user or an address that already
#   typed a wrong code in the window, so that nobody keeps everyone else
#   out: a user's first code always goes through.
# Fixed, unlike the client authentication throttle's settings: these cannot
# be turned off.
ADDRESS_LIMIT = 5
USER_LIMIT = 5
USER_DAILY_LIMIT = 30
OVERALL_LIMIT = 50
MINUTE = "minute"
DAY = "day"
# period: (bucket, window)
PERIODS = {
    MINUTE: (timedelta(seconds=10), timedelta(minutes=1)),
    DAY: (timedelta(hours=1), timedelta(days=1)),
}
# Longer than the longest window; the daily cleanup deletes older rows.
KEEP_FAILURES = timedelta(days=2)
OVERALL_KEY = "all"


def _bucket(now, period):
    size = PERIODS[period][0]
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + size * ((now - midnight) // size)


class OAuth2DeviceUserCodeFailure(models.Model):
    """Codes typed on the device page, counted per key (an address, a user,
    everyone) and window, in the database so that the limits hold across
    workers. Each attempt is counted by one atomic upsert BEFORE the code is
    looked up, so that concurrent requests cannot all pass a check made on
    the same count; a right code is then taken off again. A table of its
    own: no client can add to it, as any client could to the failed client
    authentications by sending a client_id of its choice."""

    _name = "oauth2.device.user.code.failure"
    _description = "OAuth2 Wrong Device User Codes"
    _order = "bucket desc, id desc"
    _log_access = False

    key = fields.Char(
        string="Counted For",
        required=True,
        readonly=True,
        help="addr:<address>, user:<id>, or all for every user together.",
    )
    period = fields.Selection(
        [(MINUTE, "Minute"), (DAY, "Day")], required=True, readonly=True
    )
    bucket = fields.Datetime(
        string="Window Start", required=True, readonly=True, index=True
    )
    attempts = fields.Integer(
        string="Wrong Codes", readonly=True, help="Wrong codes typed in the window."
    )

    _key_period_bucket_unique = Constraint(
        "unique(key, period, bucket)", "One counter per key and window."
    )

    @api.model
    def _count(self, key, period, now, step=1):
        """Add ``step`` to the counter of ``key`` in the current bucket of
        ``period``; ``(count, wait)``: the count in the window, and the
        seconds until it is one less. One statement adds: two concurrent
        requests queue on the row, and the second sees the first's count (or
        fails to serialize, and Odoo retries it)."""
        bucket_size, window = PERIODS[period]
        table = SQL.identifier(self._table)
        self.env.cr.execute(
            SQL(
                "INSERT INTO %(table)s (key, period, bucket, attempts) "
                "VALUES (%(key)s, %(period)s, %(bucket)s, %(step)s) "
                "ON CONFLICT (key, period, bucket) "
                "DO UPDATE SET attempts = %(table)s.attempts + %(step)s",
                table=table,
                key=key,
                period=period,
                bucket=_bucket(now, period),
                step=step,
            )
        )
        self.env.cr.execute(
            SQL(
                "SELECT bucket, attempts FROM %(table)s "
                "WHERE key = %(key)s AND period = %(period)s "
                "AND bucket > %(since)s ORDER BY bucket",
                table=table,
                key=key,
                period=period,
                since=now - window,
            )
        )
        counts = self.env.cr.fetchall()
        self.invalidate_model()
        total = sum(attempts for _bucket_start, attempts in counts)
        # the oldest bucket that counts leaves the window first
        oldest = next((start for start, attempts in counts if attempts > 0), None)
        wait = (oldest + window - now) if oldest else bucket_size
        return total, max(1, math.ceil(wait.total_seconds()))

    @staticmethod
    def _keys(remote_addr, user):
        return [
            (f"addr:{_address_key(remote_addr)}", MINUTE, ADDRESS_LIMIT),
            (f"user:{user.id}", MINUTE, USER_LIMIT),
            (f"user:{user.id}", DAY, USER_DAILY_LIMIT),
        ]

    @api.model
    def _attempt(self, remote_addr, user, now):
        """Count a code typed by ``user`` from ``remote_addr`` at ``now``,
        before it is looked up, as wrong. Whole seconds to wait when a limit
        is passed, else 0. A refused attempt is taken off again at once (it
        looked nothing up), and so is a right code, by ``_forgive`` with the
        same ``now``."""
        counted = []
        repeated = False
        wait = 0
        for key, period, limit in self._keys(remote_addr, user):
            count, until_less = self._count(key, period, now)
            counted.append((key, period))
            repeated = repeated or count > 1
            if count > limit:
                wait = max(wait, until_less)
        if not wait:
            overall, until_less = self._count(OVERALL_KEY, MINUTE, now)
            counted.append((OVERALL_KEY, MINUTE))
            if repeated and overall > OVERALL_LIMIT:
                wait = until_less
        if wait:
            # this request holds the counters' rows: whoever waits on them
            # sees the count without it
            for key, period in counted:
                self._count(key, period, now, step=-1)
        return wait

    @api.model
    def _forgive(self, remote_addr, user, now):
        """Take back the attempt ``_attempt`` counted at ``now``: the code
        was right."""
        for key, period, _limit in self._keys(remote_addr, user):
            self._count(key, period, now, step=-1)
        self._count(OVERALL_KEY, MINUTE, now, step=-1)

    @api.model
    def _stale_domain(self):
        return [("bucket", "<", fields.Datetime.now() - KEEP_FAILURES)]
