# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import create_index

from .oauth2_client_auth_failure import _address_key
from .res_config_settings import get_oauth2_setting

# The window over which registrations from one address are counted.
REGISTRATION_WINDOW = timedelta(hours=1)
# Kept a little longer than the window; the daily cleanup deletes older rows.
KEEP_ATTEMPTS = timedelta(days=1)


class OAuth2RegistrationAttempt(models.Model):
    """A request to the registration endpoint, counted per address (an IPv4
    address or an IPv6 /64, as failed client authentications are) so that
    one address cannot fill the applications with self-registered clients
    or guess initial access tokens: in the database, so that the limit holds
    across workers."""

    _name = "oauth2.registration.attempt"
    _description = "OAuth2 Client Registration Request"
    _order = "attempted_at desc"
    _log_access = False

    remote_addr = fields.Char(string="Address", readonly=True)
    attempted_at = fields.Datetime(required=True, readonly=True)

    def init(self):
        create_index(
            self.env.cr,
            f"{self._table}_remote_addr_attempted_at_idx",
            self._table,
            ["remote_addr", "attempted_at"],
        )

    @api.model
    def _retry_after(self, remote_addr):
        """Seconds until ``remote_addr`` may register again (0: now), after
        counting this request: every request counts, the refused too."""
        address = _address_key(remote_addr)
        now = fields.Datetime.now()
        self.sudo().create({"remote_addr": address, "attempted_at": now})
        limit = get_oauth2_setting(self.env, "client_registration_max_per_hour")
        since = now - REGISTRATION_WINDOW
        attempts = self.sudo().search(
            [("remote_addr", "=", address), ("attempted_at", ">", since)],
            order="attempted_at desc",
            offset=limit,
            limit=1,
        )
        if not attempts:
            return 0
        # once the (limit+1)-th latest leaves the window, limit remain in it
        ends = attempts.attempted_at + REGISTRATION_WINDOW
        return max(1, math.ceil((ends - now).total_seconds()))

    @api.model
    def _stale_domain(self):
        return [("attempted_at", "<", fields.Datetime.now() - KEEP_ATTEMPTS)]
