# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""How an application came to be, and the client metadata of RFC 7591 §2
that describes it beyond what the protocol needs: set by an administrator, by
Dynamic Client Registration (RFC 7591) or from a Client ID Metadata
Document."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..oauth.client_metadata import (
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    NONE,
)

ADMIN = "admin"
DYNAMIC = "dynamic"
METADATA_DOCUMENT = "metadata_document"


class OAuth2ApplicationRegistration(models.Model):
    _inherit = "oauth2.application"

    registration_source = fields.Selection(
        [
            (ADMIN, "Administrator"),
            (DYNAMIC, "Dynamic registration"),
            (METADATA_DOCUMENT, "Client ID Metadata Document"),
        ],
        required=True,
        default=ADMIN,
        readonly=True,
        tracking=True,
        help="Who registered the application: an administrator in this form, "
        "the application itself at the registration endpoint (RFC 7591), or "
        "its Client ID Metadata Document, which its client ID points to.",
    )
    registered_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the application registered itself.",
    )
    registered_from = fields.Char(
        readonly=True,
        copy=False,
        help="The address the application registered itself from.",
    )
    client_uri = fields.Char(
        string="Client URI",
        tracking=True,
        help="The application's home page, as it describes itself.",
    )
    logo_uri = fields.Char(string="Logo URI", tracking=True)
    tos_uri = fields.Char(string="Terms of Service URI", tracking=True)
    policy_uri = fields.Char(string="Privacy Policy URI", tracking=True)
    contacts = fields.Text(
        tracking=True,
        help="Addresses of the people responsible for the application, one per "
        "line, as it gave them.",
    )
    software_id = fields.Char(
        string="Software ID",
        tracking=True,
        help="Names the software of the application across its installations "
        "(RFC 7591 §2), as the application gave it.",
    )
    software_version = fields.Char(tracking=True)
    token_endpoint_auth_method = fields.Selection(
        [
            (CLIENT_SECRET_BASIC, "client_secret_basic"),
            (CLIENT_SECRET_POST, "client_secret_post"),
            (NONE, "none"),
        ],
        string="Token Endpoint Authentication",
        compute="_compute_token_endpoint_auth_method",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="How the application said it authenticates at the token endpoint "
        "(RFC 7591 §2): none for public clients, with its secret in the "
        "Authorization header (client_secret_basic) or in the body "
        "(client_secret_post) for confidential ones.",
    )

    @api.depends("client_type")
    def _compute_token_endpoint_auth_method(self):
        for app in self:
            if app.client_type == "public":
                app.token_endpoint_auth_method = NONE
            elif app.token_endpoint_auth_method in (False, NONE):
                app.token_endpoint_auth_method = CLIENT_SECRET_BASIC

    @api.constrains("client_type", "token_endpoint_auth_method")
    def _check_token_endpoint_auth_method(self):
        for app in self:
            if (app.client_type == "public") != (
                app.token_endpoint_auth_method == NONE
            ):
                raise ValidationError(
                    self.env._(
                        "%(application)s: a public client authenticates with "
                        "none at the token endpoint, and only a public one.",
                        application=app.name,
                    )
                )
