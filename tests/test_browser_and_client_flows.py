# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from .common import TOKEN_PATH, USER_PASSWORD
from .test_authorization_endpoint import AUTHORIZE_PATH
from .test_token_endpoint import TokenEndpointCase

MODULE_ROOT = Path(__file__).resolve().parent.parent


def lift_address_space_limit():
    """Odoo's server caps this process's address space (limit_memory_hard),
    which a browser and node's WebAssembly cannot live with."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


CONSENT_FLOW_SCRIPT = Path(__file__).parent / "browser" / "consent_flow.mjs"


class TestClientFlows(TokenEndpointCase):
    def setUp(self):
        super().setUp()
        self.callback = self.base_url() + "/orestapi-test-callback"
        self.app.redirect_uris = self.callback

    def test_requests_oauthlib_authorization_code_flow(self):
        environ = patch.dict(os.environ, {"OAUTHLIB_INSECURE_TRANSPORT": "1"})
        environ.start()
        self.addCleanup(environ.stop)
        client = OAuth2Session(
            "integration", redirect_uri=self.callback, scope=["read"]
        )
        authorization_url, state = client.authorization_url(
            self.base_url() + AUTHORIZE_PATH
        )
        # the person: logs in and allows the application
        self.authenticate(self.user.login, USER_PASSWORD)
        page = self.opener.get(authorization_url, timeout=30)
        self.assertEqual(page.status_code, 200)
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        landing = self.opener.post(
            page.url,
            data={"csrf_token": csrf, "decision": "allow"},
            allow_redirects=False,
            timeout=30,
        )
        callback_url = landing.headers["Location"]
        # the client: exchanges the code, then refreshes
        auth = HTTPBasicAuth("integration", self.secret)
        token_url = self.base_url() + TOKEN_PATH
        token = client.fetch_token(
            token_url, authorization_response=callback_url, auth=auth
        )
        self.assertEqual(token["scope"], ["read"])
        refreshed = client.refresh_token(token_url, auth=auth)
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        self.assertEqual(parse_qs(urlsplit(callback_url).query)["state"], [state])


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
