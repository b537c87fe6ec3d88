# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class OAuth2ApplicationSecret(models.Model):
    """Shows a freshly generated client secret once, like Odoo's API keys.

    The secret only travels in the action's context to the dialog, and the
    model's table is a query that is always empty: the managers who open the
    dialog need the right to read the model, and reading or searching it
    finds nothing, the secret least of all.
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
