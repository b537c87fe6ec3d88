# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The tables' constraints, as PostgreSQL holds them on every series."""

from psycopg2 import IntegrityError

from odoo.tests import TransactionCase
from odoo.tools import mute_logger

# Each table's UNIQUE and CHECK constraints, by name.
CONSTRAINTS = {
    "oauth2_application": {
        "oauth2_application_client_id_unique": "u",
        "oauth2_application_lifetimes_positive": "c",
    },
    "oauth2_authorization_code": {"oauth2_authorization_code_code_hash_unique": "u"},
    "oauth2_consent": {"oauth2_consent_user_application_unique": "u"},
    "oauth2_scope": {"oauth2_scope_name_unique": "u"},
    "oauth2_session": {"oauth2_session_sid_application_unique": "u"},
    "oauth2_signing_key": {"oauth2_signing_key_kid_unique": "u"},
    "oauth2_token": {
        "oauth2_token_access_token_hash_unique": "u",
        "oauth2_token_refresh_token_hash_unique": "u",
    },
}


class TestSchema(TransactionCase):
    def test_every_constraint_is_in_postgresql(self):
        # 19.0 ignores _sql_constraints with a mere warning: only the
        # database tells whether a model's constraints were created.
        self.env.cr.execute(
            """SELECT rel.relname, con.conname, con.contype
                 FROM pg_constraint con
                 JOIN pg_class rel ON rel.oid = con.conrelid
                WHERE rel.relname = ANY(%s) AND con.contype IN ('u', 'c')""",
            [list(CONSTRAINTS)],
        )
        found = {}
        for table, name, kind in self.env.cr.fetchall():
            found.setdefault(table, {})[name] = kind
        self.assertEqual(found, CONSTRAINTS)

    def test_a_constraint_refuses_what_it_forbids(self):
        self.env["oauth2.scope"].create({"name": "inventory"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["oauth2.scope"].create({"name": "inventory"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["oauth2.application"].create(
                    {"name": "Negative", "access_token_lifetime": -1}
                )
