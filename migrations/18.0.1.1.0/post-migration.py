# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
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
