# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

from ..oauth.constants import ISSUER_URL_PARAM

# The parameters the issuer is made of (provider/configuration.py).
ISSUER_PARAMS = frozenset({ISSUER_URL_PARAM, "web.base.url"})


class IrConfigParameter(models.Model):
    """The identifier of Odoo's APIs (``oauth2.resource``) is the issuer: it
    follows the parameters the issuer is made of, however they are set (the
    settings, ``set_param``, Odoo updating ``web.base.url`` on an
    administrator's login)."""

    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if ISSUER_PARAMS.intersection(vals.get("key") for vals in vals_list):
            self.env["oauth2.resource"]._sync_odoo_identifier()
        return records

    def write(self, vals):
        result = super().write(vals)
        if ISSUER_PARAMS.intersection(self.mapped("key")):
            self.env["oauth2.resource"]._sync_odoo_identifier()
        return result

    def unlink(self):
        touched = ISSUER_PARAMS.intersection(self.mapped("key"))
        result = super().unlink()
        if touched:
            self.env["oauth2.resource"]._sync_odoo_identifier()
        return result
