# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models

from ..oauth.constants import RPC_SCOPE


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _check_credentials(self, *, scope, key):
        """An access token with the ``rpc`` scope is taken wherever Odoo takes
        an API key for its external API: as the password of XML-RPC and
        JSON-RPC, and as the bearer key of JSON-2 (19.0). Odoo asks this only
        outside the interactive login."""
        uid = super()._check_credentials(scope=scope, key=key)
        # a password that has not a token's shape asks the database nothing more
        users = self.env["res.users"]
        if uid or scope != RPC_SCOPE or not users._could_be_oauth2_token(key):
            return uid
        token = self.env["oauth2.token"]._find_by_token(key)
        # the user the caller names (XML-RPC's login, JSON-2's session user),
        # else the token's own
        user = self.env.user if self.env.uid else token.user_id
        if token._grants_rpc_to(user):
            return user.id
        return None
