# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import oidc
from ..oauth.constants import AUTHORIZATION_CODE
from ..provider.configuration import hash_secret
from ..series import Constraint
from .direct_sql import lock_rows
from .res_config_settings import cleanup_cutoff


class OAuth2AuthorizationCode(models.Model):
    """A single-use authorization code (RFC 6749 §4.1.2), stored as a hash."""

    _name = "oauth2.authorization.code"
    _description = "OAuth2 Authorization Code"
    _order = "id desc"
    _rec_name = "application_id"

    code_hash = fields.Char(required=True, readonly=True, groups="base.group_system")
    application_id = fields.Many2one(
        "oauth2.application", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    scope = fields.Char(readonly=True)
    redirect_uri = fields.Char(
        readonly=True,
        help="The redirect_uri of the authorization request, when it sent one: the "
        "token request must then repeat it exactly.",
    )
    code_challenge = fields.Char(readonly=True)
    code_challenge_method = fields.Selection(
        [("plain", "plain"), ("S256", "S256")], readonly=True
    )
    nonce = fields.Char(
        readonly=True,
        help="OpenID Connect: the nonce of the authorization request, which the "
        "id_token repeats.",
    )
    auth_time = fields.Datetime(
        readonly=True, help="When the user who approved the request logged in."
    )
    sid = fields.Char(
        string="Session",
        readonly=True,
        help="OpenID Connect: the sid of the browser session in which the user "
        "approved the request.",
    )
    claims = fields.Text(
        readonly=True,
        help="OpenID Connect: the claims the authorization request asked for "
        "(its claims parameter, JSON), which the id_tokens and userinfo answers "
        "of this grant honour.",
    )
    acr = fields.Char(
        string="Authentication Level",
        readonly=True,
        help="OpenID Connect: the authentication context class (acr) that the "
        "user's login met for this request.",
    )
    amr = fields.Char(
        string="Authentication Methods",
        readonly=True,
        help="Space-separated: how the user logged in (RFC 8176 amr values).",
    )
    dpop_jkt = fields.Char(
        string="DPoP Key Thumbprint",
        readonly=True,
        help="RFC 9449 §10: the thumbprint of the DPoP key the authorization "
        "request bound this code to; its exchange must be proved with that key.",
    )
    expires_at = fields.Datetime(required=True, readonly=True)
    used = fields.Boolean(readonly=True)
    token_ids = fields.One2many("oauth2.token", "authorization_code_id")

    _code_hash_unique = Constraint(
        "unique(code_hash)", "Authorization codes must be unique."
    )

    @api.model
    def _create_for_request(
        self,
        code,
        application,
        user,
        scopes,
        redirect_uri,
        code_challenge,
        code_challenge_method,
        nonce=None,
        auth_time=None,
        sid=None,
        claims=None,
        acr=None,
        amr=(),
        dpop_jkt=None,
    ):
        lifetime = application._get_authorization_code_lifetime()
        return self.sudo().create(
            {
                "code_hash": hash_secret(self.env, AUTHORIZATION_CODE, code),
                "application_id": application.id,
                "user_id": user.id,
                "scope": " ".join(scopes),
                "redirect_uri": redirect_uri,
                "code_challenge": code_challenge,
                "code_challenge_method": code_challenge
                and (code_challenge_method or "plain"),
                "expires_at": fields.Datetime.now() + timedelta(seconds=lifetime),
                "nonce": nonce,
                "auth_time": oidc.as_datetime(auth_time),
                "sid": sid,
                "claims": claims,
                "acr": acr,
                "amr": " ".join(amr) or False,
                "dpop_jkt": dpop_jkt or False,
            }
        )

    @api.model
    def _lock_by_code(self, code):
        """The record of ``code``, locked so that two exchanges of one code queue
        up and the second finds it used."""
        code_hash = hash_secret(self.env, AUTHORIZATION_CODE, code)
        return lock_rows(
            self.sudo(), SQL("code_hash = %s", code_hash), ["code_hash", "used"]
        )

    @api.model
    def _find_by_code(self, code):
        """The record of ``code``, usable or not, unlocked."""
        if not code:
            return self.sudo().browse()
        code_hash = hash_secret(self.env, AUTHORIZATION_CODE, code)
        return self.sudo().search([("code_hash", "=", code_hash)], limit=1)

    @api.model
    def _usable_domain(self):
        """The codes that may still be exchanged."""
        return [("used", "=", False), ("expires_at", ">", fields.Datetime.now())]

    @api.model
    def _stale_domain(self):
        """The codes that expired before the grace period: what the cleanup
        job deletes."""
        return [("expires_at", "<", cleanup_cutoff(self.env))]

    @api.model
    def _void_unused(self, domain):
        """Use up the codes matching ``domain`` that are still unused, so that
        access revoked now does not come back through a code issued before."""
        self.sudo().search([*domain, *self._usable_domain()]).write({"used": True})

    def _effective_scopes(self):
        """The scopes of this code that its application may still obtain."""
        self.ensure_one()
        return self.application_id._still_allowed(self.scope)

    def _is_usable(self):
        self.ensure_one()
        return bool(self.filtered_domain(self._usable_domain()))

    def _revoke_issued_tokens(self):
        """RFC 6749 §4.1.2: a code used twice revokes what it issued, including
        the tokens refreshed from those, which keep the code as their origin."""
        self.sudo().token_ids._revoke_family()
