# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.orestapi_oauth2.series import group_members

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    _set_original_grants(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    _undo_what_the_old_rights_allowed(env)


def _set_original_grants(cr):
    """Give tokens stored before the original grant was recorded the grant
    their chain of refreshes started from, so that a password change finds
    those that came from the password. A refreshed token whose chain and code
    are both gone counts as from the password grant: a password change then
    ends it, which errs on the safe side."""
    cr.execute(
        """
        UPDATE oauth2_token SET origin_grant_type = grant_type
        WHERE origin_grant_type IS NULL AND grant_type != 'refresh_token'
        """
    )
    cr.execute(
        """
        UPDATE oauth2_token token SET origin_grant_type = COALESCE(
            (
                SELECT first.origin_grant_type FROM oauth2_token first
                WHERE first.family = token.family
                AND first.grant_type != 'refresh_token'
                ORDER BY first.id LIMIT 1
            ),
            CASE WHEN token.authorization_code_id IS NOT NULL
                THEN 'authorization_code' ELSE 'password' END
        )
        WHERE origin_grant_type IS NULL
        """
    )


def _undo_what_the_old_rights_allowed(env):
    """Before this version an OAuth2 manager could rewrite tokens, create
    consents for others and let applications act as anyone. What may have been
    done that way is ended: tokens written after their creation (the module
    only ever writes a token to revoke it) are revoked, consents created by
    someone else than their user revoked, and applications acting as another
    user or skipping consent, last set up by someone who is not a Settings
    administrator, archived for an administrator to check."""
    env.cr.execute(
        "SELECT id FROM oauth2_token WHERE revoked IS NOT TRUE "
        "AND write_date > create_date"
    )
    tokens = env["oauth2.token"].browse(row[0] for row in env.cr.fetchall())
    if tokens:
        _logger.warning("Revoking %s tokens rewritten through the ORM.", len(tokens))
        tokens.action_revoke()

    env.cr.execute(
        "SELECT id FROM oauth2_consent WHERE create_uid NOT IN (%s, user_id)",
        [SUPERUSER_ID],
    )
    consents = env["oauth2.consent"].browse(row[0] for row in env.cr.fetchall())
    if consents:
        _logger.warning(
            "Revoking %s consents created by someone else than their user.",
            len(consents),
        )
        consents.action_revoke()

    administrators = group_members(env.ref("base.group_system")) | env.ref(
        "base.user_root"
    )

    def set_up_beyond_rights(app):
        others = (app.create_uid | app.write_uid) - administrators
        return others and (app.skip_consent or others != app.user_id)

    suspicious = env["oauth2.application"].search([]).filtered(set_up_beyond_rights)
    for app in suspicious:
        _logger.warning(
            "Archiving OAuth2 application %s (#%s): it acts as %s%s, and was set up "
            "by someone who is not a Settings administrator. Check it, then restore "
            "it from the archived applications.",
            app.name,
            app.id,
            app.user_id.login,
            " and skips consent" if app.skip_consent else "",
        )
    suspicious.write({"active": False})
