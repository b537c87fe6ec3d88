# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The managers' list of failed client authentications, and lifting a
throttle, against the token endpoint over real HTTP."""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import USER_PASSWORD, ThrottlingCase

MANAGER_GROUPS = "base.group_user,orestapi_oauth2.group_oauth2_manager"
THROTTLE = "oauth2.client.auth.throttle"
ROW_FIELDS = [
    "client_id",
    "application_id",
    "remote_addr",
    "failure_count",
    "last_failure_at",
    "throttled_until",
    "throttled",
]


class TestClientAuthThrottle(ThrottlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="throttle_manager",
            password=USER_PASSWORD,
            groups=MANAGER_GROUPS,
        )

    def setUp(self):
        super().setUp()
        self.authenticate(self.manager.login, USER_PASSWORD)

    def fail(self, address, client_id="integration", times=1):
        for _attempt in range(times):
            response = self.from_address(address, client_id, secret="wrong")
            self.assertOAuthError(response, "invalid_client", status=401)

    def call_kw(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def rows(self, domain=()):
        """The list's rows as the manager's web client reads them, by
        ``(client_id, address block)``."""
        found = self.call_kw(
            THROTTLE,
            "web_search_read",
            list(domain),
            dict.fromkeys(ROW_FIELDS, {}),
        )["records"]
        return {(row["client_id"], row["remote_addr"]): row for row in found}

    def lift(self, client_id, address):
        row = self.rows([("client_id", "=", client_id), ("remote_addr", "=", address)])[
            client_id, address
        ]
        # as the list's row button calls it
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": THROTTLE,
                "method": "action_lift",
                "args": [[row["id"]]],
                "kwargs": {},
            },
        )

    def test_list_counts_failures_per_client_id_and_address_block(self):
        self.fail("198.51.100.1", times=2)
        self.fail("2001:db8::1")
        self.fail("2001:db8::2")
        self.fail("198.51.100.2", client_id="unknown-client", times=3)
        rows = self.rows([("client_id", "in", ["integration", "unknown-client"])])
        self.assertEqual(
            {key: row["failure_count"] for key, row in rows.items()},
            {
                ("integration", "198.51.100.1"): 2,
                ("integration", "2001:db8::/64"): 2,
                ("unknown-client", "198.51.100.2"): 3,
            },
        )
        self.assertEqual(
            rows["integration", "198.51.100.1"]["application_id"], self.app.id
        )
        self.assertFalse(rows["unknown-client", "198.51.100.2"]["application_id"])
        failures = self.env["oauth2.client.auth.failure"]
        for (client_id, address), row in rows.items():
            with self.subTest(client_id=client_id, address=address):
                last = failures.search(
                    [("client_id", "=", client_id), ("remote_addr", "=", address)],
                    limit=1,
                )
                self.assertEqual(
                    row["last_failure_at"], fields.Datetime.to_string(last.failed_at)
                )

        # three failures pause 198.51.100.2 until the first of them is a window old
        paused = rows["unknown-client", "198.51.100.2"]
        self.assertTrue(paused["throttled"])
        first = failures.search(
            [("remote_addr", "=", "198.51.100.2")], order="failed_at", limit=1
        )
        self.assertEqual(
            paused["throttled_until"],
            fields.Datetime.to_string(first.failed_at + timedelta(seconds=60)),
        )
        # what the token endpoint answers says the same
        retry_after = self.assertThrottled(
            self.from_address("198.51.100.2", "unknown-client", secret="wrong")
        )
        paused = self.rows()["unknown-client", "198.51.100.2"]
        until = fields.Datetime.from_string(paused["throttled_until"])
        waits = (until - fields.Datetime.now()).total_seconds()
        self.assertTrue(retry_after - 2 <= waits <= retry_after, (waits, retry_after))
        for key in (("integration", "198.51.100.1"), ("integration", "2001:db8::/64")):
            self.assertFalse(rows[key]["throttled"])
            self.assertFalse(rows[key]["throttled_until"])

        # the search filter "Throttled Now"
        mine = [("client_id", "in", ["integration", "unknown-client"])]
        self.assertEqual(
            set(self.rows([*mine, ("throttled", "=", True)])),
            {("unknown-client", "198.51.100.2")},
        )
        self.assertEqual(
            set(self.rows([*mine, ("throttled", "!=", True)])),
            {("integration", "198.51.100.1"), ("integration", "2001:db8::/64")},
        )

    def test_lift_lets_the_next_right_secret_through_at_once(self):
        """A secret stored before the strength rules waits out a throttle
        even when right: what a lift is for."""
        self.app.sudo().client_secret_is_strong = False
        self.fail("198.51.100.10", times=3)
        self.assertThrottled(self.from_address("198.51.100.10"))
        self.assertTrue(self.rows()["integration", "198.51.100.10"]["throttled"])
        self.lift("integration", "198.51.100.10")
        self.assertJson(self.from_address("198.51.100.10"))
        self.assertNotIn(("integration", "198.51.100.10"), self.rows())

    def test_lift_ends_the_pause_of_wrong_secrets_too(self):
        self.fail("198.51.100.11", times=3)
        self.assertThrottled(self.from_address("198.51.100.11", secret="wrong"))
        self.lift("integration", "198.51.100.11")
        self.assertOAuthError(
            self.from_address("198.51.100.11", secret="wrong"), "invalid_client", 401
        )

    def test_lift_forgets_the_failures_for_other_client_ids_that_pause_the_address(
        self,
    ):
        self.app.sudo().client_secret_is_strong = False
        self.fail("198.51.100.20")
        self.fail("198.51.100.20", client_id="unknown-client", times=2)
        # counted although paused: enough on their own to pause the address
        # for every client ID
        self.assertThrottled(
            self.from_address("198.51.100.20", "unknown-client", secret="wrong")
        )
        self.assertThrottled(self.from_address("198.51.100.20"))
        self.fail("198.51.100.21", client_id="unknown-client")
        self.lift("integration", "198.51.100.20")
        self.assertJson(self.from_address("198.51.100.20"))
        rows = self.rows([("client_id", "in", ["integration", "unknown-client"])])
        self.assertEqual(set(rows), {("unknown-client", "198.51.100.21")})

    def test_lift_is_per_address_for_a_client_id_paused_everywhere(self):
        self.app.sudo().client_secret_is_strong = False
        # one more than five times the per-address limit, from as many addresses
        addresses = [f"198.51.100.{host}" for host in range(100, 116)]
        for address in addresses:
            self.fail(address)
        self.assertThrottled(self.from_address(addresses[0]))
        self.assertThrottled(self.from_address(addresses[1]))
        # an address that never failed for it is not paused
        self.assertJson(self.from_address("203.0.113.1"))
        self.assertEqual(
            len(
                self.rows([("client_id", "=", "integration"), ("throttled", "=", True)])
            ),
            16,
        )
        self.lift("integration", addresses[0])
        self.assertJson(self.from_address(addresses[0]))
        self.assertThrottled(self.from_address(addresses[1]))

    def test_lift_ends_a_pause_of_every_address_everywhere(self):
        # ten times the per-address limit, each from an address of its own
        addresses = [f"203.0.113.{host}" for host in range(30)]
        for address in addresses:
            self.fail(address)
        # counted although paused: forgetting one address's failure then
        # leaves the client ID paused everywhere
        for address in ("198.51.100.41", "198.51.100.42"):
            self.assertThrottled(self.from_address(address, secret="wrong"))
        retry_after = self.assertThrottled(
            self.from_address("198.51.100.43", secret="wrong")
        )
        self.app.sudo().client_secret_is_strong = False
        self.assertThrottled(self.from_address("198.51.100.40"))
        rows = self.rows([("client_id", "=", "integration")])
        self.assertEqual(len(rows), 33)
        self.assertTrue(all(row["throttled"] for row in rows.values()))
        # what the list says is what the token endpoint answers
        until = fields.Datetime.from_string(
            self.rows()["integration", addresses[0]]["throttled_until"]
        )
        waits = (until - fields.Datetime.now()).total_seconds()
        self.assertTrue(retry_after - 2 <= waits <= retry_after, (waits, retry_after))
        self.lift("integration", addresses[5])
        for address in ("198.51.100.40", addresses[6]):
            with self.subTest(address=address):
                self.assertJson(self.from_address(address))
        self.assertFalse(self.rows([("client_id", "=", "integration")]))

    def test_throttling_off_throttles_no_row(self):
        self.fail("198.51.100.30", times=3)
        self.set_param("client_auth_max_failures", 0)
        row = self.rows()["integration", "198.51.100.30"]
        self.assertFalse(row["throttled"])
        self.assertFalse(self.rows([("throttled", "=", True)]))
