# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Protected resources (``oauth2.resource``): registered server-wide, any
application may ask for a token for one (RFC 8707), which carries only the
scopes it accepts; Odoo's own APIs are one, which refuses tokens issued for
another (no token passthrough), and describe themselves (RFC 9728)."""

import unittest
import xmlrpc.client

import psycopg2
import requests

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from ..oauth import routes
from ..oauth.responses import PUBLIC_CACHE_SECONDS
from ..series import SERIES
from .common import (
    PREFIX,
    RPC_FAULT_CODE_ACCESS_ERROR,
    USER_PASSWORD,
    AuthorizationCase,
    BearerCase,
    EndpointCase,
    ExternalApiAsUsersMixin,
    HttpCase,
    OAuth2TestMixin,
    TokenEndpointCase,
)

MCP = "https://mcp.example.com/mcp"
API = "https://api.example.com"
WHOAMI = "/orestapi_oauth2_test/whoami"
UPDATE = "/orestapi_oauth2_test/update"
WELL_KNOWN = routes.PROTECTED_RESOURCE_METADATA


class ResourceCase(OAuth2TestMixin):
    """An MCP server registered as a protected resource that accepts read
    alone; the Integration application has rpc among its scopes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resources = cls.env["oauth2.resource"]
        cls.odoo = cls.env.ref("orestapi_oauth2.oauth2_resource_odoo")
        cls.mcp = cls.resources.create(
            {
                "name": "MCP server",
                "identifier": MCP,
                "scope_ids": [(6, 0, cls.scope_read.ids)],
            }
        )
        cls.rpc_scope = cls.env.ref("orestapi_oauth2.oauth2_scope_rpc")
        cls.app.scope_ids |= cls.rpc_scope

    def odoo_identifier(self):
        return self.base_url()

    def introspect(self, token, client=None):
        response = self.http_request(
            "POST",
            PREFIX + "introspect",
            data={"token": token},
            auth=client or ("integration", self.secret),
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()


@tagged("post_install", "-at_install")
class TestResourceModel(ResourceCase, HttpCase):
    def test_identifier_must_be_an_absolute_uri_without_fragment(self):
        for identifier in (
            "mcp.example.com",
            "/mcp",
            MCP + "#top",
            "https://mcp.example.com/a b",
            "https://mcp.example.com/é",
            "https://mcp.example.com/" + "a" * 1100,
        ):
            with self.subTest(identifier=identifier[:60]):
                with self.assertRaises(ValidationError):
                    self.resources.create({"name": "Bad", "identifier": identifier})
        self.assertNotCreated({"name": "Twice", "identifier": MCP})

    def assertNotCreated(self, values):
        """The resource of ``values`` is refused, by a constraint of its own
        or by the table's unique identifier."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.resources.create(values)
                self.env.flush_all()
        except (ValidationError, psycopg2.IntegrityError):
            return
        self.fail(f"created: {values}")

    def test_odoo_apis_follow_the_issuer(self):
        self.assertTrue(self.odoo.is_odoo)
        self.assertEqual(self.odoo.identifier, self.odoo_identifier())
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("web.base.url", "http://localhost:8123")
        self.assertEqual(self.odoo.identifier, "http://localhost:8123")
        parameters.set_param("orestapi_oauth2.issuer_url", "https://erp.example.com")
        self.assertEqual(self.odoo.identifier, "https://erp.example.com")
        self.assertEqual(
            self.resources._find_by_identifier("https://erp.example.com"), self.odoo
        )
        self.assertFalse(self.resources._find_by_identifier("http://localhost:8123"))
        # another resource cannot take this server's own address
        self.assertNotCreated(
            {"name": "Impostor", "identifier": "https://erp.example.com"}
        )
        parameters.set_param("orestapi_oauth2.issuer_url", "")
        self.assertEqual(self.odoo.identifier, "http://localhost:8123")

    def test_odoo_apis_stay_as_they_are(self):
        manager = new_test_user(
            self.env,
            login="resource_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        as_manager = self.odoo.with_user(manager)
        with self.assertRaises(UserError):
            as_manager.identifier = "https://elsewhere.example.com"
        with self.assertRaises(UserError):
            as_manager.active = False
        with self.assertRaises(UserError):
            as_manager.unlink()
        with self.assertRaises(AccessError):
            self.mcp.with_user(manager).is_odoo = True
        with self.assertRaises(AccessError):
            self.resources.with_user(manager).create(
                {"name": "Second", "identifier": API, "is_odoo": True}
            )
        # its name and scopes are the manager's to choose
        as_manager.name = "Odoo (ERP)"
        self.mcp.with_user(manager).unlink()

    def test_changes_are_tracked_in_the_chatter(self):
        # the creation of setUpClass is logged first, as its commit would
        self.env.cr.precommit.run()
        self.mcp.scope_ids |= self.scope_write
        self.mcp.access_token_format = "jwt"
        # what a commit does: the chatter's tracking is written just before
        self.env.flush_all()
        self.env.cr.precommit.run()
        messages = self.env["mail.message"].search(
            [("model", "=", "oauth2.resource"), ("res_id", "=", self.mcp.id)]
        )
        tracked = messages.sudo().tracking_value_ids.mapped("field_id.name")
        self.assertIn("access_token_format", tracked)
        self.assertIn("scope_ids", tracked)
        internal = new_test_user(self.env, login="resource_internal")
        with self.assertRaises(AccessError):
            self.mcp.with_user(internal).message_post(
                body="in another's name", author_id=self.user.partner_id.id
            )
        with self.assertRaises(AccessError):
            self.resources.message_new({"subject": "new resource"})

    def test_scopes_accepted(self):
        self.assertEqual(
            self.mcp._accepted_scopes(["openid", "read", "write", "offline_access"]),
            ["openid", "read", "offline_access"],
        )
        # Odoo's APIs accept every scope until a manager narrows them
        self.assertEqual(self.odoo._accepted_scopes(["read", "rpc"]), ["read", "rpc"])

    def test_lookups_read_the_resources_once_until_one_changes(self):
        """A token check looks resources up many times a request: from Odoo's
        cache, read again in every worker once a resource changes."""
        self.resources._odoo_identifiers()
        with self.assertQueryCount(0):
            self.assertEqual(self.resources._find_by_identifier(MCP), self.mcp)
            self.assertEqual(self.resources._odoo_resource(), self.odoo)
            self.assertIn(
                self.resources._odoo_identifier(), self.resources._odoo_identifiers()
            )
            self.assertFalse(self.resources._is_archived_identifier(MCP))
        self.mcp.active = False
        self.assertFalse(self.resources._find_by_identifier(MCP))
        self.assertTrue(self.resources._is_archived_identifier(MCP))
        self.mcp.write({"active": True, "identifier": MCP + "/v2"})
        self.assertFalse(self.resources._find_by_identifier(MCP))
        self.assertEqual(self.resources._find_by_identifier(MCP + "/v2"), self.mcp)
        self.mcp.unlink()
        self.assertFalse(self.resources._find_by_identifier(MCP + "/v2"))
        created = self.resources.create({"name": "Created", "identifier": MCP})
        self.assertEqual(self.resources._find_by_identifier(MCP), created)
        # and read again once committed, whatever another thread kept
        with self.assertQueryCount(0):
            self.resources._directory()
        self.env.cr.postcommit.run()
        queries = self.env.cr.sql_log_count
        self.resources._directory()
        self.assertEqual(self.env.cr.sql_log_count, queries + 1)

    def test_a_refused_change_leaves_no_trace_in_the_lookups(self):
        """A resource refused on create, inside a savepoint, is not found
        afterwards: the lookups its constraints made are forgotten."""
        # the constraints fill the emptied cache with the refused row in it
        self.env.registry.clear_cache()
        with self.assertRaises(ValidationError):
            self.resources.create({"name": "Refused", "identifier": "no-uri"})
        self.assertFalse(self.resources._find_by_identifier("no-uri"))


@tagged("post_install", "-at_install")
class TestTokensForResources(ResourceCase, TokenEndpointCase, EndpointCase):
    def client_credentials(self, *resources, scope="read", client=None):
        data = [("grant_type", "client_credentials"), ("scope", scope)]
        data += [("resource", resource) for resource in resources]
        return self.token_request(data, auth=client or self.integration)

    def test_any_application_gets_a_token_for_a_registered_resource(self):
        clients = {
            "integration": ("integration", self.secret),
            "other": ("other", self.other_secret),
        }
        for name, client in clients.items():
            with self.subTest(client=name):
                answer = self.assertTokenAnswer(
                    self.client_credentials(MCP, client=client)
                )
                record = self.env["oauth2.token"].search(
                    [("application_id.client_id", "=", name)],
                    order="id desc",
                    limit=1,
                )
                self.assertEqual(record.audience, MCP)
                self.assertEqual(answer["scope"], "read")
        # an application of another company too: resources are server-wide
        company = self.env["res.company"].create({"name": "Other Company"})
        self.other_app.company_id = company
        self.assertTokenAnswer(
            self.client_credentials(MCP, client=("other", self.other_secret))
        )

    def test_unregistered_or_archived_resources_are_invalid_targets(self):
        self.assertOAuthError(self.client_credentials(API), "invalid_target")
        self.mcp.active = False
        self.assertOAuthError(self.client_credentials(MCP), "invalid_target")
        # even for an application that lists it among its Audiences
        self.app.access_token_audiences = MCP
        self.assertOAuthError(self.client_credentials(MCP), "invalid_target")

    def test_garbage_and_oversized_resources_are_invalid_targets(self):
        for resource in (
            "https://mcp.example.com/" + "a" * 5000,
            "https://mcp.example.com/\u00e9",
            "mcp",
            "https://mcp.example.com/mcp#x",
            "'; DROP TABLE oauth2_resource; --",
            "%00",
        ):
            with self.subTest(resource=resource[:40]):
                self.assertOAuthError(
                    self.client_credentials(resource), "invalid_target"
                )
        many = [f"https://mcp{n}.example.com" for n in range(200)]
        self.assertOAuthError(self.client_credentials(MCP, *many), "invalid_target")
        self.assertTrue(self.resources.search([("identifier", "=", MCP)]))

    def test_audiences_of_an_application_narrow_what_it_may_ask_for(self):
        self.app.access_token_audiences = API
        # a registered resource it does not list
        self.assertOAuthError(self.client_credentials(MCP), "invalid_target")
        # a listed URI that is no registered resource works as before
        self.assertTokenAnswer(self.client_credentials(API))
        # and one that is listed and registered
        self.app.access_token_audiences = f"{API}\n{MCP}"
        self.assertTokenAnswer(self.client_credentials(MCP))
        # another application is not narrowed by these
        self.assertTokenAnswer(
            self.client_credentials(MCP, client=("other", self.other_secret))
        )

    def test_token_carries_only_the_scopes_the_resource_accepts(self):
        answer = self.assertTokenAnswer(
            self.client_credentials(MCP, scope="read write")
        )
        self.assertEqual(answer["scope"], "read")
        record = self.env["oauth2.token"].search(
            [("application_id", "=", self.app.id)], order="id desc", limit=1
        )
        self.assertEqual(record.scope, "read")
        body = self.assertOAuthError(
            self.client_credentials(MCP, scope="write"), "invalid_scope"
        )
        self.assertIn("resource", body["error_description"])
        # a token for two resources, those both accept
        other = self.resources.create(
            {
                "name": "Reports",
                "identifier": API,
                "scope_ids": [(6, 0, self.scope_write.ids)],
            }
        )
        self.assertOAuthError(
            self.client_credentials(MCP, API, scope="read write"), "invalid_scope"
        )
        other.scope_ids |= self.scope_read
        answer = self.assertTokenAnswer(
            self.client_credentials(MCP, API, scope="read write")
        )
        self.assertEqual(answer["scope"], "read")

    def test_refresh_keeps_the_resource_and_its_scopes(self):
        answer = self.assertTokenAnswer(
            self.password_grant(scope="read write", resource=MCP)
        )
        self.assertEqual(answer["scope"], "read")
        refreshed = self.assertTokenAnswer(self.refresh(answer["refresh_token"]))
        self.assertEqual(refreshed["scope"], "read")
        record = self.env["oauth2.token"].search(
            [("application_id", "=", self.app.id)], order="id desc", limit=1
        )
        self.assertEqual(record.audience, MCP)
        self.assertBearerError(
            self.bearer_get(WHOAMI, refreshed["access_token"]), 401, "invalid_token"
        )

    def test_refresh_follows_archiving_and_audiences(self):
        self.mcp.scope_ids = False
        answer = self.assertTokenAnswer(
            self.password_grant(scope="read write", resource=MCP)
        )
        self.assertEqual(answer["scope"], "read write")
        # narrowed since: the refreshed token is narrowed too
        self.mcp.scope_ids = self.scope_read
        refreshed = self.assertTokenAnswer(self.refresh(answer["refresh_token"]))
        self.assertEqual(refreshed["scope"], "read")
        # archived: no more tokens for it, by refresh either
        self.mcp.active = False
        self.assertOAuthError(
            self.refresh(refreshed.get("refresh_token") or answer["refresh_token"]),
            "invalid_target",
        )
        self.mcp.active = True
        second = self.assertTokenAnswer(self.password_grant(scope="read", resource=MCP))
        # taken out of the application's Audiences: the same
        self.app.access_token_audiences = API
        self.assertOAuthError(self.refresh(second["refresh_token"]), "invalid_target")

    def test_format_of_the_resource_decides(self):
        self.mcp.access_token_format = "jwt"
        for_mcp = self.assertTokenAnswer(self.client_credentials(MCP))["access_token"]
        self.assertEqual(for_mcp.count("."), 2)
        self.assertEqual(self.introspect(for_mcp)["aud"], MCP)
        for_odoo = self.assertTokenAnswer(self.client_credentials())["access_token"]
        self.assertNotIn(".", for_odoo)
        # a token for several resources is in the application's format
        self.resources.create({"name": "API", "identifier": API})
        both = self.assertTokenAnswer(self.client_credentials(MCP, API))["access_token"]
        self.assertNotIn(".", both)

    def test_without_resource_the_token_is_for_odoo(self):
        answer = self.assertTokenAnswer(self.client_credentials())
        self.assertEqual(
            self.introspect(answer["access_token"])["aud"], self.base_url()
        )
        self.assertEqual(
            self.bearer_get(WHOAMI, answer["access_token"]).status_code, 200
        )
        # named explicitly, the same
        named = self.assertTokenAnswer(self.client_credentials(self.base_url()))
        self.assertEqual(
            self.bearer_get(WHOAMI, named["access_token"]).status_code, 200
        )
        # an application with Audiences gets its first, as before
        self.app.access_token_audiences = API
        answer = self.assertTokenAnswer(self.client_credentials())
        self.assertEqual(self.introspect(answer["access_token"])["aud"], API)

    def test_the_resource_server_introspects_its_tokens(self):
        self.mcp.application_id = self.other_app
        other = ("other", self.other_secret)
        for_mcp = self.assertTokenAnswer(self.client_credentials(MCP))["access_token"]
        claims = self.introspect(for_mcp, client=other)
        self.assertIs(claims["active"], True)
        self.assertEqual(claims["aud"], MCP)
        for_odoo = self.assertTokenAnswer(self.client_credentials())["access_token"]
        self.assertEqual(self.introspect(for_odoo, client=other), {"active": False})


@tagged("post_install", "-at_install")
class TestResourcesInTheCodeFlow(ResourceCase, AuthorizationCase, BearerCase):
    def test_consent_shows_and_grants_only_the_accepted_scopes(self):
        page = self.authorize(scope="read write", resource=MCP)
        self.assertEqual(page.status_code, 200, page.text[:500])
        self.assertIn("Read your data", page.text)
        self.assertNotIn("Create and change your data", page.text)
        code = self.assertRedirectsTo(self.decide(page, "allow"))["code"]
        answer = self.assertTokenAnswer(self.exchange(code, resource=MCP))
        self.assertEqual(answer["scope"], "read")
        consent = self.env["oauth2.consent"].search(
            [("user_id", "=", self.user.id), ("application_id", "=", self.app.id)]
        )
        self.assertNotIn("write", consent.scope_ids.mapped("name"))
        # at the authorization endpoint, nothing it accepts: invalid_scope
        params = self.assertRedirectsTo(self.authorize(scope="write", resource=MCP))
        self.assertEqual(params["error"], "invalid_scope")


@tagged("post_install", "-at_install")
class TestOdooRefusesOtherResourcesTokens(
    ResourceCase, TokenEndpointCase, EndpointCase
):
    """No token passthrough: Odoo's APIs accept tokens issued for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = get_db_name()

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "base.login_cooldown_after", 1000
        )

    def mcp_token(self, scope="read rpc"):
        self.mcp.scope_ids = False  # every scope, rpc included
        answer = self.assertTokenAnswer(self.password_grant(scope=scope, resource=MCP))
        self.assertEqual(set(answer["scope"].split()), set(scope.split()))
        return answer["access_token"]

    def read_own_login(self, token):
        [record] = self.xmlrpc_object.execute_kw(
            self.db,
            self.user.id,
            token,
            "res.users",
            "read",
            [[self.user.id], ["login"]],
        )
        return record["login"]

    def test_a_token_for_another_resource_is_refused(self):
        token = self.mcp_token()
        self.assertBearerError(self.bearer_get(WHOAMI, token), 401, "invalid_token")
        self.assertBearerError(
            self.bearer_get(PREFIX + "userinfo", token), 401, "invalid_token"
        )
        self.assertOAuthError(
            self.http_request(
                "GET",
                PREFIX + "tokeninfo",
                headers={"Authorization": f"Bearer {token}"},
            ),
            "invalid_token",
        )
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.read_own_login(token)
        self.assertIn("Access Denied", caught.exception.faultString)
        # while the resource's own introspection still knows it
        self.assertIs(self.introspect(token)["active"], True)

    def test_a_token_for_odoo_and_another_resource_is_refused(self):
        # the other resource's server could replay it at Odoo (passthrough)
        self.app.access_token_audiences = f"{MCP}\n{self.base_url()}"
        self.mcp.scope_ids = False
        response = self.password_grant(
            scope="read rpc", resource=[MCP, self.base_url()]
        )
        self.assertOAuthError(response, "invalid_target")
        self.assertIn("separate token", response.json()["error_description"])
        self.app.access_token_audiences = False
        self.assertOAuthError(
            self.password_grant(scope="read", resource=[self.base_url(), MCP]),
            "invalid_target",
        )
        # one at a time, each is given
        self.assertTokenAnswer(self.password_grant(scope="read", resource=MCP))
        self.assertTokenAnswer(
            self.password_grant(scope="read", resource=self.base_url())
        )

    def test_tokens_outlive_a_change_of_the_issuer(self):
        answer = self.assertTokenAnswer(self.password_grant(scope="read rpc"))
        token = answer["access_token"]
        former = self.base_url()
        # an administrator's login through another host name, or a new
        # Issuer URL
        self.set_param("issuer_url", "https://erp.example.com")
        self.assertEqual(self.odoo.identifier, "https://erp.example.com")
        self.assertIn(former, self.odoo.former_identifiers.split())
        self.assertEqual(self.bearer_get(WHOAMI, token).status_code, 200)
        self.assertEqual(self.read_own_login(token), self.user.login)
        # no other resource may take the former identifier meanwhile
        with self.assertRaises(ValidationError):
            self.resources.create({"name": "Impostor", "identifier": former})
        # a refresh gives a token for the identifier there is now
        refreshed = self.assertTokenAnswer(self.refresh(answer["refresh_token"]))
        record = self.env["oauth2.token"]._find_by_token(refreshed["access_token"])
        self.assertEqual(record.audience, "https://erp.example.com")
        self.assertEqual(
            self.bearer_get(WHOAMI, refreshed["access_token"]).status_code, 200
        )
        # a manager clears the former identifiers: their tokens end
        manager = new_test_user(
            self.env,
            login="former_manager",
            groups="base.group_user,orestapi_oauth2.group_oauth2_manager",
        )
        with self.assertRaises(AccessError):
            self.odoo.with_user(manager).former_identifiers = "https://evil.example"
        self.odoo.with_user(manager).action_clear_former_identifiers()
        self.assertFalse(self.odoo.former_identifiers)
        old, token, _refresh = self.issue_token(scope="read rpc")
        old.audience = former
        response = self.bearer_get(WHOAMI, token)
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(
            self.bearer_get(WHOAMI, refreshed["access_token"]).status_code, 200
        )

    def test_refresh_moves_a_legacy_audience_to_odoo(self):
        record, _token, refresh_token = self.issue_token(scope="read rpc")
        record.audience = "integration"
        refreshed = self.assertTokenAnswer(self.refresh(refresh_token))
        new = self.env["oauth2.token"]._find_by_token(refreshed["access_token"])
        self.assertEqual(new.audience, self.base_url())
        self.assertEqual(
            self.bearer_get(WHOAMI, refreshed["access_token"]).status_code, 200
        )

    def test_an_issuer_that_is_another_resource_is_not_odoo(self):
        other = self.resources.create(
            {"name": "Reports", "identifier": "https://reports.example.com"}
        )
        self.set_param("issuer_url", "https://reports.example.com")
        # the other resource keeps its identifier, never taken for Odoo's
        self.assertEqual(
            self.resources._find_by_identifier("https://reports.example.com"), other
        )
        self.assertNotEqual(self.odoo.identifier, "https://reports.example.com")
        answer = self.assertTokenAnswer(
            self.password_grant(scope="read", resource="https://reports.example.com")
        )
        response = self.bearer_get(WHOAMI, answer["access_token"])
        self.assertEqual(response.status_code, 401, response.text)
        self.assertIn('error="invalid_token"', response.headers["WWW-Authenticate"])
        # nor is a token for Odoo's APIs issued under the other's identifier
        self.assertOAuthError(self.password_grant(scope="read"), "invalid_target")

    def test_tokens_issued_before_resources_are_accepted(self):
        # no audience, or the application's own client_id alone: until they
        # expire
        for audience in (False, "integration"):
            with self.subTest(audience=audience):
                record, token, _refresh = self.issue_token(scope="read rpc")
                record.audience = audience
                self.assertEqual(self.bearer_get(WHOAMI, token).status_code, 200)
                self.assertEqual(self.read_own_login(token), self.user.login)
        record, token, _refresh = self.issue_token(scope="read rpc")
        record.audience = f"integration {MCP}"
        self.assertBearerError(self.bearer_get(WHOAMI, token), 401, "invalid_token")

    def test_odoo_apis_narrowed_by_a_manager(self):
        self.odoo.scope_ids = self.scope_read
        answer = self.assertTokenAnswer(self.password_grant(scope="read write"))
        self.assertEqual(answer["scope"], "read")

    @unittest.skipIf(SERIES < (19, 0), "JSON-2 is the external API of Odoo 19.0 on")
    def test_json2_challenge_points_to_the_metadata(self):
        token = self.mcp_token()
        self.env.flush_all()
        response = requests.post(
            f"{self.base_url()}/json/2/res.users/read",
            json={"ids": [self.user.id], "fields": ["login"]},
            headers={"Authorization": f"bearer {token}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 401, response.text)
        challenge = response.headers["WWW-Authenticate"]
        self.assertTrue(challenge.startswith("Bearer "), challenge)
        self.assertIn('error="invalid_token"', challenge)
        self.assertIn(f'resource_metadata="{self.base_url()}{WELL_KNOWN}"', challenge)
        self.assertIn('scope="rpc"', challenge)
        self.assertNotIn(self.user.login, response.text)


@tagged("post_install", "-at_install")
class TestRouteOfAnotherResource(ResourceCase, TokenEndpointCase, EndpointCase):
    """``auth="oauth2"`` with ``oauth2_resource``: a route of another protected
    resource served by this Odoo, such as an MCP server, takes only the tokens
    issued for it."""

    ROUTE = "/orestapi_oauth2_test/mcp"

    def register(self):
        self.env["ir.model.data"].create(
            {
                "module": "orestapi_oauth2",
                "name": "test_resource_mcp",
                "model": "oauth2.resource",
                "res_id": self.mcp.id,
            }
        )

    def token_for(self, *resources):
        data = [("grant_type", "client_credentials"), ("scope", "read")]
        data += [("resource", resource) for resource in resources]
        answer = self.token_request(data, auth=self.integration)
        return self.assertTokenAnswer(answer)["access_token"]

    def test_takes_only_tokens_for_it(self):
        self.register()
        response = self.bearer_get(self.ROUTE, self.token_for(MCP))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["audience"], MCP)
        # a token for Odoo's APIs, or a legacy one, is none for it
        for token in (self.token_for(), self.issue_token()[1]):
            response = self.bearer_get(self.ROUTE, token)
            self.assertEqual(response.status_code, 401, response.text)
            self.assertEqual(response.json()["error"], "invalid_token")
            # the refusal points to the resource's own metadata
            challenge = response.headers["WWW-Authenticate"]
            self.assertIn(f'resource_metadata="{self.mcp._metadata_url()}"', challenge)
            self.assertIn('scope="read"', challenge)
        # an archived resource takes none
        token = self.token_for(MCP)
        self.mcp.active = False
        self.assertEqual(self.bearer_get(self.ROUTE, token).status_code, 401)

    def test_an_unregistered_resource_takes_no_token(self):
        response = self.bearer_get(self.ROUTE, self.token_for())
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json()["error"], "invalid_token")


@tagged("post_install", "-at_install")
class TestProtectedResourceMetadata(ResourceCase, BearerCase):
    def fetch(self, path=WELL_KNOWN, status=200):
        response = self.opener.get(
            self.base_url() + path,
            headers={"Origin": "https://agent.example"},
            timeout=30,
        )
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json;charset=UTF-8"
        )
        return response

    def test_document_of_odoo_apis(self):
        response = self.fetch()
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        self.assertEqual(
            response.headers["Cache-Control"], f"public, max-age={PUBLIC_CACHE_SECONDS}"
        )
        document = response.json()
        self.assertEqual(document["resource"], self.base_url())
        self.assertEqual(document["authorization_servers"], [self.base_url()])
        self.assertEqual(document["bearer_methods_supported"], ["header"])
        self.assertEqual(document["resource_name"], self.odoo.name)
        self.assertLessEqual(
            {"read", "write", "rpc"}, set(document["scopes_supported"])
        )
        # the authorization server it names knows it
        metadata = self.opener.get(
            document["authorization_servers"][0] + routes.METADATA, timeout=30
        ).json()
        self.assertIn(document["resource"], metadata["protected_resources"])
        self.odoo.scope_ids = self.scope_read
        self.assertEqual(self.fetch().json()["scopes_supported"], ["read"])

    def test_path_inserted_document_of_a_resource_of_this_server(self):
        here = self.resources.create(
            {
                "name": "MCP here",
                "identifier": self.base_url() + "/mcp/v1",
                "scope_ids": [(6, 0, self.scope_read.ids)],
            }
        )
        document = self.fetch(WELL_KNOWN + "/mcp/v1").json()
        self.assertEqual(document["resource"], here.identifier)
        self.assertEqual(document["scopes_supported"], ["read"])
        self.assertEqual(here._metadata_url(), f"{self.base_url()}{WELL_KNOWN}/mcp/v1")
        # an archived one, another path, or another server's resource: none
        for path in ("/mcp", "/mcp/v1/x", "/" + "a" * 3000, "/%00"):
            with self.subTest(path=path[:20]):
                self.assertEqual(
                    self.fetch(WELL_KNOWN + path, 404).json()["error"], "not_found"
                )
        self.assertEqual(self.fetch(WELL_KNOWN + "/mcp", 404).status_code, 404)
        here.active = False
        self.fetch(WELL_KNOWN + "/mcp/v1", 404)

    def test_only_get_head_and_options(self):
        response = self.opener.post(self.base_url() + WELL_KNOWN, timeout=30)
        self.assertEqual(response.status_code, 405)
        options = self.opener.options(self.base_url() + WELL_KNOWN, timeout=30)
        self.assertEqual(options.status_code, 204)

    def test_challenges_point_to_the_metadata_and_name_the_scopes(self):
        metadata_url = f'resource_metadata="{self.base_url()}{WELL_KNOWN}"'
        # no token
        response = self.bearer_get(WHOAMI)
        self.assertBearerError(response, 401)
        self.assertIn(metadata_url, response.headers["WWW-Authenticate"])
        # a route needing write, without a token, and with a token without it
        response = self.opener.post(self.base_url() + UPDATE, timeout=30)
        self.assertBearerError(response, 401)
        self.assertIn('scope="write"', response.headers["WWW-Authenticate"])
        _record, token, _refresh = self.issue_token(scope="read")
        response = self.opener.post(
            self.base_url() + UPDATE,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        self.assertBearerError(response, 403, "insufficient_scope")
        challenge = response.headers["WWW-Authenticate"]
        self.assertIn('scope="write"', challenge)
        self.assertIn(metadata_url, challenge)
        # the metadata it points to is there
        url = challenge.split('resource_metadata="')[1].split('"')[0]
        self.assertEqual(
            self.opener.get(url, timeout=30).json()["resource"], self.base_url()
        )


@tagged("post_install", "-at_install")
class TestResourceRoles(ExternalApiAsUsersMixin, ResourceCase, HttpCase):
    """What each role may do with the protected resources, over Odoo's
    external API as that role's user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return new_test_user(
                cls.env, login=login, password=USER_PASSWORD, groups=groups
            )

        cls.portal = user("resource_portal", "base.group_portal")
        cls.internal = user("resource_internal", "base.group_user")
        cls.oauth2_user = user(
            "resource_oauth2_user", "base.group_user,orestapi_oauth2.group_oauth2_user"
        )
        cls.manager = user(
            "resource_manager", "base.group_user,orestapi_oauth2.group_oauth2_manager"
        )
        cls.administrator = user("resource_admin", "base.group_user,base.group_system")

    def test_who_reads_and_who_writes(self):
        readers = (self.oauth2_user, self.manager, self.administrator)
        for user in (self.portal, self.internal, *readers):
            with self.subTest(user=user.login):
                domain = [("id", "=", self.mcp.id)]
                if user in readers:
                    self.assertEqual(
                        self.execute(user, "oauth2.resource", "search", domain),
                        [self.mcp.id],
                    )
                else:
                    fault = self.assertRefused(
                        user, "oauth2.resource", "search", domain
                    )
                    self.assertEqual(fault.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        for user in (self.portal, self.internal, self.oauth2_user):
            with self.subTest(user=user.login, write=True):
                self.assertRefused(
                    user, "oauth2.resource", "write", [self.mcp.id], {"name": "Mine"}
                )
                self.assertRefused(
                    user,
                    "oauth2.resource",
                    "create",
                    [{"name": "X", "identifier": API}],
                )
                self.assertRefused(user, "oauth2.resource", "unlink", [self.mcp.id])
        for user in (self.manager, self.administrator):
            with self.subTest(user=user.login, write=True):
                [new_id] = self.execute(
                    user,
                    "oauth2.resource",
                    "create",
                    [{"name": "Mine", "identifier": f"{API}/{user.login}"}],
                )
                self.execute(
                    user,
                    "oauth2.resource",
                    "write",
                    [new_id],
                    {"scope_ids": [(6, 0, self.scope_read.ids)]},
                )
                self.execute(user, "oauth2.resource", "unlink", [new_id])
                # Odoo's APIs keep what they are
                self.assertRefused(
                    user,
                    "oauth2.resource",
                    "write",
                    [self.odoo.id],
                    {"identifier": "https://elsewhere.example.com"},
                )
                self.assertRefused(user, "oauth2.resource", "unlink", [self.odoo.id])
                self.assertRefused(
                    user, "oauth2.resource", "write", [self.mcp.id], {"is_odoo": True}
                )
