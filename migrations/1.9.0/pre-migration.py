# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Adopt a scope named offline_access that an administrator made before the
module served OpenID Connect Core §11: the module's data then finds it
instead of failing on its unique name, and leaves its description as the
administrator wrote it. It stops being a default scope, which it can no
longer be: a request must ask for it, with the user's consent."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
               SELECT 'orestapi_oauth2', 'oauth2_scope_offline_access',
                      'oauth2.scope', s.id, true
                 FROM oauth2_scope s
                WHERE s.name = 'offline_access'
                  AND NOT EXISTS (
                      SELECT 1 FROM ir_model_data d
                       WHERE d.module = 'orestapi_oauth2'
                         AND d.name = 'oauth2_scope_offline_access')"""
        )
    )
    cr.execute(
        SQL(
            """DELETE FROM oauth2_application_default_scope_rel r
                USING oauth2_scope s
                WHERE s.id = r.scope_id AND s.name = 'offline_access'"""
        )
    )
