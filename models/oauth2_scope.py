# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")
ALL_SCOPES = "*"
# The scope that lets an access token stand in for its user's password in
# Odoo's external API: granted only when a request names it.
RPC_SCOPE = "rpc"


class OAuth2Scope(models.Model):
    _name = "oauth2.scope"
    _description = "OAuth2 Scope"
    _order = "name"

    name = fields.Char(required=True, help="The scope as clients request it.")
    description = fields.Char(
        translate=True, help="What the scope grants, as shown to the user."
    )

    _sql_constraints = [
        ("name_unique", "unique(name)", "A scope with this name already exists."),
    ]

    @api.constrains("name")
    def _check_name(self):
        for scope in self:
            if scope.name == ALL_SCOPES or not SCOPE_TOKEN.match(scope.name):
                raise ValidationError(
                    _(
                        "The scope name %(name)s is invalid: use printable characters "
                        "without spaces, quotes or backslashes, and not '*' alone.",
                        name=scope.name,
                    )
                )

    # Applications cache the names of the scopes they may obtain.
    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "name" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _by_names(self, names):
        return self.sudo().search([("name", "in", list(names))])

    @api.model
    def _all_names(self):
        return self.sudo().search([]).mapped("name")
