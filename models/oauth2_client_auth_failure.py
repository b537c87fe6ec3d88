# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import ipaddress
import math
from collections import namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_index

from .res_config_settings import get_oauth2_setting

# A client_id may fail this many times more than one address before it is
# paused: several of its servers may share it.
CLIENT_ID_FAILURE_FACTOR = 5
# Past this many times what one address may fail, a client_id is paused at
# every address, also those that never failed for it: behind a proxy that
# passes on the X-Forwarded-For a client sent, each guess may come from an
# address of its own.
CLIENT_ID_LOCKOUT_FACTOR = 10
# Longer than any sensible window; the daily cleanup deletes older rows.
KEEP_FAILURES = timedelta(days=1)
# What an application's form counts as its recent failures.
RECENT_FAILURES = timedelta(hours=24)


def _address_key(remote_addr):
    """What failures are counted for: an IPv4 address, or the /64 network of an
    IPv6 one, since a single host commonly holds a whole /64. An address Odoo
    took from a malformed X-Forwarded-For header counts as one "invalid"."""
    if remote_addr is None:
        return None
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return "invalid"
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def _limit_th_latest_failure(condition, since, limit):
    """The time of the limit-th most recent failure matching ``condition`` since
    ``since``: once it leaves the window, fewer than ``limit`` remain in it."""
    return SQL(
        "SELECT failed_at FROM oauth2_client_auth_failure "
        "WHERE %s AND failed_at > %s "
        "ORDER BY failed_at DESC OFFSET %s LIMIT 1",
        condition,
        since,
        limit - 1,
    )


# The failure times that decide a pause (see Throttle.pause_times), each None
# when its rule does not hold.
PauseTimes = namedtuple(
    "PauseTimes",
    [
        "address_paused_at",
        "client_id_paused_at",
        "failed_here_at",
        "client_id_locked_at",
    ],
)


class Throttle:
    """The throttling rules, for ``limit`` failures per address within
    ``window`` (a timedelta) as of ``now``: the one place that says when a
    pause ends, which the token endpoint and the managers' list of failed
    client authentications both ask."""

    def __init__(self, limit, window, now):
        self.limit = limit
        self.window = window
        self.now = now

    def pause_times(self, address_block, client_id):
        """SQL selecting, as the columns of ``PauseTimes``, the failure times
        that decide the pause of ``address_block`` for ``client_id``: values,
        or columns of an outer query (SQL) to ask it for many pairs at once."""
        since = self.now - self.window
        return SQL(
            "(%s), (%s), (%s), (%s)",
            _limit_th_latest_failure(
                SQL("remote_addr = %s", address_block), since, self.limit
            ),
            _limit_th_latest_failure(
                SQL("client_id = %s", client_id),
                since,
                self.limit * CLIENT_ID_FAILURE_FACTOR,
            ),
            _limit_th_latest_failure(
                SQL("client_id = %s AND remote_addr = %s", client_id, address_block),
                since,
                1,
            ),
            _limit_th_latest_failure(
                SQL("client_id = %s", client_id),
                since,
                self.limit * CLIENT_ID_LOCKOUT_FACTOR,
            ),
        )

    def paused_until(self, times):
        """When the pause that ``times`` (``PauseTimes``) make ends; None when
        there is none."""
        ends = []
        if times.address_paused_at:
            ends.append(times.address_paused_at + self.window)
        # A client_id that fails too often, from however many addresses, pauses
        # the addresses that failed for it: its own servers, which know the
        # secret, go on.
        if times.client_id_paused_at and times.failed_here_at:
            ends.append(
                min(times.client_id_paused_at, times.failed_here_at) + self.window
            )
        # Failing far more often, it pauses every address: the addresses it
        # fails from may be forged, one per guess.
        if times.client_id_locked_at:
            ends.append(times.client_id_locked_at + self.window)
        return max(ends, default=None)

    def retry_after(self, times):
        """Whole seconds until the pause ends, at least 1; 0 without one."""
        until = self.paused_until(times)
        if not until:
            return 0
        return max(1, math.ceil((until - self.now).total_seconds()))


class OAuth2ClientAuthFailure(models.Model):
    """A failed client authentication, counted to pause guessing (in the spirit
    of Odoo's login cooldown, but shared by every worker through the database)."""

    _name = "oauth2.client.auth.failure"
    _description = "OAuth2 Failed Client Authentication"
    _order = "failed_at desc"
    _log_access = False

    remote_addr = fields.Char(string="Address", readonly=True)
    client_id = fields.Char(string="Client ID", readonly=True)
    failed_at = fields.Datetime(required=True, index=True, readonly=True)

    def init(self):
        # what Throttle.pause_times asks: the latest failures of one address
        # or client_id
        for column in ("remote_addr", "client_id"):
            create_index(
                self.env.cr,
                f"{self._table}_{column}_failed_at_idx",
                self._table,
                [column, "failed_at"],
            )

    @api.model
    def _record(self, remote_addr, client_id):
        self.sudo().create(
            {
                "remote_addr": _address_key(remote_addr),
                # whatever a client sends: keep the column small
                "client_id": (client_id or "")[:255] or False,
                "failed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _throttle(self):
        """The throttling rules as the settings make them now, or None when
        throttling is off."""
        limit = get_oauth2_setting(self.env, "client_auth_max_failures")
        window = get_oauth2_setting(self.env, "client_auth_failure_window")
        if limit <= 0:
            return None
        return Throttle(limit, timedelta(seconds=window), fields.Datetime.now())

    @api.model
    def _retry_after(self, remote_addr, client_id):
        """Seconds until ``remote_addr`` may try to authenticate as ``client_id``
        again; 0 when it may now."""
        return self._retry_after_block(_address_key(remote_addr), client_id)

    @api.model
    def _retry_after_block(self, address_block, client_id):
        """``_retry_after`` for an address already counted as failures are
        (see ``_address_key``)."""
        throttle = self._throttle()
        if not throttle:
            return 0
        return throttle.retry_after(
            self._pause_times(throttle, address_block, client_id)
        )

    @api.model
    def _pause_times(self, throttle, address_block, client_id):
        """The ``PauseTimes`` of ``address_block`` for ``client_id`` now."""
        self.flush_model()
        # One round trip: every client authentication asks this.
        self.env.cr.execute(
            SQL(
                "SELECT %s",
                throttle.pause_times(address_block, (client_id or "")[:255]),
            )
        )
        return PauseTimes(*self.env.cr.fetchone())

    @api.model
    def _stale_domain(self):
        return [("failed_at", "<", fields.Datetime.now() - KEEP_FAILURES)]

    @api.model
    def _recent_domain(self, client_ids):
        """The failures of the last 24 hours for these client IDs."""
        return [
            ("client_id", "in", list(client_ids)),
            (
                "failed_at",
                ">",
                fields.Datetime.to_string(fields.Datetime.now() - RECENT_FAILURES),
            ),
        ]
