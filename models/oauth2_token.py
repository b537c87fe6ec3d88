# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..oauth.secrets import hash_secret

ACCESS_TOKEN = "access_token"
REFRESH_TOKEN = "refresh_token"

GRANT_TYPES = [
    ("authorization_code", "Authorization Code"),
    ("implicit", "Implicit"),
    ("password", "Password"),
    ("client_credentials", "Client Credentials"),
    ("refresh_token", "Refresh Token"),
]


class OAuth2Token(models.Model):
    """An access token and the refresh token issued with it.

    Only keyed hashes of the tokens are stored: the clear values exist in the
    token response and nowhere else.
    """

    _name = "oauth2.token"
    _description = "OAuth2 Token"
    _order = "id desc"
    _rec_name = "application_id"

    application_id = fields.Many2one(
        "oauth2.application",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    scope = fields.Char(readonly=True, help="Space-separated scopes of the token.")
    refresh_scope = fields.Char(
        readonly=True,
        help="Scopes a refresh may ask for: those originally granted, even when "
        "this access token was narrowed (RFC 6749 §6).",
    )
    grant_type = fields.Selection(GRANT_TYPES, required=True, readonly=True)
    access_token_hash = fields.Char(
        required=True, readonly=True, copy=False, groups="base.group_system"
    )
    refresh_token_hash = fields.Char(
        readonly=True, copy=False, groups="base.group_system"
    )
    expires_at = fields.Datetime(required=True, readonly=True)
    refresh_expires_at = fields.Datetime(readonly=True)
    revoked = fields.Boolean(readonly=True, index=True)
    authorization_code_id = fields.Many2one(
        "oauth2.authorization.code",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The code this token, or the token it was refreshed from, came from.",
    )
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")],
        compute="_compute_state",
        search="_search_state",
        help="Active while the access token or its refresh token can still be used.",
    )

    _sql_constraints = [
        (
            "access_token_hash_unique",
            "unique(access_token_hash)",
            "Access tokens must be unique.",
        ),
        (
            "refresh_token_hash_unique",
            "unique(refresh_token_hash)",
            "Refresh tokens must be unique.",
        ),
    ]

    @api.depends("revoked", "expires_at", "refresh_expires_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        for token in self:
            if token.revoked:
                token.state = "revoked"
            elif token.expires_at > now or (
                token.refresh_expires_at and token.refresh_expires_at > now
            ):
                token.state = "active"
            else:
                token.state = "expired"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        states = {value} if isinstance(value, str) else set(value)
        if operator in ("!=", "not in"):
            states = {"active", "expired", "revoked"} - states
        now = fields.Datetime.now()
        domains = {
            "revoked": [("revoked", "=", True)],
            "active": [
                ("revoked", "=", False),
                "|",
                ("expires_at", ">", now),
                ("refresh_expires_at", ">", now),
            ],
            "expired": [
                ("revoked", "=", False),
                ("expires_at", "<=", now),
                "|",
                ("refresh_expires_at", "=", False),
                ("refresh_expires_at", "<=", now),
            ],
        }
        return expression.OR(
            [domains[state] for state in sorted(states) if state in domains]
        )

    @api.model
    def _create_from_response(
        self,
        token,
        application,
        user,
        grant_type,
        refresh_scope,
        authorization_code=None,
    ):
        """Store the token response ``token`` issued to ``application`` for ``user``."""
        now = fields.Datetime.now()
        refresh_token = token.get(REFRESH_TOKEN)
        return self.sudo().create(
            {
                "application_id": application.id,
                "user_id": user.id,
                "scope": token.get("scope", ""),
                "refresh_scope": refresh_scope if refresh_token else False,
                "grant_type": grant_type,
                "authorization_code_id": authorization_code and authorization_code.id,
                "access_token_hash": hash_secret(
                    self.env, ACCESS_TOKEN, token[ACCESS_TOKEN]
                ),
                "expires_at": now + timedelta(seconds=token["expires_in"]),
                "refresh_token_hash": refresh_token
                and hash_secret(self.env, REFRESH_TOKEN, refresh_token),
                "refresh_expires_at": refresh_token
                and now + timedelta(seconds=application._get_refresh_token_lifetime()),
            }
        )

    @api.model
    def _lock_by_refresh_token(self, refresh_token):
        """The token pair holding ``refresh_token``, locked for this transaction.

        The row lock makes concurrent refreshes of one refresh token queue up: the
        first rotates it, the others then find it revoked (or fail to serialize
        and are retried by Odoo, and then find it revoked).
        """
        token_hash = hash_secret(self.env, REFRESH_TOKEN, refresh_token)
        self.flush_model(["refresh_token_hash", "revoked"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM oauth2_token WHERE refresh_token_hash = %s FOR UPDATE",
                token_hash,
            )
        )
        return self.sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _is_refreshable(self):
        self.ensure_one()
        return (
            not self.revoked
            and bool(self.refresh_expires_at)
            and self.refresh_expires_at > fields.Datetime.now()
        )

    def action_revoke(self):
        self.filtered(lambda token: not token.revoked).write({"revoked": True})
