# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The administrator's tour: what a Settings administrator clicks in the web
client, from creating applications to the settings, with what each click did."""

from odoo.tests import new_test_user, tagged

from ..models.res_config_settings import (
    ISSUER_URL_PARAM,
    OUTBOUND_ALLOWED_NETWORKS_PARAM,
    get_oauth2_setting,
)
from .common import HttpCase

HAND_SET_SECRET = "a-secret-the-administrator-chose-by-hand-in-the-tour"


@tagged("post_install", "-at_install")
class TestTourAdministrator(HttpCase):
    def test_administrator_tour(self):
        service = new_test_user(
            self.env,
            login="tour_service",
            name="Tour Service",
            groups="base.group_user",
        )
        keys = self.env["oauth2.signing.key"]
        signing_before = keys.search([("state", "=", "signing")])
        self.assertTrue(signing_before)

        self.start_tour("/odoo", "orestapi_oauth2_administrator", login="admin")

        apps = self.env["oauth2.application"]

        def application(name):
            return apps.search([("name", "=", name)])

        confidential = application("Tour Confidential")
        self.assertEqual(confidential.client_type, "confidential")
        self.assertTrue(confidential.grant_authorization_code)
        self.assertTrue(confidential.grant_implicit)
        self.assertEqual(confidential.subject_type, "pairwise")
        self.assertEqual(confidential.id_token_signed_response_alg, "ES256")
        self.assertTrue(confidential._check_client_secret(HAND_SET_SECRET))
        notes = confidential.message_ids.mapped("body")
        self.assertTrue(any("regenerated" in note for note in notes))
        self.assertTrue(any("set by hand" in note for note in notes))
        self.assertFalse(any(HAND_SET_SECRET in note for note in notes))

        public = application("Tour Public")
        self.assertEqual(public.client_type, "public")
        self.assertFalse(public.has_client_secret)
        self.assertTrue(public._is_pkce_required())

        client_credentials = application("Tour Client Credentials")
        self.assertTrue(client_credentials.grant_client_credentials)
        self.assertEqual(client_credentials.user_id, service)
        self.assertFalse(client_credentials.grant_authorization_code)
        # the tour got a token with the secret its dialog showed
        self.assertTrue(
            self.env["oauth2.token"].search(
                [("application_id", "=", client_credentials.id)]
            )
        )

        fapi = application("Tour FAPI")
        self.assertTrue(fapi.fapi2_profile)
        self.assertEqual(fapi.token_endpoint_auth_method, "private_key_jwt")
        self.assertEqual(fapi.token_endpoint_auth_signing_alg, "ES256")
        self.assertTrue(fapi.require_pushed_authorization_requests)
        self.assertTrue(fapi.dpop_bound_access_tokens)
        self.assertEqual(fapi.id_token_signed_response_alg, "ES256")
        self.assertFalse(fapi.has_client_secret)
        self.assertGreater(fapi.access_token_lifetime, 0)
        self.assertIn("tour-fapi", fapi.jwks)

        signing_after = keys.search([("state", "=", "signing")])
        self.assertFalse(signing_after & signing_before, "every key was replaced")
        self.assertEqual(
            set((signing_before - signing_after).mapped("state")), {"published"}
        )

        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param(ISSUER_URL_PARAM), "https://sso.tour.example")
        self.assertEqual(
            params.get_param(OUTBOUND_ALLOWED_NETWORKS_PARAM), "10.20.0.0/16"
        )
        for name, value in {
            "id_token_lifetime": 1200,
            "key_rotation_days": 30,
            "email_verified": True,
            "access_token_lifetime": 1800,
            "refresh_token_lifetime": 864000,
            "cleanup_grace_days": 14,
            "authorization_code_lifetime": 120,
            "require_pkce": True,
            "client_auth_max_failures": 7,
            "client_auth_failure_window": 900,
            "revoke_all_tokens_on_password_change": True,
            "accept_older_client_requests": True,
        }.items():
            with self.subTest(setting=name):
                self.assertEqual(get_oauth2_setting(self.env, name), value)
