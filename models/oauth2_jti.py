# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import json
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.tools import SQL

from ..series import Constraint
from .direct_sql import own_cursor

# The purposes of used JWT IDs, each of its own namespace.
CLIENT_ASSERTION = "client_assertion"


def jti_digest(purpose, issuer, jti):
    """What :class:`OAuth2Jti` keeps of a JWT ID: the SHA-256 of its
    purpose, issuer and value, so that no purpose or issuer meets
    another's."""
    canonical = json.dumps([purpose, issuer, jti], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class OAuth2Jti(models.Model):
    """A JWT ID that was accepted once and may never be again until its JWT
    expires: client assertions (RFC 7523 §3, item 7) and any other
    single-use JWT (a DPoP proof's, RFC 9449 §11.1). Only a hash of
    ``(purpose, issuer, jti)`` is kept; its unique index makes the first of
    two workers or servers that accept the same JWT at once the only one to
    win (:meth:`_use_once`). The cleanup job deletes the expired rows."""

    _name = "oauth2.jti"
    _description = "OAuth2 Used JWT ID"
    _order = "expires_at desc"
    _log_access = False

    purpose = fields.Char(required=True, readonly=True)
    digest = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True, index=True)

    _digest_unique = Constraint("unique(digest)", "This JWT ID is used already.")

    @api.model
    def _use_once(self, purpose, issuer, jti, expires_at, asynchronous_commit=False):
        """Record the ``jti`` of a JWT of ``issuer`` (a client_id, a key
        thumbprint) accepted for ``purpose`` (:data:`CLIENT_ASSERTION`...),
        kept until ``expires_at`` (seconds since the epoch) after which the
        JWT is refused anyway; False when it was recorded before and has not
        expired. One statement, ``ON CONFLICT``: a second transaction
        recording it waits for the first and, once that one commits, fails
        to serialize; Odoo retries its request, which finds the row and
        loses. If the first rolls back, the second records it. Recorded with
        the request's transaction, so that a request Odoo retries, or one
        refused afterwards, leaves its JWT unrecorded; on a read-only cursor
        (a replica's), on a cursor of its own. With ``asynchronous_commit``
        (a read-only route, whose transaction writes nothing else), that
        transaction commits without waiting for the disk."""
        if self.env.cr.readonly:
            with own_cursor(self.env) as cr:
                return self.with_env(self.env(cr=cr))._use_once(
                    purpose, issuer, jti, expires_at, asynchronous_commit=True
                )
        digest = jti_digest(purpose, issuer, jti)
        expires = datetime.fromtimestamp(expires_at, timezone.utc).replace(tzinfo=None)
        # a row the cleanup has not deleted yet is of an expired JWT, which
        # would be refused: the JWT ID is free again
        query = SQL(
            "INSERT INTO %(table)s (purpose, digest, expires_at) "
            "VALUES (%(purpose)s, %(digest)s, %(expires)s) "
            "ON CONFLICT (digest) DO UPDATE SET expires_at = EXCLUDED.expires_at "
            "WHERE %(table)s.expires_at < %(now)s RETURNING id",
            table=SQL.identifier(self._table),
            purpose=purpose,
            digest=digest,
            expires=expires,
            now=fields.Datetime.now(),
        )
        if asynchronous_commit:
            # Waiting for the WAL to reach the disk, for this one row of a
            # request that writes nothing else, made userinfo with DPoP
            # half as fast as with a bearer token on a busy database
            # (scripts/benchmark). Every worker sees the row once committed
            # all the same; a database crash could forget the last fraction
            # of a second of JWT IDs, each of a JWT bound to its key, token,
            # method and URL for minutes at most. In the same round trip.
            query = SQL("SET LOCAL synchronous_commit TO OFF; %s", query)
        self.env.cr.execute(
            query,
            # a transaction that lost the race fails to serialize once the
            # winner commits, and Odoo retries its request: expected
            log_exceptions=False,
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _stale_domain(self):
        return [("expires_at", "<", fields.Datetime.now())]
