# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import ipaddress
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_index

from .res_config_settings import get_oauth2_setting

# A client_id may fail this many times more than one address before it is
# paused: several of its servers may share it.
CLIENT_ID_FAILURE_FACTOR = 5
# Longer than any sensible window; the daily cleanup deletes older rows.
KEEP_FAILURES = timedelta(days=1)


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
                "remote_addr": _address_key(remote_addr),
                # whatever a client sends: keep the column small
                "client_id": (client_id or "")[:255] or False,
                "failed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _retry_after(self, remote_addr, client_id):
        """Seconds until ``remote_addr`` may try to authenticate as ``client_id``
        again; 0 when it may now."""
        limit = get_oauth2_setting(self.env, "client_auth_max_failures")
        window = get_oauth2_setting(self.env, "client_auth_failure_window")
        if limit <= 0:
            return 0
        now = fields.Datetime.now()
        since = now - timedelta(seconds=window)
        client_id = (client_id or "")[:255]
        remote_addr = _address_key(remote_addr)
        self.flush_model()
        # One round trip: every client authentication asks this.
        self.env.cr.execute(
            SQL(
                "SELECT (%s), (%s), (%s)",
                _limit_th_latest_failure(
                    SQL("remote_addr = %s", remote_addr), since, limit
                ),
                _limit_th_latest_failure(
                    SQL("client_id = %s", client_id),
                    since,
                    limit * CLIENT_ID_FAILURE_FACTOR,
                ),
                _limit_th_latest_failure(
                    SQL("client_id = %s AND remote_addr = %s", client_id, remote_addr),
                    since,
                    1,
                ),
            )
        )
        address_paused_at, client_id_paused_at, failed_here_at = self.env.cr.fetchone()

        def wait_for(failed_at):
            expiry = failed_at + timedelta(seconds=window)
            return max(1, math.ceil((expiry - now).total_seconds()))

        waits = []
        if address_paused_at:
            waits.append(wait_for(address_paused_at))
        # A client_id that fails too often, from however many addresses, pauses
        # only the addresses that failed for it: its own servers, which know
        # the secret, go on.
        if client_id_paused_at and failed_here_at:
            waits.append(min(wait_for(client_id_paused_at), wait_for(failed_here_at)))
        return max(waits, default=0)

    @api.model
    def _stale_domain(self):
        return [("failed_at", "<", fields.Datetime.now() - KEEP_FAILURES)]
