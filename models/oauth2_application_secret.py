# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class OAuth2ApplicationSecret(models.AbstractModel):
    """Shows a freshly generated client secret once, like Odoo's API keys.

    Abstract, so the secret only travels in the action's context to the dialog and
    is never written to a table.
    """

    _name = "oauth2.application.secret"
    _description = "OAuth2 Client Secret Display"

    # the onchange that fills the dialog from the context needs an id field
    id = fields.Id()
    client_id = fields.Char(string="Client ID", readonly=True)
    client_secret = fields.Char(readonly=True)
