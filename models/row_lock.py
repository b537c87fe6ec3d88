# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tools import SQL


def lock_rows(model, condition, fields_read):
    """The records of ``model`` matching the SQL ``condition``, locked
    (``SELECT … FOR UPDATE``) for this transaction; ``fields_read`` are the
    columns ``condition`` reads, flushed first.

    Concurrent uses of one code or refresh token, and concurrent revocations of
    one token, then queue up. When the first commits, each later one fails to
    serialize and Odoo retries its request, which then finds the code or token
    used. That is expected, so the failure is not logged as a bad query, as an
    unlocked update failing the same way would be.
    """
    model.flush_model(fields_read)
    model.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE %s FOR UPDATE",
            SQL.identifier(model._table),
            condition,
        ),
        log_exceptions=False,
    )
    return model.browse(row[0] for row in model.env.cr.fetchall())
