# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint: an MCP server,
presented a user's access token issued for it, trades it for a token of the
same user for Odoo's APIs, as its own confidential client."""

import json
import time
import unittest
from datetime import timedelta

from odoo import fields

from ..oauth import routes
from ..oauth.access_tokens import access_token_claims
from ..oauth.acr import ACR_MFA
from .common import (
    MODULE_ROOT,
    PREFIX,
    USER_PASSWORD,
    BearerCase,
    TokenEndpointCase,
    run_node,
)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
MCP = "https://mcp.example.com/mcp"
REPORTS = "https://reports.example.com/v1"
WHOAMI = "/orestapi_oauth2_test/whoami"
JOSE_RESOURCE_SERVER = MODULE_ROOT / "tests" / "clients" / "jose_resource_server.mjs"


class TestTokenExchange(TokenEndpointCase, BearerCase):
    """``integration`` is the user's agent (an MCP client): it obtains tokens
    for the MCP server's resource; ``mcp-server`` is the MCP server's own
    confidential client, which exchanges them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app.access_token_audiences = f"{MCP}\n{REPORTS}"
        cls.mcp_secret = "test-secret-for-the-mcp-server-client"
        cls.mcp_app = cls.env["oauth2.application"].create(
            {
                "name": "MCP Server",
                "client_id": "mcp-server",
                "client_secret": cls.mcp_secret,
                "grant_authorization_code": False,
                "grant_token_exchange": True,
                "is_resource_server": True,
            }
        )
        resources = cls.env["oauth2.resource"]
        cls.mcp_resource = resources.create(
            {"name": "MCP", "identifier": MCP, "application_id": cls.mcp_app.id}
        )
        # another resource server's, whose tokens the MCP server may not trade
        cls.reports_resource = resources.create(
            {
                "name": "Reports",
                "identifier": REPORTS,
                "application_id": cls.other_app.id,
            }
        )
        cls.odoo_resource = cls.env.ref("orestapi_oauth2.oauth2_resource_odoo")

    def setUp(self):
        super().setUp()
        # the issuer jose trusts, and Odoo's APIs' identifier
        self.set_param("issuer_url", self.base_url())

    @property
    def mcp(self):
        return ("mcp-server", self.mcp_secret)

    # Helpers

    def subject_token(self, resource=MCP, scope="read write"):
        """A token answer of the agent's for ``resource``, by the password
        grant: as the MCP server is presented it."""
        data = {"scope": scope}
        if resource:
            data["resource"] = resource
        return self.assertTokenAnswer(self.password_grant(**data))

    def exchange(self, subject_token, auth=None, **extra):
        data = [
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", subject_token),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ]
        for name, value in extra.items():
            values = value if isinstance(value, list) else [value]
            data += [(name, item) for item in values]
        return self.token_request(data, auth=auth or self.mcp)

    def exchanged(self, subject_token, **extra):
        return self.assertTokenAnswer(self.exchange(subject_token, **extra))

    def record_of(self, token):
        self.env.invalidate_all()
        return self.env["oauth2.token"]._find_by_token(token)

    def introspect(self, token, auth=None):
        response = self.http_request(
            "POST", PREFIX + "introspect", data={"token": token}, auth=auth or self.mcp
        )
        return self.assertTokenAnswer(response)

    def whoami(self, token):
        return self.bearer_get(WHOAMI, token)

    def verified_offline(self, token, audience):
        self.env.flush_all()
        result = run_node(JOSE_RESOURCE_SERVER, self.base_url(), audience, token)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def assertNoExchangedToken(self):
        self.assertFalse(
            self.env["oauth2.token"].search([("application_id", "=", self.mcp_app.id)])
        )

    # The exchange

    def test_opaque_subject_token_exchanged_for_odoo(self):
        subject = self.subject_token()
        body = self.exchanged(subject["access_token"])
        self.assertEqual(
            set(body),
            {"access_token", "issued_token_type", "token_type", "expires_in", "scope"},
            "no refresh token (RFC 8693 §2.2.1)",
        )
        self.assertEqual(body["issued_token_type"], ACCESS_TOKEN_TYPE)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["scope"], "read write")
        self.assertLessEqual(body["expires_in"], subject["expires_in"])
        subject_record = self.record_of(subject["access_token"])
        record = self.record_of(body["access_token"])
        self.assertEqual(record.application_id, self.mcp_app)
        self.assertEqual(record.user_id, self.user)
        self.assertEqual(record.subject_token_id, subject_record)
        self.assertEqual(record.grant_type, TOKEN_EXCHANGE)
        self.assertEqual(record.audience, self.base_url())
        self.assertLessEqual(record.expires_at, subject_record.expires_at)
        self.assertFalse(record.refresh_token_hash)
        # introspected by the resource server (RFC 8693 §4.1: act)
        claims = self.introspect(body["access_token"])
        self.assertTrue(claims["active"])
        self.assertEqual(claims["act"], {"sub": "mcp-server"})
        self.assertEqual(claims["aud"], self.base_url())
        self.assertEqual(claims["client_id"], "mcp-server")
        self.assertEqual(claims["username"], self.user.login)
        # the subject token has no act
        self.assertNotIn("act", self.introspect(subject["access_token"]))
        # and it works at Odoo's APIs, as the user
        response = self.whoami(body["access_token"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["uid"], self.user.id)
        self.assertEqual(response.json()["application"], "mcp-server")

    def test_jwt_subject_token_exchanged_for_a_jwt(self):
        self.app.access_token_format = "jwt"
        self.mcp_app.access_token_format = "jwt"
        subject = self.subject_token()
        subject_claims = self.verified_offline(subject["access_token"], MCP)["claims"]
        body = self.exchanged(subject["access_token"])
        verified = self.verified_offline(body["access_token"], self.base_url())
        claims = verified["claims"]
        self.assertEqual(verified["header"]["typ"], "at+jwt")
        self.assertEqual(claims["act"], {"sub": "mcp-server"})
        self.assertEqual(claims["aud"], self.base_url())
        self.assertEqual(claims["client_id"], "mcp-server")
        self.assertEqual(claims["scope"], "read write")
        self.assertLessEqual(claims["exp"], subject_claims["exp"])
        self.assertEqual(claims["sub"], subject_claims["sub"])
        self.assertNotIn("act", subject_claims)
        response = self.whoami(body["access_token"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["uid"], self.user.id)

    def test_target_resource_decides_the_token_format(self):
        self.odoo_resource.access_token_format = "jwt"
        body = self.exchanged(self.subject_token()["access_token"])
        claims = self.verified_offline(body["access_token"], self.base_url())
        self.assertEqual(claims["claims"]["act"], {"sub": "mcp-server"})

    def test_lifetime_never_beyond_the_subject_token(self):
        subject = self.subject_token()
        record = self.record_of(subject["access_token"])
        record.expires_at = fields.Datetime.now() + timedelta(seconds=30)
        self.env.flush_all()
        body = self.exchanged(subject["access_token"])
        self.assertLessEqual(body["expires_in"], 30)
        self.assertLessEqual(
            self.record_of(body["access_token"]).expires_at, record.expires_at
        )

    def test_target_named_by_resource_or_audience(self):
        subject = self.subject_token()["access_token"]
        for name in ("resource", "audience"):
            body = self.exchanged(subject, **{name: self.base_url()})
            self.assertEqual(
                self.record_of(body["access_token"]).audience, self.base_url()
            )
        # another registered resource than Odoo's
        body = self.exchanged(subject, resource=REPORTS)
        self.assertEqual(self.record_of(body["access_token"]).audience, REPORTS)
        # both naming the same target is one target
        self.exchanged(subject, resource=REPORTS, audience=REPORTS)

    # Scopes

    def test_scopes_narrowed_never_widened(self):
        subject = self.subject_token(scope="read")["access_token"]
        body = self.exchanged(subject, scope="read write")
        self.assertEqual(body["scope"], "read", "write was never the user's")
        body = self.assertOAuthError(
            self.exchange(subject, scope="write"), "invalid_scope"
        )
        self.assertOAuthError(self.exchange(subject, scope="admin"), "invalid_scope")
        self.assertEqual(
            self.env["oauth2.token"].search_count(
                [("application_id", "=", self.mcp_app.id)]
            ),
            1,
        )

    def test_scopes_are_those_of_the_target_and_the_acting_client(self):
        subject = self.subject_token(scope="read write")["access_token"]
        self.odoo_resource.scope_ids = self.scope_read
        self.assertEqual(self.exchanged(subject)["scope"], "read")
        self.odoo_resource.scope_ids = self.scope_write
        self.mcp_app.scope_ids = self.scope_read
        self.assertOAuthError(self.exchange(subject), "invalid_scope")
        self.odoo_resource.scope_ids = False
        self.assertEqual(self.exchanged(subject, scope="read")["scope"], "read")

    # Refused subject tokens (RFC 8693 §2.2.2: invalid_request)

    def test_revoked_subject_token_refused(self):
        subject = self.subject_token()["access_token"]
        self.record_of(subject)._revoke_family()
        body = self.assertOAuthError(self.exchange(subject), "invalid_request")
        self.assertIn("subject_token", body["error_description"])
        self.assertNoExchangedToken()

    def test_expired_subject_token_refused(self):
        subject = self.subject_token()["access_token"]
        self.record_of(subject).expires_at = fields.Datetime.now() - timedelta(
            seconds=1
        )
        self.env.flush_all()
        self.assertOAuthError(self.exchange(subject), "invalid_request")
        self.assertNoExchangedToken()

    def test_subject_token_of_an_archived_user_refused(self):
        subject = self.subject_token()["access_token"]
        self.user.active = False
        self.assertOAuthError(self.exchange(subject), "invalid_request")
        self.assertNoExchangedToken()

    def test_subject_token_for_another_resource_refused(self):
        # for another resource server's resource, and for no resource at all
        # (the agent's own client_id)
        for resource in (REPORTS, None):
            if not resource:
                self.app.access_token_audiences = False
            subject = self.subject_token(resource=resource)["access_token"]
            body = self.assertOAuthError(self.exchange(subject), "invalid_request")
            self.assertIn("resource server", body["error_description"])
        self.assertNoExchangedToken()

    def test_subject_token_for_the_mcp_server_exchanged_by_another_client(self):
        self.other_app.grant_token_exchange = True
        subject = self.subject_token()["access_token"]
        response = self.exchange(subject, auth=("other", self.other_secret))
        self.assertOAuthError(response, "invalid_request")
        # and the token for Reports, by the Reports server, is its to trade
        subject = self.subject_token(resource=REPORTS)["access_token"]
        self.assertTokenAnswer(
            self.exchange(subject, auth=("other", self.other_secret))
        )

    def test_archived_mcp_resource_ends_its_exchanges(self):
        subject = self.subject_token()["access_token"]
        self.mcp_resource.active = False
        self.assertOAuthError(self.exchange(subject), "invalid_request")

    def test_login_weaker_than_the_acting_client_requires_refused(self):
        subject = self.subject_token()["access_token"]
        self.mcp_app.minimum_acr = ACR_MFA
        body = self.assertOAuthError(self.exchange(subject), "invalid_request")
        self.assertIn("stronger login", body["error_description"])
        self.assertNoExchangedToken()

    def test_other_token_types_refused(self):
        subject = self.subject_token()
        for token_type in (
            "urn:ietf:params:oauth:token-type:refresh_token",
            "urn:ietf:params:oauth:token-type:id_token",
            "urn:ietf:params:oauth:token-type:jwt",
            "urn:ietf:params:oauth:token-type:saml2",
            "",
        ):
            response = self.token_request(
                {
                    "grant_type": TOKEN_EXCHANGE,
                    "subject_token": subject["refresh_token"],
                    "subject_token_type": token_type,
                },
                auth=self.mcp,
            )
            self.assertOAuthError(response, "invalid_request")
        # a refresh token presented as an access token is no access token
        self.assertOAuthError(
            self.exchange(subject["refresh_token"]), "invalid_request"
        )
        self.assertNoExchangedToken()

    def test_garbage_oversized_and_repeated_parameters(self):
        subject = self.subject_token()["access_token"]
        for garbage in ("garbage", "a.b.c", "x" * 9000, "eyJ" * 3000):
            self.assertOAuthError(self.exchange(garbage), "invalid_request")
        for name in (
            "subject_token",
            "subject_token_type",
            "scope",
            "requested_token_type",
        ):
            value = ACCESS_TOKEN_TYPE if name.endswith("type") else "read"
            data = [
                ("grant_type", TOKEN_EXCHANGE),
                ("subject_token", subject),
                ("subject_token_type", ACCESS_TOKEN_TYPE),
                (name, subject if name == "subject_token" else value),
                (name, subject if name == "subject_token" else value),
            ]
            if name in ("subject_token", "subject_token_type"):
                del data[1 if name == "subject_token" else 2]
            body = self.assertOAuthError(
                self.token_request(data, auth=self.mcp), "invalid_request"
            )
            self.assertIn(name, body["error_description"])
        # missing parameters
        for missing in ("subject_token", "subject_token_type"):
            data = {
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": subject,
                "subject_token_type": ACCESS_TOKEN_TYPE,
            }
            del data[missing]
            self.assertOAuthError(
                self.token_request(data, auth=self.mcp), "invalid_request"
            )
        # an actor token, another requested type
        self.assertOAuthError(
            self.exchange(
                subject, actor_token=subject, actor_token_type=ACCESS_TOKEN_TYPE
            ),
            "invalid_request",
        )
        self.assertOAuthError(
            self.exchange(
                subject,
                requested_token_type="urn:ietf:params:oauth:token-type:refresh_token",
            ),
            "invalid_request",
        )
        self.assertNoExchangedToken()
        # the requested type named is the one issued
        self.exchanged(subject, requested_token_type=ACCESS_TOKEN_TYPE)

    def test_refused_targets(self):
        subject = self.subject_token()["access_token"]
        for extra in (
            {"resource": "https://unknown.example.com/"},
            {"audience": "some-service"},
            {"resource": "not a uri"},
            {"resource": MCP},
            {"audience": MCP},
            {"resource": [REPORTS, self.base_url()]},
            {"resource": REPORTS, "audience": self.base_url()},
            {"resource": "https://x.example.com/" + "a" * 5000},
        ):
            with self.subTest(extra=extra):
                self.assertOAuthError(self.exchange(subject, **extra), "invalid_target")
        self.reports_resource.active = False
        self.assertOAuthError(
            self.exchange(subject, resource=REPORTS), "invalid_target"
        )
        self.assertNoExchangedToken()

    def test_acting_client_audiences_narrow_its_targets(self):
        subject = self.subject_token()["access_token"]
        # the MCP server's own client may obtain tokens for Reports alone
        self.mcp_app.access_token_audiences = REPORTS
        self.assertOAuthError(self.exchange(subject), "invalid_target")
        self.assertOAuthError(
            self.exchange(subject, resource=self.base_url()), "invalid_target"
        )
        self.assertNoExchangedToken()
        body = self.exchanged(subject, resource=REPORTS)
        self.assertEqual(self.record_of(body["access_token"]).audience, REPORTS)
        # listed, Odoo's APIs again
        self.mcp_app.access_token_audiences = f"{REPORTS}\n{self.base_url()}"
        self.exchanged(subject)

    def test_no_token_for_odoo_under_another_resource_identifier(self):
        subject = self.subject_token()["access_token"]
        # the issuer became the identifier Reports already holds
        self.set_param("issuer_url", REPORTS)
        self.assertOAuthError(self.exchange(subject), "invalid_target")
        self.assertNoExchangedToken()

    def test_only_authorization_server_scopes_left_is_invalid_scope(self):
        openid = self.env.ref("orestapi_oauth2.oauth2_scope_openid")
        self.app.scope_ids |= openid
        subject = self.subject_token(scope="openid read")["access_token"]
        # Odoo's APIs accept write alone: openid would be all that is left
        self.odoo_resource.scope_ids = self.scope_write
        self.assertOAuthError(self.exchange(subject), "invalid_scope")
        self.assertNoExchangedToken()

    # Refused clients

    def test_public_client_refused(self):
        self.public_app.grant_token_exchange = True
        subject = self.subject_token()["access_token"]
        response = self.token_request(
            {
                "grant_type": TOKEN_EXCHANGE,
                "client_id": "browser-app",
                "subject_token": subject,
                "subject_token_type": ACCESS_TOKEN_TYPE,
            }
        )
        self.assertOAuthError(response, "invalid_client")
        self.assertNoExchangedToken()

    def test_wrong_secret_refused_and_counted(self):
        subject = self.subject_token()["access_token"]
        response = self.exchange(subject, auth=("mcp-server", "wrong"))
        self.assertOAuthError(response, "invalid_client", status=401)
        self.assertTrue(
            self.env["oauth2.client.auth.failure"].search(
                [("client_id", "=", "mcp-server")]
            )
        )
        self.assertNoExchangedToken()

    def test_client_without_the_grant_refused(self):
        self.mcp_app.grant_token_exchange = False
        subject = self.subject_token()["access_token"]
        self.assertOAuthError(self.exchange(subject), "unauthorized_client")
        self.assertNoExchangedToken()

    # Revoked with the subject token

    def test_exchanged_token_revoked_with_its_subject_token(self):
        subject = self.subject_token()
        body = self.exchanged(subject["access_token"])
        self.assertEqual(self.whoami(body["access_token"]).status_code, 200)
        # the agent revokes its token (RFC 7009)
        response = self.http_request(
            "POST",
            PREFIX + "revoke",
            data={"token": subject["refresh_token"]},
            auth=("integration", self.secret),
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertBearerError(self.whoami(body["access_token"]), 401, "invalid_token")
        self.assertFalse(self.introspect(body["access_token"])["active"])
        self.assertTrue(self.record_of(body["access_token"]).revoked)

    def test_exchanged_token_revoked_by_the_mcp_server_alone(self):
        subject = self.subject_token()["access_token"]
        body = self.exchanged(subject)
        response = self.http_request(
            "POST",
            PREFIX + "revoke",
            data={"token": body["access_token"]},
            auth=self.mcp,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.record_of(body["access_token"]).revoked)
        self.assertFalse(self.record_of(subject).revoked, "the agent's grant lives")
        self.exchanged(subject)

    def test_replay_after_consent_revocation(self):
        consent = self.env["oauth2.consent"]._grant(self.user, self.app, ["read"])
        subject = self.subject_token()["access_token"]
        body = self.exchanged(subject)
        consent.with_user(self.user).action_revoke()
        self.assertBearerError(self.whoami(body["access_token"]), 401, "invalid_token")
        self.assertOAuthError(self.exchange(subject), "invalid_request")
        # the agent's chatter says the exchanged token ended too
        note = self.app.message_ids[:1]
        self.assertIn("consent", note.body)
        self.assertIn("MCP Server", note.body)
        self.assertIn("token exchange", note.body)

    def test_password_change_ends_exchanged_tokens(self):
        subject = self.subject_token()["access_token"]
        body = self.exchanged(subject)
        self.user.password = USER_PASSWORD + " changed"
        self.assertBearerError(self.whoami(body["access_token"]), 401, "invalid_token")

    def test_exchanged_token_suspended_with_its_subject_token(self):
        subject = self.subject_token()["access_token"]
        token = self.exchanged(subject)["access_token"]
        self.assertEqual(self.whoami(token).status_code, 200)
        # the agent's application archived: its token and the one exchanged
        # from it are suspended, not revoked
        self.app.active = False
        self.assertBearerError(self.whoami(subject), 401, "invalid_token")
        self.assertBearerError(self.whoami(token), 401, "invalid_token")
        self.assertFalse(self.introspect(token)["active"])
        self.assertFalse(self.record_of(token)._is_live())
        self.assertFalse(self.record_of(token).revoked)
        self.app.active = True
        self.assertEqual(self.whoami(token).status_code, 200)

    def test_exchanged_token_follows_the_scopes_of_its_subject_token(self):
        subject = self.subject_token(scope="read write")["access_token"]
        token = self.exchanged(subject)["access_token"]
        self.assertEqual(self.introspect(token)["scope"], "read write")
        # write taken away from the agent's application
        self.app.scope_ids = self.scope_read
        self.assertEqual(self.introspect(token)["scope"], "read")
        self.assertEqual(self.record_of(token)._effective_scopes(), ["read"])

    def test_exchanged_exchanged_token_suspended_with_the_first_subject(self):
        other = self.subject_token()["access_token"]
        first = self.exchanged(other, resource=REPORTS)["access_token"]
        self.other_app.grant_token_exchange = True
        second = self.assertTokenAnswer(
            self.exchange(first, auth=("other", self.other_secret))
        )["access_token"]
        self.assertEqual(self.whoami(second).status_code, 200)
        self.app.active = False
        self.assertBearerError(self.whoami(second), 401, "invalid_token")

    def test_exchange_of_an_exchanged_token_nests_act(self):
        # Reports' server is the resource server of the MCP server's target
        other = self.subject_token()["access_token"]
        first = self.exchanged(other, resource=REPORTS)["access_token"]
        self.other_app.grant_token_exchange = True
        second = self.assertTokenAnswer(
            self.exchange(first, auth=("other", self.other_secret))
        )["access_token"]
        claims = self.introspect(second, auth=("other", self.other_secret))
        self.assertEqual(claims["act"], {"sub": "other", "act": {"sub": "mcp-server"}})
        # revoking the first subject ends the chain
        self.record_of(other)._revoke_family()
        self.assertTrue(self.record_of(second).revoked)

    def test_token_list_and_metadata_show_the_grant(self):
        body = self.exchanged(self.subject_token()["access_token"])
        exchanged = self.env["oauth2.token"].search([("subject_token_id", "!=", False)])
        self.assertEqual(exchanged, self.record_of(body["access_token"]))
        metadata = self.http_request("GET", routes.METADATA).json()
        self.assertIn(TOKEN_EXCHANGE, metadata["grant_types_supported"])


class TestExchangedLifetime(unittest.TestCase):
    """oauth/access_tokens.py alone: an exchanged JWT access token expires at
    its subject token's expiry at the latest, even when the clock turned a
    second between counting its lifetime and signing it."""

    def test_not_after_caps_the_expiry(self):
        now = int(time.time())
        claims = access_token_claims(
            "https://sso.example.com", "sub", ["aud"], "client", ["read"], 600
        )
        self.assertGreaterEqual(claims["exp"], now + 600)
        capped = access_token_claims(
            "https://sso.example.com",
            "sub",
            ["aud"],
            "client",
            ["read"],
            600,
            not_after=now + 10,
        )
        self.assertEqual(capped["exp"], now + 10)
