# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..oauth.constants import (
    ALL_SCOPES,
    OFFLINE_ACCESS_SCOPE,
    OPENID_SCOPE,
    RESERVED_SCOPES,
    RPC_SCOPE,
)
from ..series import Constraint

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")


class OAuth2Scope(models.Model):
    _name = "oauth2.scope"
    _description = "OAuth2 Scope"
    _order = "name"

    name = fields.Char(required=True, help="The scope as clients request it.")
    description = fields.Char(
        translate=True, help="What the scope grants, as shown to the user."
    )

    _name_unique = Constraint("unique(name)", "A scope with this name already exists.")

    @api.constrains("name")
    def _check_name(self):
        for scope in self:
            if scope.name == ALL_SCOPES or not SCOPE_TOKEN.match(scope.name):
                raise ValidationError(
                    self.env._(
                        "The scope name %(name)s is invalid: use printable characters "
                        "without spaces, quotes or backslashes, and not '*' alone.",
                        name=scope.name,
                    )
                )

    # Applications cache the names of the scopes they may obtain, and the
    # metadata the names of all scopes (_all_names).
    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "name" in vals:
            self.filtered(
                lambda scope: scope.name != vals["name"]
            )._check_may_change_meaning()
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._check_may_change_meaning()
            self._check_leaves_every_application_a_scope()
        self.env.registry.clear_cache()
        return super().unlink()

    def _check_may_change_meaning(self):
        """Renaming or deleting a scope changes what every application, consent
        and token naming it may do, so only a Settings administrator may; and
        the names of the ``RESERVED_SCOPES`` are what the server checks, so
        they stay."""
        if not self:
            return
        reserved = RESERVED_SCOPES.intersection(self.mapped("name"))
        if reserved:
            raise UserError(self._reserved_scope_reason(reserved))
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only a Settings administrator may rename or delete a scope: "
                    "applications, consents and tokens name it."
                )
            )

    def _reserved_scope_reason(self, names):
        """Why a scope among ``names``, the ``RESERVED_SCOPES`` they hold,
        keeps its name, in the user's language."""
        reasons = {
            RPC_SCOPE: self.env._(
                "The rpc scope can be neither renamed nor deleted: Odoo's "
                "external API checks its name."
            ),
            OPENID_SCOPE: self.env._(
                "The openid scope can be neither renamed nor deleted: it is "
                "what makes a request an OpenID Connect sign-in."
            ),
            OFFLINE_ACCESS_SCOPE: self.env._(
                "The offline_access scope can be neither renamed nor deleted: "
                "it is how an OpenID Connect application asks for a refresh "
                "token."
            ),
        }
        return next(reason for name, reason in reasons.items() if name in names)

    def _check_leaves_every_application_a_scope(self):
        # An application without scopes may obtain every scope.
        emptied = (
            self.env["oauth2.application"]
            .sudo()
            .with_context(active_test=False)
            .search([("scope_ids", "in", self.ids)])
            .filtered(lambda app: not app.scope_ids - self)
        )
        if emptied:
            raise UserError(
                self.env._(
                    "Deleting these scopes would leave %(applications)s without "
                    "any, which means every scope: give them another scope first.",
                    applications=", ".join(emptied.mapped("name")),
                )
            )

    @api.model
    def _by_names(self, names):
        return self.sudo().search([("name", "in", list(names))])

    @tools.ormcache()
    def _all_names(self):
        """The names of every scope, for the metadata that every client
        fetches: kept by each worker until a scope is created, renamed or
        deleted."""
        return tuple(self.sudo().search_fetch([], ["name"]).mapped("name"))
