# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_index

from .res_config_settings import get_oauth2_setting

# A client_id may fail this many times more than one address before it is
# paused: several of its servers may share it, and one attacking address must
# not lock the others out.
CLIENT_ID_FAILURE_FACTOR = 5
# Longer than any sensible window; the daily cleanup deletes older rows.
KEEP_FAILURES = timedelta(days=1)


def _limit_th_latest_failure(column, value, since, limit):
    """The time of the limit-th most recent failure of ``value`` since ``since``:
    once it leaves the window, fewer than ``limit`` failures remain in it."""
    return SQL(
        "SELECT failed_at FROM oauth2_client_auth_failure "
        "WHERE %s = %s AND failed_at > %s "
        "ORDER BY failed_at DESC OFFSET %s LIMIT 1",
        SQL.identifier(column),
        (value or "")[:255],
        since,
        limit - 1,
    )


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
        # what _wait_for asks: the latest failures of one address or client_id
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
                "remote_addr": remote_addr,
                # whatever a client sends: keep the column small
                "client_id": (client_id or "")[:255] or False,
                "failed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _retry_after(self, remote_addr, client_id):
        """Seconds until ``remote_addr`` or ``client_id`` may try again; 0 when
        neither failed too often within the window."""
        limit = get_oauth2_setting(self.env, "client_auth_max_failures")
        window = get_oauth2_setting(self.env, "client_auth_failure_window")
        if limit <= 0:
            return 0
        now = fields.Datetime.now()
        since = now - timedelta(seconds=window)
        self.flush_model()
        # One round trip for both keys: every client authentication asks this.
        self.env.cr.execute(
            SQL(
                "SELECT (%s), (%s)",
                _limit_th_latest_failure("remote_addr", remote_addr, since, limit),
                _limit_th_latest_failure(
                    "client_id", client_id, since, limit * CLIENT_ID_FAILURE_FACTOR
                ),
            )
        )
        waits = [
            math.ceil((failed_at + timedelta(seconds=window) - now).total_seconds())
            for failed_at in self.env.cr.fetchone()
            if failed_at
        ]
        return max([1, *waits]) if waits else 0

    @api.model
    def _stale_domain(self):
        return [("failed_at", "<", fields.Datetime.now() - KEEP_FAILURES)]
