# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The layout README.rst states: the protocol package apart from the ORM."""

import ast
import unittest
from pathlib import Path

MODULE_ROOT = Path(__file__).resolve().parent.parent


class TestLayout(unittest.TestCase):
    def test_oauth_package_imports_nothing_from_models(self):
        for path in sorted((MODULE_ROOT / "oauth").glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    # "from .. import models" names the package in the aliases
                    names = (
                        [node.module]
                        if node.module
                        else [alias.name for alias in node.names]
                    )
                    relative_to_addon = node.level == 2
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                    relative_to_addon = False
                else:
                    continue
                for name in names:
                    with self.subTest(file=path.name, line=node.lineno):
                        self.assertFalse(
                            (relative_to_addon and name.split(".")[0] == "models")
                            or name.startswith("odoo.addons.orestapi_oauth2.models"),
                            f"{path.name} imports {name}",
                        )
