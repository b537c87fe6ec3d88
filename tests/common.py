# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
from urllib.parse import quote_plus

from odoo.tests import new_test_user

from ..oauth.secrets import generate_secret

TOKEN_PATH = "/orestapi/oauth2/access_token"
USER_PASSWORD = "correct horse battery staple"


def basic_auth(client_id, client_secret):
    """An RFC 6749 §2.3.1 Basic header: both parts form-urlencoded first."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


class OAuth2TestMixin:
    """Applications, scopes and users shared by the module's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scope_read = cls.env.ref("orestapi_oauth2.oauth2_scope_read")
        cls.scope_write = cls.env.ref("orestapi_oauth2.oauth2_scope_write")
        cls.scope_admin = cls.env["oauth2.scope"].create(
            {"name": "admin", "description": "Administer everything"}
        )
        cls.user = new_test_user(
            cls.env, login="oauth2_user", password=USER_PASSWORD, name="OAuth User"
        )
        cls.secret = "test-secret-for-the-integration-app"
        cls.app = cls.env["oauth2.application"].create(
            {
                "name": "Integration",
                "client_id": "integration",
                "client_secret": cls.secret,
                "scope_ids": [(6, 0, (cls.scope_read | cls.scope_write).ids)],
                "grant_password": True,
                "grant_client_credentials": True,
                "user_id": cls.user.id,
            }
        )
        cls.other_secret = "test-secret-for-the-other-application"
        cls.other_app = cls.env["oauth2.application"].create(
            {
                "name": "Other",
                "client_id": "other",
                "client_secret": cls.other_secret,
                "grant_password": True,
                "grant_client_credentials": True,
            }
        )
        cls.public_app = cls.env["oauth2.application"].create(
            {
                "name": "Browser App",
                "client_id": "browser-app",
                "client_type": "public",
                "grant_password": True,
                "grant_client_credentials": True,
            }
        )

    def set_param(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(
            f"orestapi_oauth2.{name}", value
        )

    def issue_token(self, application=None, user=None, scope="read", refresh=True):
        """``(record, access_token, refresh_token)`` of a token issued as the
        token endpoint would, straight into the database."""
        access_token = generate_secret()
        refresh_token = generate_secret() if refresh else None
        response = {"access_token": access_token, "expires_in": 360, "scope": scope}
        if refresh_token:
            response["refresh_token"] = refresh_token
        record = self.env["oauth2.token"]._create_from_response(
            response, application or self.app, user or self.user, "password", scope
        )
        return record, access_token, refresh_token
