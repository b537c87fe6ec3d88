# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .oauth2_client_auth_failure import PauseTimes

MANAGER_GROUP = "orestapi_oauth2.group_oauth2_manager"


class OAuth2ClientAuthThrottle(models.Model):
    """The failed client authentications, one row per client_id and address
    block (an IPv4 address or an IPv6 /64, as they are counted): what a
    manager reads to see who is being throttled, and lifts.

    A view on ``oauth2_client_auth_failure``: its ``id`` is the first failure
    of the pair, so that it names the same pair for as long as the pair has
    failures, and never another one.
    """

    _name = "oauth2.client.auth.throttle"
    _description = "OAuth2 Failed Client Authentications per Address"
    _auto = False
    _order = "last_failure_at desc, id desc"
    _rec_name = "client_id"

    client_id = fields.Char(string="Client ID", readonly=True)
    application_id = fields.Many2one(
        "oauth2.application",
        readonly=True,
        help="The application with this client ID, if there is one.",
    )
    remote_addr = fields.Char(
        string="Address Block",
        readonly=True,
        help="The IPv4 address, or the IPv6 /64 network, that the failures came "
        "from: one host commonly holds a whole /64. 'invalid' when a proxy "
        "forwarded an address that is none.",
    )
    failure_count = fields.Integer(string="Failures", readonly=True)
    last_failure_at = fields.Datetime(string="Last Failure", readonly=True)
    throttled_until = fields.Datetime(
        compute="_compute_throttled_until",
        help="Until when a wrong secret for this client ID from this address "
        "block gets 429 (and a secret stored before the strength rules, even "
        "right, waits too): too many failures from the address block, or for "
        "the client ID from anywhere.",
    )
    throttled = fields.Boolean(
        string="Throttled Now",
        compute="_compute_throttled_until",
        search="_search_throttled",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS (
                    SELECT min(f.id) AS id,
                           f.client_id,
                           (SELECT a.id FROM oauth2_application a
                             WHERE a.client_id = f.client_id) AS application_id,
                           f.remote_addr,
                           count(*) AS failure_count,
                           max(f.failed_at) AS last_failure_at
                      FROM oauth2_client_auth_failure f
                  GROUP BY f.client_id, f.remote_addr
                )""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _search(self, domain, *args, **kwargs):
        # the view reads the failures' table, which the ORM does not know
        self.env["oauth2.client.auth.failure"].flush_model()
        return super()._search(domain, *args, **kwargs)

    def _pauses(self, condition):
        """``{id: end of its pause}`` for the rows matching ``condition`` (SQL
        on the view as ``g``) that are throttled now, by the rules the token
        endpoint applies (``Throttle``), in one query."""
        failures = self.env["oauth2.client.auth.failure"]
        throttle = failures._throttle()
        if not throttle:
            return {}
        failures.flush_model()
        rows = self.env.execute_query(
            SQL(
                "SELECT g.id, %s FROM %s g WHERE %s",
                throttle.pause_times(
                    SQL.identifier("g", "remote_addr"), SQL.identifier("g", "client_id")
                ),
                SQL.identifier(self._table),
                condition,
            )
        )
        pauses = {
            row_id: throttle.paused_until(PauseTimes(*times)) for row_id, *times in rows
        }
        return {row_id: until for row_id, until in pauses.items() if until}

    def _compute_throttled_until(self):
        pauses = self._pauses(SQL("g.id IN %s", tuple(self.ids))) if self.ids else {}
        for row in self:
            row.throttled_until = pauses.get(row.id, False)
            row.throttled = row.id in pauses

    def _search_throttled(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Search throttled rows with = or != only.")
            )
        throttled = list(self._pauses(SQL("TRUE")))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", throttled)]

    def action_lift(self):
        """Forget the failures of these client IDs from these address blocks,
        so that their throttle ends at once.

        Without its own failures an address block is no longer paused for the
        client ID by the client ID's failures elsewhere. It may still be
        paused by failures for other client IDs from the same address block,
        and that pause holds for every client ID: its failures are forgotten
        too, or the client would go on waiting. A client ID that failed so
        often that it is paused at every address stays so until all its
        failures are forgotten: a lift then ends its pause everywhere.
        """
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only OAuth2 managers may lift a throttle."))
        self.check_access("read")
        failures = self.env["oauth2.client.auth.failure"]
        throttle = failures._throttle()
        # read before any is deleted: rows of one address block go together
        pairs = [(row.client_id, row.remote_addr) for row in self]
        for client_id, address in pairs:
            failures.search(
                [("client_id", "=", client_id), ("remote_addr", "=", address)]
            ).unlink()
            if not throttle:
                continue
            times = failures._pause_times(throttle, address, client_id)
            if times.client_id_locked_at:
                failures.search([("client_id", "=", client_id)]).unlink()
            if address and times.address_paused_at:
                failures.search([("remote_addr", "=", address)]).unlink()
        return True
