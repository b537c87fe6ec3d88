# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError


class OAuth2ApplicationSecret(models.Model):
    """Shows a freshly generated client secret once, like Odoo's API keys.

    The secret only travels in the action's context to the dialog, and the
    model's table is a query that is always empty: the managers who open the
    dialog need the rights to read the model and to create (the form of a
    new record, never saved), and reading or searching it finds nothing, the
    secret least of all.
    """

    _name = "oauth2.application.secret"
    _description = "OAuth2 Client Secret Display"
    _auto = False
    _log_access = False
    _table_query = (
        "SELECT NULL::integer AS id, NULL::varchar AS client_id,"
        " NULL::varchar AS client_secret WHERE FALSE"
    )

    client_id = fields.Char(string="Client ID", readonly=True)
    client_secret = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        # The right to create is the dialog's, whose form is a new record
        # (19.0's onchange asks for it, as for Odoo's API key dialog); the
        # record is never saved, and nothing can be stored here.
        raise AccessError(self.env._("A shown client secret is not stored."))
