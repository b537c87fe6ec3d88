# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The layout README.rst states: the protocol package apart from the ORM; and
the module's page in Apps, generated from the readme/ fragments."""

import ast
import unittest
from pathlib import Path

import lxml.html

from odoo.tests import tagged

from .common import HttpCase

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


@tagged("post_install", "-at_install")
class TestModulePage(HttpCase):
    """Apps shows an application's static/description/index.html, sanitized,
    as its description_html, and nothing else."""

    def setUp(self):
        super().setUp()
        module = self.env["ir.module.module"].search([("name", "=", "orestapi_oauth2")])
        # without index.html, Odoo renders an application's page as an empty
        # <div>
        self.page = lxml.html.fromstring(module.description_html or "<div/>")
        self.assertTrue(self.page.text_content().strip(), "the page is empty")

    def test_page_says_what_the_module_does_and_where_to_start(self):
        # DESCRIPTION.rst has no heading: its opening sentence plays that part
        opening = (MODULE_ROOT / "readme" / "DESCRIPTION.rst").read_text()
        opening = " ".join(opening.split("\n\n", 1)[0].split())
        self.assertIn(opening, " ".join(self.page.text_content().split()))
        section_titles = {heading.text_content() for heading in self.page.iter("h2")}
        card_titles = {
            title.text_content() for title in self.page.find_class("card-title")
        }
        for title in ("Installation", "Configuration", "Usage"):
            self.assertIn(title, section_titles)
            self.assertIn(title, card_titles, "no card says where to start")

    def test_page_shows_every_screenshot_as_odoo_serves_it(self):
        sources = set(self.page.xpath("//img/@src"))
        screenshots = {
            f"/orestapi_oauth2/{path.relative_to(MODULE_ROOT)}"
            for path in (MODULE_ROOT / "static/description/images").glob("*.png")
        }
        self.assertTrue(screenshots)
        self.assertEqual(sources, screenshots)
        for source in sorted(sources):
            with self.subTest(source=source):
                response = self.url_open(source)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.headers["Content-Type"], "image/png")
