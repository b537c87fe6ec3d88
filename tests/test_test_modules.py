# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Odoo's own test runner (``odoo --test-enable``, what OCA's CI and runboat
use) runs only the test modules that ``tests/__init__.py`` imports, whereas
pytest finds every ``test_*.py`` file: both run the same suite only when the
package imports each of them."""

import ast
from pathlib import Path

from odoo.tests import TransactionCase

TESTS_DIR = Path(__file__).resolve().parent


def imported_test_modules(init_file):
    """The names that ``from . import name`` brings in ``init_file``."""
    tree = ast.parse(init_file.read_text(), filename=str(init_file))
    return {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }


class TestTestModules(TransactionCase):
    def test_init_imports_every_test_module(self):
        test_modules = {path.stem for path in TESTS_DIR.glob("test_*.py")}
        self.assertIn("test_test_modules", test_modules)
        missing = test_modules - imported_test_modules(TESTS_DIR / "__init__.py")
        self.assertFalse(
            missing,
            "tests/__init__.py does not import these test modules, which "
            f"odoo --test-enable therefore never runs: {sorted(missing)}",
        )

    def test_test_modules_share_code_only_through_common(self):
        # A test module importing another runs that one's test classes twice
        # under pytest, and hides a shared base where nobody looks for it.
        for path in sorted(TESTS_DIR.glob("test_*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            imported = {
                node.module.split(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
            }
            with self.subTest(module=path.name):
                self.assertFalse(
                    {name for name in imported if name.startswith("test_")},
                    "shared test code belongs in tests/common.py",
                )
