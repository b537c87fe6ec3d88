# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hmac
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth.secrets import generate_secret
from ..provider.configuration import hash_secret
from ..series import Constraint

# The label under which initial access tokens are hashed: no client secret or
# access token of the same text ever matches one.
INITIAL_ACCESS_TOKEN = "registration_initial_access_token"
DEFAULT_VALIDITY = timedelta(days=7)


class OAuth2RegistrationToken(models.Model):
    """An initial access token (RFC 7591 §3): what an administrator hands to
    the developer of an application so that it may register itself while
    registration requires one. Stored as a hash; shown once, when created."""

    _name = "oauth2.registration.token"
    _description = "OAuth2 Initial Access Token"
    _order = "create_date desc, id desc"

    name = fields.Char(
        required=True,
        help="Whom the token was given to, or what for: the applications that "
        "register with it show this name.",
    )
    active = fields.Boolean(default=True)
    token = fields.Char(
        compute="_compute_token",
        readonly=True,
        help="Shown once, when the token is created: copy it now. Only a hash "
        "is stored.",
    )
    token_hash = fields.Char(copy=False, groups="base.group_system")
    expires_at = fields.Datetime(
        required=True,
        default=lambda self: fields.Datetime.now() + DEFAULT_VALIDITY,
        help="After this, the token registers no application.",
    )
    max_uses = fields.Integer(
        string="Maximum Registrations",
        help="How many applications may register with the token; 0 for any "
        "number until it expires.",
    )
    use_count = fields.Integer(string="Registrations", readonly=True, copy=False)
    application_ids = fields.One2many(
        "oauth2.application",
        "registration_token_id",
        string="Registered Applications",
        readonly=True,
        context={"active_test": False},
    )
    state = fields.Selection(
        [
            ("valid", "Valid"),
            ("expired", "Expired"),
            ("used_up", "Used up"),
            ("revoked", "Revoked"),
        ],
        compute="_compute_state",
    )

    _max_uses_not_negative = Constraint(
        "CHECK(max_uses >= 0)",
        "The maximum number of registrations cannot be negative.",
    )

    def _compute_token(self):
        # Never readable once stored: the token generated at creation stays
        # in the cache of the transaction that created it, which is how the
        # form that saved the record shows it exactly once.
        self.token = False

    @api.depends("active", "expires_at", "max_uses", "use_count")
    def _compute_state(self):
        now = fields.Datetime.now()
        for record in self:
            if not record.active:
                record.state = "revoked"
            elif record.expires_at and record.expires_at <= now:
                record.state = "expired"
            elif record.max_uses and record.use_count >= record.max_uses:
                record.state = "used_up"
            else:
                record.state = "valid"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.pop("use_count", None)
            vals.pop("token_hash", None)
        records = super().create(vals_list)
        for record in records:
            token = generate_secret()
            # the hash is the administrators' field: written as the server
            record.sudo().token_hash = hash_secret(
                self.env, INITIAL_ACCESS_TOKEN, token
            )
            record.env.cache.set(record, self._fields["token"], token)
        return records

    def action_revoke(self):
        """The token registers no more applications; those it registered
        stay."""
        self.write({"active": False})
        return True

    @api.model
    def _consume(self, token):
        """The valid initial access token ``token``, its use counted, or an
        empty recordset. The row is locked, so that two registrations at
        once cannot both take its last use."""
        if not token or not token.isascii() or len(token) > 200:
            return self.browse()
        presented = hash_secret(self.env, INITIAL_ACCESS_TOKEN, token)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id, token_hash FROM oauth2_registration_token "
                "WHERE token_hash = %s AND active FOR UPDATE",
                presented,
            )
        )
        row = self.env.cr.fetchone()
        if not row or not hmac.compare_digest(row[1], presented):
            return self.browse()
        record = self.sudo().browse(row[0])
        record.invalidate_recordset()
        if record.state != "valid":
            return self.browse()
        record.use_count += 1
        return record
