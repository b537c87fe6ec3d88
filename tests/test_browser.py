# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The consent page in a real browser: Chromium logs in and allows."""

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .common import AUTHORIZE_PATH, USER_PASSWORD, TokenEndpointCase

MODULE_ROOT = Path(__file__).resolve().parent.parent


def lift_address_space_limit():
    """Odoo's server caps this process's address space (limit_memory_hard),
    which a browser and node's WebAssembly cannot live with."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


CONSENT_FLOW_SCRIPT = Path(__file__).parent / "browser" / "consent_flow.mjs"


class TestConsentInBrowser(TokenEndpointCase):
    """Chromium logs in, sees the consent page, clicks Allow and lands on the
    redirect URI with a code."""

    def test_consent_in_chromium(self):
        chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
        node_module = MODULE_ROOT / "node_modules" / "playwright-core"
        if not (chromium and node_module.exists()):
            self.fail(
                "The browser test needs Debian's chromium and `npm install` "
                "(playwright-core); .ci/run installs both."
            )
        callback = self.base_url() + "/orestapi-test-callback"
        self.app.redirect_uris = callback
        authorize_url = (
            f"{self.base_url()}{AUTHORIZE_PATH}?response_type=code"
            f"&client_id=integration&scope=read%20write&state=browser"
        )
        screenshot = os.environ.get("ORESTAPI_CONSENT_SCREENSHOT", "")
        # the browser's requests reach the server through the database, not the
        # test's ORM cache
        self.env.flush_all()
        result = subprocess.run(
            [
                "node",
                str(CONSENT_FLOW_SCRIPT),
                authorize_url,
                self.user.login,
                USER_PASSWORD,
                callback,
                screenshot,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=dict(os.environ, CHROMIUM_PATH=chromium),
            cwd=MODULE_ROOT,
            preexec_fn=lift_address_space_limit,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        landed = json.loads(result.stdout.strip().splitlines()[-1])["url"]
        self.assertTrue(landed.startswith(callback + "?"), landed)
        params = parse_qs(urlsplit(landed).query)
        self.assertEqual(params["state"], ["browser"])
        consent = self.env["oauth2.consent"].search([("user_id", "=", self.user.id)])
        self.assertEqual(consent.scope_ids, self.scope_read | self.scope_write)
        body = self.assertTokenAnswer(
            self.token_request(
                {
                    "grant_type": "authorization_code",
                    "code": params["code"][0],
                    "redirect_uri": callback,
                },
                auth=("integration", self.secret),
            )
        )
        self.assertEqual(body["scope"], "read write")
