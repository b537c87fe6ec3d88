# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Keep of each back-channel logout failure only what the module now keeps:
the status an application answered, or the kind of network failure. Earlier
versions kept the first 200 characters of the answer and the text of the
exception, which could show what a receiver inside the network said, or tell
its open ports from its closed ones."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE oauth2_logout_notification
                  SET last_error = CASE
                      WHEN last_error ~ '^HTTP [0-9]{3}'
                          THEN substring(last_error FROM '^HTTP [0-9]{3}')
                      WHEN last_error ~ '^(ConnectTimeout|ReadTimeout|Timeout)'
                          THEN 'timed out'
                      WHEN last_error ~ '^SSLError' THEN 'TLS failure'
                      ELSE 'connection failed'
                  END
                WHERE last_error IS NOT NULL
                  AND last_error != 'No back-channel logout URI.'"""
        )
    )
