# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The shipped translation template and its Hungarian translation."""

import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged

from .common import export_po

I18N = Path(__file__).resolve().parent.parent / "i18n"
MODULE = "orestapi_oauth2"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_pot_is_current(self):
        buffer = io.BytesIO()
        export_po(self.env, [MODULE], buffer)
        exported = polib.pofile(buffer.getvalue().decode())
        shipped = polib.pofile(str(I18N / f"{MODULE}.pot"))
        self.assertEqual(
            {entry.msgid for entry in shipped},
            {entry.msgid for entry in exported},
            "i18n/orestapi_oauth2.pot is stale: export it (README, Translations).",
        )

    def test_hungarian_translates_every_string(self):
        template = polib.pofile(str(I18N / f"{MODULE}.pot"))
        hungarian = {
            entry.msgid: entry
            for entry in polib.pofile(str(I18N / "hu.po"))
            if entry.msgstr and "fuzzy" not in entry.flags
        }
        missing = [entry.msgid for entry in template if entry.msgid not in hungarian]
        self.assertFalse(missing, "untranslated in i18n/hu.po")

    def test_hungarian_loads(self):
        self.env["res.lang"]._activate_lang("hu_HU")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["hu_HU"])
        scope = self.env.ref("orestapi_oauth2.oauth2_scope_read")
        self.assertNotEqual(
            scope.with_context(lang="hu_HU").description, scope.description
        )
