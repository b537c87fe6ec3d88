# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

from ..series import Constraint


class OAuth2Consent(models.Model):
    """A user's standing approval of an application for some scopes."""

    _name = "oauth2.consent"
    _description = "OAuth2 Consent"
    _order = "write_date desc, id desc"
    _rec_name = "application_id"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    application_id = fields.Many2one(
        "oauth2.application", required=True, ondelete="cascade", readonly=True
    )
    scope_ids = fields.Many2many("oauth2.scope", string="Scopes", readonly=True)
    last_used_at = fields.Datetime(
        string="Last Used",
        compute="_compute_last_used_at",
        help="When the application last used a token of this user.",
    )

    _user_application_unique = Constraint(
        "unique(user_id, application_id)", "A user has one consent per application."
    )

    def _compute_last_used_at(self):
        last_uses = {
            (user.id, application.id): last_used_at
            for user, application, last_used_at in self.env["oauth2.token"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", self.user_id.ids),
                    ("application_id", "in", self.application_id.ids),
                ],
                ["user_id", "application_id"],
                ["last_used_at:max"],
            )
        }
        for consent in self:
            consent.last_used_at = last_uses.get(
                (consent.user_id.id, consent.application_id.id), False
            )

    @api.model
    def _own(self, consent_id=None):
        """The current user's consents, or the one of them with the id
        ``consent_id``, read with the user's own rights: another user's
        consent is never among them, whoever asks."""
        if not self.has_access("read"):
            return self.browse()
        domain = [("user_id", "=", self.env.uid)]
        if consent_id is not None:
            domain.append(("id", "=", consent_id))
        return self.search(domain)

    @api.model
    def _is_needed(self, user, application, scope_names):
        """Whether ``user`` must be asked before ``application`` gets these scopes."""
        if application.skip_consent:
            return False
        granted = self._of(user, application).scope_ids.mapped("name")
        return not set(scope_names) <= set(granted)

    @api.model
    def _of(self, user, application):
        return self.sudo().search(
            [("user_id", "=", user.id), ("application_id", "=", application.id)],
            limit=1,
        )

    @api.model
    def _grant(self, user, application, scope_names):
        """Remember that ``user`` allowed ``application`` these scopes too."""
        scopes = self.env["oauth2.scope"]._by_names(scope_names)
        consent = self._of(user, application)
        if consent:
            consent.scope_ids = [fields.Command.link(scope.id) for scope in scopes]
            return consent
        return self.sudo().create(
            {
                "user_id": user.id,
                "application_id": application.id,
                "scope_ids": [fields.Command.set(scopes.ids)],
            }
        )

    def action_revoke(self):
        """Forget the consent and end every token and code its user holds for
        the app, and the app's OpenID Connect sessions of the user; the
        application's chatter says who did it. Consents are never written
        through the ORM: whoever may see one (its user, an OAuth2 manager) may
        revoke it, and nobody may change it. The web client's Revoke button
        says what it did, and closes the preferences dialog it was pressed in
        (as any button returning no action would) or reloads the list."""
        self.check_access("read")
        applications = ", ".join(self.sudo().application_id.mapped("name"))
        for consent in self.sudo():
            of_consent = [
                ("user_id", "=", consent.user_id.id),
                ("application_id", "=", consent.application_id.id),
            ]
            revoked = self.env["oauth2.token"]._revoke_grants(of_consent)
            consent.application_id._log_token_revocation(
                revoked, consent_user=consent.user_id
            )
            # the application's sign-ins end with the consent they rest on
            self.env["oauth2.session"]._end(of_consent)
        self.sudo().unlink()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Access revoked: %(applications)s", applications=applications
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
