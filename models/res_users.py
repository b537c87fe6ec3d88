# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextlib

from odoo import api, fields, models
from odoo.exceptions import AccessDenied
from odoo.tools import SQL

from ..oauth.secrets import looks_generated


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
        """The claims of the userinfo endpoint (OpenID Connect Core §5.1 names).

        Every userinfo request asks this: one query reads the user, its partner
        and its company, where the ORM would fetch the three records, with all
        their columns, one by one (a quarter of the request's time).
        """
        self.ensure_one()
        self.flush_recordset(["login", "partner_id", "company_id"])
        self.env["res.partner"].flush_model(["name", "email", "lang", "tz"])
        self.env["res.company"].flush_model(["name"])
        self.env.cr.execute(
            SQL(
                "SELECT partner.name, partner.email, users.login, partner.lang, "
                "partner.tz, company.id, company.name "
                "FROM res_users users "
                "JOIN res_partner partner ON partner.id = users.partner_id "
                "JOIN res_company company ON company.id = users.company_id "
                "WHERE users.id = %s",
                self.id,
            )
        )
        name, email, login, lang, tz, company_id, company_name = self.env.cr.fetchone()
        return {
            "sub": str(self.id),
            "name": name,
            "email": email or None,
            "login": login,
            "locale": (lang or "").replace("_", "-") or None,
            "zoneinfo": tz or None,
            "company": {"id": company_id, "name": company_name},
        }
