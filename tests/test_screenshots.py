# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Screenshots of the administrator's and the portal user's screens, taken in
Chromium as each of them sees them, kept as test artefacts: the README's
pictures are copies of them."""

import json
import os
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import new_test_user

from ..oauth.secrets import generate_secret
from .common import (
    BROWSER_DIR,
    MODULE_ROOT,
    USER_PASSWORD,
    TokenEndpointCase,
    require_external_clients,
    run_node,
)

SCREENSHOTS_SCRIPT = BROWSER_DIR / "screenshots.mjs"
# Where the screenshots are kept after the run: ORESTAPI_ARTEFACTS, or
# artefacts/screenshots in the checkout, which git ignores.
ARTEFACTS = (
    Path(os.environ.get("ORESTAPI_ARTEFACTS") or MODULE_ROOT / "artefacts")
    / "screenshots"
)
# A PNG of a page that rendered holds far more than a blank one.
MIN_PNG_BYTES = 20_000


class TestScreenshots(TokenEndpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="oauth2_screenshot_portal",
            password=USER_PASSWORD,
            name="Petra Portal",
            groups="base.group_portal",
        )
        cls.administrator = new_test_user(
            cls.env,
            login="oauth2_screenshot_admin",
            password=USER_PASSWORD,
            name="Ada Admin",
            groups="base.group_system,orestapi_oauth2.group_oauth2_manager",
        )
        cls.env["oauth2.consent"]._grant(cls.portal_user, cls.app, ["read"])
        cls.env["oauth2.consent"]._grant(cls.user, cls.app, ["read", "write"])
        cls.issue_tokens_over_a_week()

    @classmethod
    def issue_tokens_over_a_week(cls):
        """Tokens of both users through two grants on each of the last seven
        days, so that the usage graph has bars to show."""
        tokens = cls.env["oauth2.token"]
        for days_ago in range(7):
            for user, grant_type in (
                (cls.user, "authorization_code"),
                (cls.portal_user, "authorization_code"),
                (cls.app.user_id, "client_credentials"),
            ):
                for _count in range(days_ago % 3 + 1):
                    token = tokens._create_from_response(
                        {"access_token": generate_secret(), "expires_in": 3600},
                        cls.app,
                        user,
                        grant_type,
                        "read",
                    )
                    issued = fields.Datetime.now() - timedelta(days=days_ago)
                    cls.env.cr.execute(
                        "UPDATE oauth2_token SET create_date = %s, last_used_at = %s "
                        "WHERE id = %s",
                        (issued, issued + timedelta(minutes=5), token.id),
                    )
        tokens.invalidate_model()

    def take(self, login, pages):
        """What each of ``pages`` showed ``login`` in Chromium; the PNGs are
        in ARTEFACTS."""
        chromium = require_external_clients(chromium=True)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        # the browser's requests read the database, not the test's ORM cache
        self.env.flush_all()
        result = run_node(
            SCREENSHOTS_SCRIPT,
            self.base_url(),
            login,
            USER_PASSWORD,
            str(ARTEFACTS),
            json.dumps(pages),
            env={"CHROMIUM_PATH": chromium},
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        shown = json.loads(result.stdout.strip().splitlines()[-1])
        for page in pages:
            png = ARTEFACTS / f"{page['name']}.png"
            self.assertGreater(png.stat().st_size, MIN_PNG_BYTES, png)
        return shown

    def test_the_administrators_screens(self):
        self.app.message_post(body="Redirect URIs checked with the vendor.")
        shown = self.take(
            self.administrator.login,
            [
                {
                    "name": "application_form",
                    "path": "/odoo/action-orestapi_oauth2.oauth2_application_action"
                    f"/{self.app.id}",
                    "ready": ".o_form_view .o-mail-Chatter .o-mail-Message",
                },
                {
                    "name": "usage_graph",
                    "path": "/odoo/action-orestapi_oauth2.oauth2_token_usage_action",
                    "ready": ".o_graph_renderer canvas",
                },
            ],
        )
        form = shown["application_form"]
        self.assertIn(self.app.name, form)
        # the smart buttons and the chatter's note
        self.assertIn("Active Tokens", form)
        self.assertIn("Redirect URIs checked with the vendor.", form)
        # the graph itself is a canvas: its bars are for people to look at
        self.assertIn("Usage", shown["usage_graph"])

    def test_the_portal_users_connected_apps(self):
        shown = self.take(
            self.portal_user.login,
            [
                {
                    "name": "portal_connected_apps",
                    "path": "/orestapi/oauth2/apps",
                    "ready": ".breadcrumb",
                },
            ],
        )
        page = shown["portal_connected_apps"]
        self.assertIn(self.app.name, page)
        self.assertIn("Revoke", page)
