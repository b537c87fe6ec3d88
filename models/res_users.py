# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextlib

from odoo import api, fields, models
from odoo.exceptions import AccessDenied


class ResUsers(models.Model):
    _inherit = "res.users"

    oauth2_consent_ids = fields.One2many(
        "oauth2.consent", "user_id", string="Connected Apps"
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["oauth2_consent_ids"]

    def _check_credentials(self, credential, user_agent_env):
        """An access token with the ``rpc`` scope stands in for the password in
        Odoo's external API (XML-RPC, JSON-RPC), as an API key does; never at the
        interactive login."""
        try:
            return super()._check_credentials(credential, user_agent_env)
        except AccessDenied:
            if (user_agent_env or {}).get("interactive", True):
                raise
            if credential["type"] != "password":
                raise
            token = self.env["oauth2.token"]._find_by_token(credential.get("password"))
            if not token._grants_rpc_to(self.env.user):
                raise
        return {"uid": self.env.user.id, "auth_method": "oauth2", "mfa": "default"}

    @classmethod
    def check(cls, db, uid, passwd):
        result = super().check(db, uid, passwd)
        # check() caches every (uid, password) it accepted; an access token must
        # stop working the moment it expires or is revoked.
        with contextlib.closing(cls.pool.cursor()) as cr:
            env = api.Environment(cr, uid, {})
            token = env["oauth2.token"]._find_by_token(passwd)
            if token and not token._grants_rpc_to(env.user):
                raise AccessDenied()
        return result

    def _oauth2_userinfo(self):
        """The claims of the userinfo endpoint (OpenID Connect Core §5.1 names)."""
        self.ensure_one()
        user = self.sudo()
        return {
            "sub": str(user.id),
            "name": user.name,
            "email": user.email or None,
            "login": user.login,
            "locale": (user.lang or "").replace("_", "-") or None,
            "zoneinfo": user.tz or None,
            "company": {"id": user.company_id.id, "name": user.company_id.name},
        }
