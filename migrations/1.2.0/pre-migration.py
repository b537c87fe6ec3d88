# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    """Keep the applications set up before the refresh token policy existed on
    single-use refresh tokens, which their clients were written for: loosening
    that is for an administrator to choose. The column is created here, so
    that the ORM, finding it, computes the default only for new applications."""
    if column_exists(cr, "oauth2_application", "refresh_token_policy"):
        # run again, it must not undo the policies administrators chose since
        return
    create_column(cr, "oauth2_application", "refresh_token_policy", "varchar")
    cr.execute("UPDATE oauth2_application SET refresh_token_policy = 'rotate'")
