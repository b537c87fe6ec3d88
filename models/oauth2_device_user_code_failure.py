# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .oauth2_client_auth_failure import _address_key

# RFC 8628 §5.1: a user code has about 34 bits, so guessing is slowed, per
# address (an IPv6 /64 counting as one) and for every address together:
# after ADDRESS_LIMIT wrong codes within WINDOW an address waits; after
# OVERALL_LIMIT from anywhere, everyone does. Fixed, unlike the client
# authentication throttle's settings: this one cannot be turned off.
ADDRESS_LIMIT = 5
OVERALL_LIMIT = 50
WINDOW = timedelta(minutes=1)
# Longer than the window; the daily cleanup deletes older rows.
KEEP_FAILURES = timedelta(days=1)


class OAuth2DeviceUserCodeFailure(models.Model):
    """A wrong user code typed on the device page, counted in the database so
    that the limit holds across workers. A table of its own: no client can
    add to it, as any client could to the failed client authentications by
    sending a client_id of its choice."""

    _name = "oauth2.device.user.code.failure"
    _description = "OAuth2 Wrong Device User Code"
    _order = "failed_at desc"
    _log_access = False

    remote_addr = fields.Char(string="Address", readonly=True, index=True)
    failed_at = fields.Datetime(required=True, index=True, readonly=True)

    @api.model
    def _record(self, remote_addr):
        self.sudo().create(
            {
                "remote_addr": _address_key(remote_addr),
                "failed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _retry_after(self, remote_addr):
        """Whole seconds until ``remote_addr`` may type a code again; 0 when
        it may now. A limit holds until the oldest failure that reached it
        leaves the window."""
        self.flush_model()
        now = fields.Datetime.now()
        since = now - WINDOW
        self.env.cr.execute(
            SQL(
                "SELECT (SELECT failed_at FROM %(table)s "
                "        WHERE remote_addr = %(address)s AND failed_at > %(since)s"
                "        ORDER BY failed_at DESC OFFSET %(address_offset)s LIMIT 1),"
                "       (SELECT failed_at FROM %(table)s WHERE failed_at > %(since)s"
                "        ORDER BY failed_at DESC OFFSET %(overall_offset)s LIMIT 1)",
                table=SQL.identifier(self._table),
                address=_address_key(remote_addr),
                since=since,
                address_offset=ADDRESS_LIMIT - 1,
                overall_offset=OVERALL_LIMIT - 1,
            )
        )
        reached = [moment for moment in self.env.cr.fetchone() if moment]
        if not reached:
            return 0
        until = max(reached) + WINDOW
        return max(1, math.ceil((until - now).total_seconds()))

    @api.model
    def _stale_domain(self):
        return [("failed_at", "<", fields.Datetime.now() - KEEP_FAILURES)]
