# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import pushed_requests
from ..oauth.constants import PUSHED_REQUEST_URI_SECRET
from ..provider.configuration import hash_secret
from ..series import Constraint


class OAuth2PushedAuthorizationRequest(models.Model):
    """An authorization request a client pushed (RFC 9126 §2), waiting for
    the user's browser to bring its ``request_uri`` to the authorization
    endpoint; used once. The request_uri is stored as a hash; no group reads
    these rows: the endpoints' sudo code alone."""

    _name = "oauth2.pushed.authorization.request"
    _description = "OAuth2 Pushed Authorization Request"
    _order = "id desc"
    _rec_name = "application_id"

    request_uri_hash = fields.Char(required=True, readonly=True)
    application_id = fields.Many2one(
        "oauth2.application", required=True, ondelete="cascade", index=True
    )
    parameters = fields.Text(
        required=True,
        readonly=True,
        help="The authorization request's parameters as pushed (JSON pairs), "
        "its request object unpacked.",
    )
    expires_at = fields.Datetime(required=True, readonly=True)
    opened_at = fields.Datetime(
        readonly=True,
        help="When a browser first brought the request_uri to the authorization "
        "endpoint: from then on it lasts while the user logs in and consents.",
    )

    _request_uri_hash_unique = Constraint(
        "unique(request_uri_hash)", "Request URIs must be unique."
    )

    @api.model
    def _push(self, application, parameters):
        """The request_uri of a new pushed request of ``application`` with
        ``parameters`` (pairs, checked as the authorization endpoint would)."""
        request_uri, reference = pushed_requests.new_request_uri()
        self.sudo().create(
            {
                "request_uri_hash": self._hash(reference),
                "application_id": application.id,
                "parameters": pushed_requests.dumps(parameters),
                "expires_at": fields.Datetime.now()
                + timedelta(seconds=pushed_requests.REQUEST_URI_LIFETIME),
            }
        )
        return request_uri

    @api.model
    def _hash(self, reference):
        return hash_secret(self.env, PUSHED_REQUEST_URI_SECRET, reference)

    @api.model
    def _open(self, request_uri, client_id):
        """The pushed request of ``request_uri`` that the application of
        ``client_id`` pushed, still unused and unexpired (RFC 9126 §4); the
        first time a browser brings it, it is given the time of a login and
        a consent. Raises :class:`~..oauth.pushed_requests.InvalidRequestURI`
        otherwise, telling an unknown, used, expired and another client's
        request_uri apart for nobody."""
        reference = pushed_requests.reference_of(request_uri)
        pushed = self.sudo().browse()
        if reference:
            pushed = pushed.search(
                [("request_uri_hash", "=", self._hash(reference))], limit=1
            )
        now = fields.Datetime.now()
        if (
            not pushed
            or pushed.expires_at <= now
            or not client_id
            or pushed.application_id.client_id != client_id
            or not pushed.application_id.active
        ):
            raise pushed_requests.InvalidRequestURI(
                description="The request_uri is unknown, expired or already used, "
                "or was pushed by another application."
            )
        if not pushed.opened_at:
            pushed.write(
                {
                    "opened_at": now,
                    "expires_at": now
                    + timedelta(seconds=pushed_requests.INTERACTION_LIFETIME),
                }
            )
        return pushed

    def _parameters(self):
        return pushed_requests.loads(self.parameters)

    def _consume(self):
        """Use up this pushed request, once: whether this call did. Of two
        requests consuming it at once, the later one finds no row, or fails
        to serialize and is retried by Odoo, then finds none."""
        self.ensure_one()
        # what opening it wrote reaches the row before the row goes
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE id = %s AND expires_at > %s RETURNING id",
                SQL.identifier(self._table),
                self.id,
                fields.Datetime.now(),
            )
        )
        consumed = bool(self.env.cr.fetchall())
        self.invalidate_recordset(flush=False)
        return consumed

    @api.model
    def _stale_domain(self):
        """Expired pushed requests, of no further use: what the cleanup job
        deletes."""
        return [("expires_at", "<", fields.Datetime.now())]
