# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth.dpop import PROOF_LIFETIME
from ..oauth.oidc import as_datetime
from ..provider.configuration import hash_secret
from ..series import Constraint
from .direct_sql import insert_row, own_cursor

# The purpose under which a proof's key and jti are hashed.
DPOP_PROOF = "dpop_proof"


class OAuth2DpopProof(models.Model):
    """A DPoP proof this server accepted (RFC 9449 §11.1), by its key and
    jti, kept while its iat is within the window a proof is accepted in, so
    that no proof is accepted twice: a unique index decides between
    workers."""

    _name = "oauth2.dpop.proof"
    _description = "OAuth2 DPoP Proof Seen"
    _order = "expires_at desc"

    proof_hash = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True, index=True)

    _proof_hash_unique = Constraint("UNIQUE(proof_hash)", "A DPoP proof is seen once.")

    @api.model
    def _accept_once(self, jkt, jti, issued_at, apart=False):
        """Whether the proof of the key ``jkt`` with ``jti``, issued at
        ``issued_at`` (seconds), is seen here for the first time; it is then
        recorded. A concurrent transaction recording the same proof holds
        this one until it ends, and only one of them accepts it. Recorded
        with the request's transaction, so that a request Odoo retries
        accepts its proof again; with ``apart`` (a read-only route, whose
        transaction writes nothing else), or on a read-only cursor, on a
        cursor of its own, committed without waiting for the disk."""
        values = {
            "proof_hash": hash_secret(self.env, DPOP_PROOF, f"{jkt}.{jti}"),
            # no proof is accepted later than this: no copy can pass for new
            "expires_at": as_datetime(issued_at + PROOF_LIFETIME),
        }
        if not (apart or self.env.cr.readonly):
            return self._insert_new(self.sudo(), values)
        with own_cursor(self.env) as cr:
            # Waiting for the WAL to reach the disk, for this one row of a
            # request that writes nothing else, made userinfo with DPoP up to
            # half as fast as with a bearer token on a busy database
            # (scripts/benchmark). Every worker sees the row once committed
            # all the same; a database crash could forget the last fraction
            # of a second of proofs, each bound to its key, token, method and
            # URL for 300 s at most: the same read could be repeated once.
            cr.execute(SQL("SET LOCAL synchronous_commit TO OFF"))
            return self._insert_new(self.sudo().with_env(self.env(cr=cr)), values)

    @staticmethod
    def _insert_new(proofs, values):
        on_conflict = SQL("ON CONFLICT (proof_hash) DO NOTHING")
        return insert_row(proofs, values, on_conflict=on_conflict) is not None

    @api.model
    def _stale_domain(self):
        return [("expires_at", "<", fields.Datetime.now())]
