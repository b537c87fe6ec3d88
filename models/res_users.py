# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextlib

from odoo import api, fields, models
from odoo.exceptions import AccessDenied

from ..oauth.secrets import looks_generated

# What the userinfo endpoint reads of a user, its partner and its company: the
# bearer token's lookup (oauth2.token._find_live_access_token) reads it in the
# same query, so that userinfo asks the database nothing more.
USERINFO_FIELDS = {
    "res.users": ("login", "partner_id", "company_id"),
    "res.partner": ("name", "email", "lang", "tz"),
    "res.company": ("name",),
}


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
            password = credential.get("password")
            if credential["type"] != "password" or not looks_generated(password):
                raise
            token = self.env["oauth2.token"]._find_by_token(password)
            if not token._grants_rpc_to(self.env.user):
                raise
        return {"uid": self.env.user.id, "auth_method": "oauth2", "mfa": "default"}

    @classmethod
    def check(cls, db, uid, passwd):
        # Each worker caches every (uid, password) that check() accepted, for
        # good: an access token must stop working on its next use once revoked,
        # expired or deleted, so a token never reaches that cache. It is looked
        # up first; only what is no token of this module goes on to Odoo.
        if looks_generated(passwd):
            with contextlib.closing(cls.pool.cursor()) as cr:
                env = api.Environment(cr, uid, {})
                token = env["oauth2.token"]._find_by_token(passwd)
                if token:
                    if not token._grants_rpc_to(env.user):
                        raise AccessDenied()
                    return
        return super().check(db, uid, passwd)

    def _set_password(self):
        result = super()._set_password()
        self.env["oauth2.token"]._revoke_after_password_change(self)
        return result

    def _oauth2_userinfo(self):
        """The claims of the userinfo endpoint (OpenID Connect Core §5.1 names),
        from the fields of ``USERINFO_FIELDS``, which the bearer token's lookup
        has already read."""
        self.ensure_one()
        partner, company = self.partner_id, self.company_id
        return {
            "sub": str(self.id),
            "name": partner.name,
            "email": partner.email or None,
            "login": self.login,
            "locale": (partner.lang or "").replace("_", "-") or None,
            "zoneinfo": partner.tz or None,
            "company": {"id": company.id, "name": company.name},
        }
