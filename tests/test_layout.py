# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The layout readme/DESIGN.rst states: the protocol package apart from the
ORM, the provider between them; and the module's page in Apps, generated from
the readme/ fragments."""

import ast
import tokenize
import unittest
from pathlib import Path

import lxml.html

from odoo.tests import tagged

from .common import HttpCase

MODULE_ROOT = Path(__file__).resolve().parent.parent


def _imported_packages(path):
    """``(line, package)`` of each import of ``path``: the addon's own
    packages by their folder (``models``, ``provider``...), others by their
    top-level name (``odoo``, ``oauthlib``...)."""
    package_depth = len(path.relative_to(MODULE_ROOT).parts) - 1
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names = [node.module]
            elif node.level > package_depth:
                # relative to the addon: "from ..models import x" or
                # "from .. import models" (the package among the aliases)
                names = (
                    [node.module]
                    if node.module
                    else [alias.name for alias in node.names]
                )
            else:
                continue  # within its own package
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            name = name.removeprefix("odoo.addons.orestapi_oauth2.")
            yield node.lineno, name.split(".")[0]


def _python_files(package):
    return sorted((MODULE_ROOT / package).glob("*.py"))


class TestLayout(unittest.TestCase):
    """The layers: controllers and ir.http call provider/, which reads the
    models at run time and calls oauth/, the protocol, which knows nothing of
    Odoo's environment."""

    # what each package may not import of the addon's own packages
    FORBIDDEN = {
        "oauth": {"models", "controllers", "provider", "series"},
        "provider": {"models", "controllers"},
        "models": {"controllers"},
    }

    def test_packages_import_only_the_layers_below(self):
        for package, forbidden in self.FORBIDDEN.items():
            for path in _python_files(package):
                for line, imported in _imported_packages(path):
                    with self.subTest(file=f"{package}/{path.name}", line=line):
                        self.assertNotIn(
                            imported, forbidden, f"{path.name} imports {imported}"
                        )

    def test_oauth_package_imports_nothing_of_odoo(self):
        for path in _python_files("oauth"):
            for line, imported in _imported_packages(path):
                with self.subTest(file=path.name, line=line):
                    self.assertNotEqual(imported, "odoo", f"{path.name} imports odoo")

    def test_oauth_package_never_names_an_environment(self):
        """Not even as a word: its functions take values, which provider/
        reads from the database."""
        for path in _python_files("oauth"):
            with tokenize.open(path) as source:
                tokens = list(tokenize.generate_tokens(source.readline))
            for token in tokens:
                if token.type != tokenize.NAME:
                    continue
                with self.subTest(file=path.name, line=token.start[0]):
                    self.assertNotEqual(token.string, "env", f"{path.name} names env")

    def test_bearer_check_needs_no_oauthlib_server(self):
        # every auth="oauth2" request, userinfo and tokeninfo run it: the
        # token lookup is all it needs
        source = (MODULE_ROOT / "provider" / "bearer.py").read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [getattr(node, "module", None) or ""]
                names += [alias.name for alias in node.names]
                with self.subTest(line=node.lineno):
                    self.assertFalse(
                        [
                            name
                            for name in names
                            if "oauthlib" in name or "server" in name
                        ]
                    )

    def test_design_file_map_names_every_module_file(self):
        design = (MODULE_ROOT / "readme" / "DESIGN.rst").read_text()
        for package in ("controllers", "models", "oauth", "provider"):
            for path in _python_files(package):
                if path.name == "__init__.py":
                    continue
                with self.subTest(file=f"{package}/{path.name}"):
                    self.assertIn(f"``{path.name}``", design, "missing from the map")


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
