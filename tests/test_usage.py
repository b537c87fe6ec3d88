# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the administrator sees of every application: the Usage graph and
pivot, the application form's smart buttons, and the empty states of every
list."""

from datetime import datetime, time, timedelta

from lxml import etree, html

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from ..oauth.secrets import generate_secret
from .common import USER_PASSWORD, HttpCase, OAuth2TestMixin, read_groups

MODULE = "orestapi_oauth2"
MANAGER_GROUPS = "base.group_user,orestapi_oauth2.group_oauth2_manager"


@tagged("post_install", "-at_install")
class TestUsage(OAuth2TestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="usage_manager",
            password=USER_PASSWORD,
            groups=MANAGER_GROUPS,
            tz="UTC",
        )
        cls.colleague = new_test_user(
            cls.env, login="usage_colleague", password=USER_PASSWORD, tz="UTC"
        )
        cls.apps = cls.app | cls.other_app | cls.public_app
        today = fields.Date.today()
        cls.days = [
            datetime.combine(today - timedelta(days=offset), time(12))
            for offset in (2, 1, 0)
        ]

    def setUp(self):
        super().setUp()
        self.authenticate(self.manager.login, USER_PASSWORD)

    def call_kw(self, model, method, *args, **kwargs):
        """``method`` called as the web client calls it, over HTTP as the
        logged-in manager."""
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def issue(self, application, grant_type, issued_at, user=None):
        """A token as the token endpoint stores it, issued at ``issued_at``."""
        token = self.env["oauth2.token"]._create_from_response(
            {"access_token": generate_secret(), "expires_in": 360, "scope": "read"},
            application,
            user or self.user,
            grant_type,
            "read",
        )
        self.env.cr.execute(
            SQL(
                "UPDATE oauth2_token SET create_date = %s WHERE id = %s",
                issued_at,
                token.id,
            )
        )
        token.invalidate_recordset(["create_date"])
        return token

    def issue_several(self):
        day1, day2, day3 = self.days
        for application, grant_type, day, count in (
            (self.app, "password", day1, 2),
            (self.app, "client_credentials", day1, 1),
            (self.app, "refresh_token", day2, 1),
            (self.app, "password", day3, 1),
            (self.other_app, "client_credentials", day2, 3),
            (self.public_app, "authorization_code", day3, 1),
        ):
            for _count in range(count):
                self.issue(application, grant_type, day)

    def usage_views(self):
        """The Usage action and its views, as the web client loads them."""
        action = self.make_jsonrpc_request(
            "/web/action/load", {"action_id": f"{MODULE}.oauth2_token_usage_action"}
        )
        views = self.call_kw(
            action["res_model"],
            "get_views",
            [*action["views"], [False, "search"]],
        )
        return action, views

    @staticmethod
    def group_bys(arch):
        """The group-bys of a graph or pivot arch: ``{type: [spec]}``."""
        found = {}
        for node in etree.fromstring(arch).iter("field"):
            spec = node.get("name")
            if node.get("interval"):
                spec += f":{node.get('interval')}"
            found.setdefault(node.get("type", "row"), []).append(spec)
        return found

    def test_usage_is_a_graph_and_a_pivot_of_issued_tokens(self):
        action, views = self.usage_views()
        self.assertEqual(action["view_mode"], "graph,pivot")
        graph = etree.fromstring(views["views"]["graph"]["arch"])
        self.assertEqual(graph.get("type"), "bar")
        self.assertEqual(graph.get("stacked"), "1")
        # counted with a whole-number measure: the graph's axis shows the
        # record count as decimals (12.00)
        self.assertEqual(
            self.group_bys(views["views"]["graph"]["arch"]),
            {"row": ["create_date:day", "application_id"], "measure": ["token_count"]},
        )
        self.assertEqual(
            graph.find("field[@name='token_count']").get("widget"), "integer"
        )
        self.assertEqual(
            self.group_bys(views["views"]["pivot"]["arch"]),
            {
                "row": ["application_id", "grant_type"],
                "col": ["create_date:day"],
                "measure": ["token_count"],
            },
        )
        # under Reporting, for managers
        reporting = {"oauth2_usage_menu", "oauth2_client_auth_throttle_menu"}
        self.assertLessEqual(reporting, self.menu_xml_ids(self.manager))
        self.assertEqual(
            self.env.ref(f"{MODULE}.oauth2_usage_menu").parent_id,
            self.env.ref(f"{MODULE}.oauth2_reporting_menu"),
        )
        oauth2_user = new_test_user(
            self.env,
            login="usage_oauth2_user",
            groups="base.group_user,orestapi_oauth2.group_oauth2_user",
        )
        visible = self.menu_xml_ids(oauth2_user)
        self.assertIn("oauth2_token_menu", visible)
        self.assertFalse(reporting & visible)

    def menu_xml_ids(self, user):
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        return {
            xml_id.split(".")[1]
            for xml_id in self.env["ir.ui.menu"]
            .browse(menus)
            .get_external_id()
            .values()
            if xml_id.startswith(MODULE)
        }

    def read_groups_as_manager(self, groupby, aggregate):
        """The groups the views read, over HTTP as the logged-in manager."""
        return read_groups(
            lambda method, *args, **kwargs: self.call_kw(
                "oauth2.token", method, *args, context={"tz": "UTC"}, **kwargs
            ),
            [("application_id", "in", self.apps.ids)],
            groupby,
            aggregate,
        )

    def test_graph_counts_tokens_per_day_and_application(self):
        self.issue_several()
        _action, views = self.usage_views()
        spec = self.group_bys(views["views"]["graph"]["arch"])["row"]
        # the graph's measure, which every token issued counts once
        counts = {
            (group["create_date:day"], group["application_id"]): group[
                "token_count:sum"
            ]
            for group in self.read_groups_as_manager(spec, "token_count:sum")
        }
        day1, day2, day3 = (str(day.date()) for day in self.days)
        self.assertEqual(
            counts,
            {
                (day1, "Integration"): 3,
                (day2, "Integration"): 1,
                (day2, "Other"): 3,
                (day3, "Integration"): 1,
                (day3, "Browser App"): 1,
            },
        )

    def test_pivot_counts_tokens_per_application_grant_and_day(self):
        self.issue_several()
        _action, views = self.usage_views()
        group_bys = self.group_bys(views["views"]["pivot"]["arch"])
        groups = self.read_groups_as_manager(
            group_bys["row"] + group_bys["col"], "token_count:sum"
        )
        counts = {
            (
                group["application_id"],
                group["grant_type"],
                group["create_date:day"],
            ): group["token_count:sum"]
            for group in groups
        }
        day1, day2, day3 = (str(day.date()) for day in self.days)
        self.assertEqual(
            counts,
            {
                ("Integration", "password", day1): 2,
                ("Integration", "client_credentials", day1): 1,
                ("Integration", "refresh_token", day2): 1,
                ("Integration", "password", day3): 1,
                ("Other", "client_credentials", day2): 3,
                ("Browser App", "authorization_code", day3): 1,
            },
        )
        # the totals of the rows
        totals = self.read_groups_as_manager(["application_id"], "__count")
        self.assertEqual(
            {group["application_id"]: group["__count"] for group in totals},
            {"Integration": 5, "Other": 3, "Browser App": 1},
        )

    def test_a_user_counts_only_their_own_tokens(self):
        self.issue_several()
        self.issue(self.app, "password", self.days[0], user=self.colleague)
        tokens = self.env["oauth2.token"].with_user(self.colleague)
        groups = read_groups(
            lambda method, *args, **kwargs: getattr(tokens, method)(*args, **kwargs),
            [("application_id", "in", self.apps.ids)],
            ["application_id"],
            "__count",
        )
        self.assertEqual(
            [(group["application_id"], group["__count"]) for group in groups],
            [("Integration", 1)],
        )

    # The application form's smart buttons

    def smart_button_data(self):
        """Tokens, consents and failures of ``self.app``, and some of
        ``self.other_app`` that must not count for it."""
        now = fields.Datetime.now()
        tokens = self.env["oauth2.token"]
        active = self.issue(self.app, "password", now) | self.issue(
            self.app, "client_credentials", now, user=self.colleague
        )
        expired = self.issue(self.app, "password", now)
        revoked = self.issue(self.app, "password", now)
        archived_user = new_test_user(self.env, login="usage_archived")
        suspended = self.issue(self.app, "password", now, user=archived_user)
        self.issue(self.other_app, "password", now)
        self.env.cr.execute(
            SQL(
                "UPDATE oauth2_token SET expires_at = %s, refresh_expires_at = %s "
                "WHERE id = %s",
                now - timedelta(hours=2),
                now - timedelta(hours=1),
                expired.id,
            )
        )
        revoked.action_revoke()
        archived_user.active = False
        tokens.invalidate_model()

        consents = self.env["oauth2.consent"]
        consents._grant(self.user, self.app, ["read"])
        consents._grant(self.colleague, self.app, ["read", "write"])
        consents._grant(self.user, self.other_app, ["read"])

        failures = self.env["oauth2.client.auth.failure"]
        for client_id, address, age in (
            ("integration", "198.51.100.1", timedelta(minutes=1)),
            ("integration", "198.51.100.1", timedelta(hours=2)),
            ("integration", "2001:db8::/64", timedelta(hours=23)),
            ("integration", "198.51.100.1", timedelta(hours=25)),
            ("other", "198.51.100.1", timedelta(minutes=1)),
            ("unknown", "198.51.100.1", timedelta(minutes=1)),
        ):
            failures.create(
                {"client_id": client_id, "remote_addr": address, "failed_at": now - age}
            )
        return active, expired | revoked | suspended

    def test_smart_buttons_count_what_they_open(self):
        active, _stopped = self.smart_button_data()
        expected = {
            self.app: {
                "active_token_count": 2,
                "consent_count": 2,
                "recent_failure_count": 3,
            },
            self.other_app: {
                "active_token_count": 1,
                "consent_count": 1,
                "recent_failure_count": 1,
            },
            self.public_app: {
                "active_token_count": 0,
                "consent_count": 0,
                "recent_failure_count": 0,
            },
        }
        # read as the form reads them, over HTTP as the manager
        read = self.call_kw(
            "oauth2.application",
            "web_read",
            self.apps.ids,
            specification=dict.fromkeys(expected[self.app], {}),
        )
        self.assertEqual(
            {row["id"]: {k: v for k, v in row.items() if k != "id"} for row in read},
            {app.id: counts for app, counts in expected.items()},
        )

        # each button opens what it counts
        search_view = self.call_kw(
            "oauth2.token", "get_views", [[False, "search"]], options={}
        )["views"]["search"]["arch"]
        [active_filter] = etree.fromstring(search_view).xpath(
            "//filter[@name='filter_active']"
        )
        action = self.call_button(self.app, "action_view_tokens")
        self.assertEqual(action["res_model"], "oauth2.token")
        self.assertEqual(action["domain"], [["application_id", "=", self.app.id]])
        self.assertEqual(action["context"], {"search_default_filter_active": 1})
        shown = (
            self.env["oauth2.token"]
            .with_user(self.manager)
            .search(action["domain"] + safe_eval(active_filter.get("domain")))
        )
        self.assertEqual(shown, active)

        action = self.call_button(self.app, "action_view_consents")
        self.assertEqual(action["res_model"], "oauth2.consent")
        shown = (
            self.env["oauth2.consent"].with_user(self.manager).search(action["domain"])
        )
        self.assertEqual(shown.user_id, self.user | self.colleague)

        action = self.call_button(self.app, "action_view_recent_failures")
        self.assertEqual(action["res_model"], "oauth2.client.auth.failure")
        shown = (
            self.env["oauth2.client.auth.failure"]
            .with_user(self.manager)
            .search(action["domain"])
        )
        self.assertEqual(len(shown), 3)
        self.assertEqual(set(shown.mapped("client_id")), {"integration"})
        for action in (
            self.call_button(self.app, name)
            for name in ("action_view_consents", "action_view_recent_failures")
        ):
            self.assertIn("o_view_nocontent_smiling_face", action["help"])

    def call_button(self, application, method):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "oauth2.application",
                "method": method,
                "args": [application.ids],
                "kwargs": {},
            },
        )

    def test_smart_buttons_ask_one_query_each_for_any_number_of_applications(self):
        self.smart_button_data()
        names = ["active_token_count", "consent_count", "recent_failure_count"]

        def queries(applications):
            applications = applications.with_user(self.manager)
            applications.invalidate_model(names)
            before = self.env.cr.sql_log_count
            applications.read(names)
            return self.env.cr.sql_log_count - before

        # the first read also loads caches (access rules, groups)
        queries(self.apps)
        self.assertEqual(queries(self.app), queries(self.apps))

    def test_smart_buttons_are_for_managers(self):
        oauth2_user = new_test_user(
            self.env,
            login="usage_oauth2_user",
            groups="base.group_user,orestapi_oauth2.group_oauth2_user",
        )
        names = ("active_token_count", "consent_count", "recent_failure_count")
        for user, shown in ((self.manager, True), (oauth2_user, False)):
            with self.subTest(user=user.login):
                arch = (
                    self.env["oauth2.application"]
                    .with_user(user)
                    .get_views([[False, "form"]])["views"]["form"]["arch"]
                )
                box = etree.fromstring(arch).xpath("//div[@name='button_box']")[0]
                found = {node.get("name") for node in box.iter("field")}
                self.assertEqual(found, set(names) if shown else set())

    # Empty states

    def test_every_list_tells_a_new_administrator_what_to_do(self):
        actions = self.env["ir.actions.act_window"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", MODULE), ("model", "=", "ir.actions.act_window")])
            .mapped("res_id")
        )
        expected = {
            "oauth2_application_action",
            "oauth2_token_action",
            "oauth2_token_usage_action",
            "oauth2_consent_action",
            "oauth2_scope_action",
            "oauth2_resource_action",
            "oauth2_registration_token_action",
            "oauth2_signing_key_action",
            "oauth2_logout_notification_action",
            "oauth2_client_auth_throttle_action",
            "oauth2_client_auth_failure_action",
        }
        with_lists = actions.filtered(lambda action: action.view_mode != "form")
        self.assertEqual(
            {xml_id.split(".")[1] for xml_id in with_lists.get_external_id().values()},
            expected,
        )
        # the settings are a form, which never shows a help
        self.assertEqual(
            (actions - with_lists).get_external_id()[(actions - with_lists).id],
            f"{MODULE}.res_config_settings_action",
        )
        for action in with_lists:
            with self.subTest(action=action.name):
                help_html = html.fragment_fromstring(action.help, create_parent="div")
                [title] = help_html.xpath(
                    "//p[contains(@class, 'o_view_nocontent_smiling_face')]"
                )
                self.assertTrue(title.text.strip())
                self.assertGreater(
                    len("".join(help_html.itertext())) - len(title.text), 80
                )
        application_help = self.env.ref(f"{MODULE}.oauth2_application_action").help
        self.assertIn("Register your first application", application_help)
