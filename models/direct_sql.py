# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The places where the models go around the ORM, each written once: row
locks, single-query inserts and writes on a cursor of their own."""

from contextlib import contextmanager

from odoo.tools import SQL


def lock_rows(model, condition, fields_read):
    """The records of ``model`` matching the SQL ``condition``, locked
    (``SELECT … FOR UPDATE``) for this transaction; ``fields_read`` are the
    columns ``condition`` reads, flushed first. A later locker fails to
    serialize once the first commits, and Odoo retries it: expected, so not
    logged as a bad query."""
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


def insert_row(model, values, on_conflict=None):
    """Insert a row of ``model`` with the column ``values`` in one query, the
    database stamping the log columns, and return its id; ``on_conflict``, an
    SQL ``ON CONFLICT`` clause, makes it an upsert, or with ``DO NOTHING``
    returns None when the row was there. The one2many fields that list the
    new row, which the ORM's create would update, are invalidated."""
    columns = list(values)
    model.env.cr.execute(
        SQL(
            "INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date) "
            "VALUES (%s, %s, %s, now() AT TIME ZONE 'UTC', "
            "now() AT TIME ZONE 'UTC') %s RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(
                # the ORM stores False as NULL; psycopg2 would store false
                SQL("%s", None if values[column] is False else values[column])
                for column in columns
            ),
            model.env.uid,
            model.env.uid,
            on_conflict or SQL(),
        )
    )
    row = model.env.cr.fetchone()
    if row is None:
        return None
    [row_id] = row
    for column in columns:
        for inverse in model.pool.field_inverses[model._fields[column]]:
            model.env[inverse.model_name].invalidate_model([inverse.name])
    return row_id


@contextmanager
def own_cursor(env):
    """A cursor of its own, committed when the block ends, for what must be
    written whatever becomes of ``env``'s transaction. A read-only transaction,
    which has written nothing, ends first, as Odoo's res.device does: test
    cursors refuse a read/write cursor inside a read-only one."""
    if env.cr.readonly:
        env.cr.rollback()
    with env.registry.cursor() as cr:
        yield cr
