# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Adopt the scopes an administrator made before OpenID Connect's were
installed under the same names (openid, profile, ...): the module's data
then finds them instead of failing on their unique name, and leaves their
descriptions as the administrator wrote them."""

from odoo.tools import SQL

OPENID_SCOPE_NAMES = ("openid", "profile", "email", "phone", "address")


def migrate(cr, version):
    cr.execute(
        SQL(
            """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
               SELECT 'orestapi_oauth2', 'oauth2_scope_' || s.name,
                      'oauth2.scope', s.id, true
                 FROM oauth2_scope s
                WHERE s.name IN %s
                  AND NOT EXISTS (
                      SELECT 1 FROM ir_model_data d
                       WHERE d.module = 'orestapi_oauth2'
                         AND d.name = 'oauth2_scope_' || s.name)""",
            OPENID_SCOPE_NAMES,
        )
    )
