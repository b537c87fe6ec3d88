# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import oidc
from ..oauth.constants import DEVICE_CODE_SECRET, USER_CODE_SECRET
from ..oauth.device_flow import (
    AUTHORIZED,
    DENIED,
    DEVICE_CODE_LIFETIME,
    EXPIRED,
    PENDING,
    POLLING_INTERVAL,
    SLOW_DOWN,
    SLOW_DOWN_SECONDS,
    USER_CODE_ALPHABET,
    USER_CODE_LENGTH,
    display_user_code,
    normalize_user_code,
)
from ..oauth.secrets import generate_secret
from ..provider.configuration import hash_secret
from ..series import Constraint
from .direct_sql import lock_rows
from .oauth2_client_auth_failure import Throttle, _address_key
from .res_config_settings import cleanup_cutoff

# §5.1: wrong user codes are counted per address and for all addresses
# together (the failures of oauth2.client.auth.failure, under this name,
# which no client_id can have), whatever the client authentication
# throttle's settings: 5 a minute from one address; past 25 a minute in all,
# the addresses that failed wait, past 50 every address does.
USER_CODE_FAILURES_NAME = "(device user code)"
USER_CODE_MAX_FAILURES = 5
USER_CODE_FAILURE_WINDOW = timedelta(minutes=1)

STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("denied", "Denied"),
    ("used", "Used"),
    ("expired", "Expired"),
]


class OAuth2DeviceAuthorization(models.Model):
    """A device's request for access (RFC 8628 §3.1), which a user approves
    or denies by typing its user code on this server's page; the device
    polls the token endpoint with its device code. Both codes are stored as
    hashes."""

    _name = "oauth2.device.authorization"
    _description = "OAuth2 Device Authorization"
    _order = "id desc"
    _rec_name = "application_id"

    application_id = fields.Many2one(
        "oauth2.application", required=True, ondelete="cascade", index=True
    )
    device_code_hash = fields.Char(
        required=True, readonly=True, groups="base.group_system"
    )
    user_code_hash = fields.Char(
        required=True, readonly=True, index=True, groups="base.group_system"
    )
    scope = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        ondelete="cascade",
        readonly=True,
        help="Who approved or denied the request.",
    )
    state = fields.Selection(STATES, required=True, default="pending", readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)
    interval = fields.Integer(
        readonly=True, help="Seconds the device must wait between two polls."
    )
    last_poll_at = fields.Datetime(readonly=True)
    remote_addr = fields.Char(
        string="Requested From", readonly=True, help="The device's address."
    )
    auth_time = fields.Datetime(
        readonly=True, help="When the user who approved the request logged in."
    )
    acr = fields.Char(string="Authentication Level", readonly=True)
    amr = fields.Char(string="Authentication Methods", readonly=True)

    _device_code_hash_unique = Constraint(
        "unique(device_code_hash)", "Device codes must be unique."
    )

    @api.model
    def _create_for_request(self, application, scopes, remote_addr):
        """``(record, device_code, user_code)`` of a new request; the user
        code is unique among those still waiting for their user."""
        for _attempt in range(10):
            user_code = "".join(
                secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH)
            )
            if not self._find_pending_by_user_code(user_code):
                break
        else:
            raise RuntimeError("no free user code")
        device_code = generate_secret()
        record = self.sudo().create(
            {
                "application_id": application.id,
                "device_code_hash": hash_secret(
                    self.env, DEVICE_CODE_SECRET, device_code
                ),
                "user_code_hash": hash_secret(self.env, USER_CODE_SECRET, user_code),
                "scope": " ".join(scopes),
                "expires_at": fields.Datetime.now()
                + timedelta(seconds=DEVICE_CODE_LIFETIME),
                "interval": POLLING_INTERVAL,
                "remote_addr": remote_addr,
            }
        )
        return record, device_code, display_user_code(user_code)

    @api.model
    def _normalize_user_code(self, typed):
        return normalize_user_code(typed)

    @api.model
    def _find_pending_by_user_code(self, user_code):
        """The request still waiting for its user whose code ``user_code``
        (normalised) is, or an empty recordset."""
        if not user_code:
            return self.sudo().browse()
        return self.sudo().search(
            [
                (
                    "user_code_hash",
                    "=",
                    hash_secret(self.env, USER_CODE_SECRET, user_code),
                ),
                *self._pending_domain(),
            ],
            limit=1,
        )

    @api.model
    def _pending_domain(self):
        return [("state", "=", "pending"), ("expires_at", ">", fields.Datetime.now())]

    @api.model
    def _lock_by_device_code(self, device_code):
        """The request of ``device_code``, locked: two polls of one approved
        code queue up, and the second finds it used."""
        if not device_code:
            return self.sudo().browse()
        code_hash = hash_secret(self.env, DEVICE_CODE_SECRET, device_code)
        return lock_rows(
            self.sudo(),
            SQL("device_code_hash = %s", code_hash),
            ["device_code_hash", "state"],
        )

    # The user's page (RFC 8628 §3.3)

    @api.model
    def _user_code_throttle(self):
        return Throttle(
            USER_CODE_MAX_FAILURES, USER_CODE_FAILURE_WINDOW, fields.Datetime.now()
        )

    @api.model
    def _user_code_retry_after(self, remote_addr):
        """Seconds until ``remote_addr`` may type a user code again; 0 when
        it may now."""
        failures = self.env["oauth2.client.auth.failure"].sudo()
        throttle = self._user_code_throttle()
        return throttle.retry_after(
            failures._pause_times(
                throttle, _address_key(remote_addr), USER_CODE_FAILURES_NAME
            )
        )

    @api.model
    def _record_wrong_user_code(self, remote_addr):
        self.env["oauth2.client.auth.failure"]._record(
            remote_addr, USER_CODE_FAILURES_NAME
        )

    def _approve(self, user, auth_time, acr, amr):
        """The user's approval: the device's next poll gets the tokens, and
        the consent shows on the user's Connected Apps, where they revoke
        it."""
        self.ensure_one()
        self.sudo().write(
            {
                "state": "approved",
                "user_id": user.id,
                "auth_time": oidc.as_datetime(auth_time),
                "acr": acr,
                "amr": " ".join(amr) or False,
            }
        )
        self.env["oauth2.consent"]._grant(user, self.application_id, self.scope.split())

    def _deny(self, user):
        self.ensure_one()
        self.sudo().write({"state": "denied", "user_id": user.id})

    # The device's polls (RFC 8628 §3.4, §3.5)

    def _poll(self):
        """What the token endpoint answers this poll: AUTHORIZED once, to
        the first poll after the approval, which uses the request up;
        otherwise the §3.5 error. A device that polls faster than its
        interval gets SLOW_DOWN, and 5 seconds more to wait."""
        self.ensure_one()
        record = self.sudo()
        now = fields.Datetime.now()
        if record.state == "used":
            return None
        if record.state == "denied":
            return DENIED
        if record.state == "expired" or record.expires_at <= now:
            record.state = "expired"
            return EXPIRED
        if record.state == "approved":
            record.write({"state": "used", "last_poll_at": now})
            return AUTHORIZED
        too_soon = record.last_poll_at and now < record.last_poll_at + timedelta(
            seconds=record.interval
        )
        if too_soon:
            record.write(
                {"interval": record.interval + SLOW_DOWN_SECONDS, "last_poll_at": now}
            )
            return SLOW_DOWN
        record.last_poll_at = now
        return PENDING

    def _effective_scopes(self):
        """The scopes of this request that its application may still obtain."""
        self.ensure_one()
        return self.application_id._still_allowed(self.scope)

    # Revocation and cleanup

    @api.model
    def _void_unused(self, domain):
        """Deny the approved requests matching ``domain`` (on ``user_id`` and
        ``application_id``) that their device has not polled yet, so that
        access revoked now does not come back through them."""
        self.sudo().search([*domain, ("state", "=", "approved")]).write(
            {"state": "denied"}
        )

    @api.model
    def _stale_domain(self):
        """The requests that expired before the grace period: what the
        cleanup job deletes."""
        return [("expires_at", "<", cleanup_cutoff(self.env))]
