# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The consent page, a browser app and the portal in a real browser:
Chromium logs in and allows, an app served from another origin signs in
with PKCE, and a portal user revokes an app from My Account."""

import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.tests import new_test_user

from odoo.addons.orestapi_oauth2.provider.configuration import issuer as server_issuer

from .common import (
    AUTHORIZE_PATH,
    BROWSER_DIR,
    USER_PASSWORD,
    TokenEndpointCase,
    require_external_clients,
    run_node,
)

CONSENT_FLOW_SCRIPT = BROWSER_DIR / "consent_flow.mjs"
BROWSER_APP_FLOW_SCRIPT = BROWSER_DIR / "browser_app_flow.mjs"
PORTAL_FLOW_SCRIPT = BROWSER_DIR / "portal_flow.mjs"


class BrowserAppHandler(SimpleHTTPRequestHandler):
    """Serves the browser app's one page at every path, as a single-page app's
    host does."""

    def translate_path(self, path):
        return str(BROWSER_DIR / "spa.html")

    def log_message(self, *args):
        pass


class TestConsentInBrowser(TokenEndpointCase):
    """Chromium logs in, sees the consent page, clicks Allow and lands on the
    redirect URI with a code."""

    def test_consent_in_chromium(self):
        chromium = require_external_clients(chromium=True)
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
        result = run_node(
            CONSENT_FLOW_SCRIPT,
            authorize_url,
            self.user.login,
            USER_PASSWORD,
            callback,
            screenshot,
            env={"CHROMIUM_PATH": chromium},
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


class TestBrowserApp(TokenEndpointCase):
    """A single-page app on its own origin, a public client: Chromium lets it
    call the token endpoint and userinfo only because they answer its CORS
    requests."""

    def test_code_flow_with_pkce_and_refresh_from_another_origin(self):
        chromium = require_external_clients(chromium=True)
        app_server = ThreadingHTTPServer(("127.0.0.1", 0), BrowserAppHandler)
        threading.Thread(target=app_server.serve_forever, daemon=True).start()
        self.addCleanup(app_server.server_close)
        self.addCleanup(app_server.shutdown)
        app_origin = f"http://127.0.0.1:{app_server.server_address[1]}"
        self.public_app.write(
            {
                "redirect_uris": f"{app_origin}/callback",
                "grant_authorization_code": True,
            }
        )
        self.env.flush_all()
        query = urlencode({"odoo": self.base_url(), "client_id": "browser-app"})
        result = run_node(
            BROWSER_APP_FLOW_SCRIPT,
            f"{app_origin}/?{query}",
            self.user.login,
            USER_PASSWORD,
            env={"CHROMIUM_PATH": chromium},
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        answers = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", answers, answers)
        self.assertTrue(answers["state_matches"])
        self.assertEqual(answers["iss"], server_issuer(self.env))
        self.assertEqual(answers["token"]["status"], 200, answers)
        self.assertEqual(answers["userinfo"]["body"]["sub"], str(self.user.id))
        self.assertEqual(answers["refresh"]["status"], 200, answers)
        self.assertNotEqual(
            answers["refresh"]["body"]["refresh_token"],
            answers["token"]["body"]["refresh_token"],
        )
        self.assertEqual(answers["userinfo_after_refresh"]["status"], 200, answers)


class TestPortalInBrowser(TokenEndpointCase):
    """A portal user logs in, finds the Connected Apps card that My Account's
    scripts reveal, and revokes an app through its confirmation dialog."""

    def test_revoke_from_my_account(self):
        chromium = require_external_clients(chromium=True)
        portal_user = new_test_user(
            self.env,
            login="oauth2_browser_portal",
            password=USER_PASSWORD,
            groups="base.group_portal",
        )
        consent = self.env["oauth2.consent"]._grant(portal_user, self.app, ["read"])
        _record, access_token, _refresh = self.issue_token(self.app, portal_user)
        self.env.flush_all()
        result = run_node(
            PORTAL_FLOW_SCRIPT,
            self.base_url(),
            portal_user.login,
            USER_PASSWORD,
            os.environ.get("ORESTAPI_PORTAL_SCREENSHOT", ""),
            env={"CHROMIUM_PATH": chromium},
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        seen = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["applications"], ["Integration"])
        self.assertEqual(seen["breadcrumb"], "Connected Apps")
        self.assertEqual(seen["question"], "Revoke the access of Integration?")
        self.assertEqual(seen["rows_after"], 0)
        self.assertEqual(seen["empty_state"], 1)
        self.assertFalse(consent.exists())
        self.assertFalse(self.env["oauth2.token"]._find_live_access_token(access_token))
