# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import hmac

from ..oauth import frontchannel_logout
from ..provider.configuration import issuer
from ..series import Constraint
from .direct_sql import insert_row

# Rows of sessions that ended without a logout (Odoo drops a session unused
# for a week) would otherwise stay for good; a session in daily use for
# longer than this is rare, and its applications then learn of its end only
# from their own tokens' expiry.
SESSION_RETENTION = timedelta(days=90)


class OAuth2Session(models.Model):
    """An application that a user signed into, through OpenID Connect, from
    one Odoo browser session: what Back-Channel Logout 1.0 tells the end of.

    The session is known by its ``sid``, a keyed hash of Odoo's session ID
    that names it to applications without revealing it.
    """

    _name = "oauth2.session"
    _description = "OAuth2 OpenID Connect Session"
    _order = "id desc"
    _rec_name = "application_id"

    sid = fields.Char(string="Session", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    application_id = fields.Many2one(
        "oauth2.application", required=True, ondelete="cascade", readonly=True
    )

    _sid_application_unique = Constraint(
        "unique(sid, application_id)", "An application signs into a session once."
    )

    @api.model
    def _sid_of(self, odoo_session_id):
        """The sid (Back-Channel Logout 1.0 §2.1) of the Odoo browser session
        ``odoo_session_id``: stable while the session lasts, since Odoo
        changes a session's ID only when a user logs in or out."""
        return hmac(self.env(su=True), "orestapi_oauth2.sid", odoo_session_id)

    @api.model
    def _record(self, sid, user, application):
        """Remember that ``application`` holds a sign-in of ``user`` through
        the session ``sid``; one query, as an id_token is issued."""
        insert_row(
            self,
            {"sid": sid, "user_id": user.id, "application_id": application.id},
            on_conflict=SQL(
                "ON CONFLICT (sid, application_id) "
                "DO UPDATE SET write_date = EXCLUDED.write_date"
            ),
        )

    @api.model
    def _end_browser_session(self, odoo_session_id):
        """The user of the Odoo browser session ``odoo_session_id`` logged
        out: tell every application they signed into through it. Answers
        the addresses the browser loads in frames to tell those that take
        front-channel logouts (:meth:`_frontchannel_logout_uris`), which
        nothing stores: the sessions are forgotten."""
        sessions = self.sudo().search([("sid", "=", self._sid_of(odoo_session_id))])
        frame_uris = sessions._frontchannel_logout_uris()
        sessions._forget()
        return frame_uris

    @api.model
    def _end(self, domain):
        """End the sessions matching ``domain``: a logout notification is
        queued for each application that registered a back-channel logout
        URI, and the sessions are forgotten."""
        self.sudo().search(domain)._forget()

    def _forget(self):
        self.env["oauth2.logout.notification"]._queue(self)
        self.unlink()

    def _frontchannel_logout_uris(self):
        """The address that each of these sessions' active applications
        registered as its front-channel logout URI (Front-Channel Logout 1.0
        §2), oldest application first, with ``iss`` and ``sid`` for those
        that ask for them."""
        issuer_url = issuer(self.env)
        return [
            frontchannel_logout.frame_uri(
                session.application_id.frontchannel_logout_uri.strip(),
                issuer_url,
                session.sid,
                session.application_id.frontchannel_logout_session_required,
            )
            for session in self.sudo().sorted(lambda session: session.application_id.id)
            if session.application_id.active
            and (session.application_id.frontchannel_logout_uri or "").strip()
        ]

    @api.model
    def _stale_domain(self):
        """The sign-ins not renewed for longer than a session lives, which
        the cleanup job deletes."""
        return [("write_date", "<", fields.Datetime.now() - SESSION_RETENTION)]
