# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math
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
from .oauth2_client_auth_failure import _address_key
from .res_config_settings import cleanup_cutoff

# How many requests waiting for their user one address (an IPv6 /64), and one
# application, may hold; past that, the device authorization endpoint
# answers slow_down until one of them expires.
PENDING_PER_ADDRESS = 20
PENDING_PER_APPLICATION = 300

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
    # what the pending requests are capped per (an IPv6 /64 counting as one)
    address_key = fields.Char(readonly=True, index=True)
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
                "address_key": _address_key(remote_addr),
            }
        )
        return record, device_code, display_user_code(user_code)

    @api.model
    def _pending_cap_wait(self, application, remote_addr):
        """Whole seconds until a new request may be made for
        ``application`` from ``remote_addr``, when one of them has as many
        requests still waiting for their user as it may (each holds a user
        code: a flood of them would make a mistyped code likely to name an
        attacker's request); else 0. A check, then an insert: concurrent
        requests may pass the cap by the number of workers, which a cap on
        storage tolerates."""
        now = fields.Datetime.now()
        waits = []
        for domain, cap in (
            ([("address_key", "=", _address_key(remote_addr))], PENDING_PER_ADDRESS),
            ([("application_id", "=", application.id)], PENDING_PER_APPLICATION),
        ):
            pending = self.sudo().search(
                [*domain, *self._pending_domain()],
                order="expires_at desc",
                offset=cap - 1,
                limit=1,
            )
            if pending:
                waits.append(math.ceil((pending.expires_at - now).total_seconds()))
        return max(1, *waits) if waits else 0

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
    def _find_typed_user_code(self, typed, remote_addr, user):
        """``(request, seconds)`` for a user code ``user`` typed on the page
        from ``remote_addr``: the pending request it names (or an empty
        recordset), and 0; or no request and the seconds to wait when the
        code must not be looked up, for too many wrong codes. The attempt is
        counted before the lookup, so that concurrent requests cannot all
        pass the limit."""
        failures = self.env["oauth2.device.user.code.failure"]
        now = fields.Datetime.now()
        wait = failures._attempt(remote_addr, user, now)
        if wait:
            return self.sudo().browse(), wait
        device = self._find_pending_by_user_code(self._normalize_user_code(typed))
        if device:
            failures._forgive(remote_addr, user, now)
        return device, 0

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
        # what the consent page showed, not what the device asked for: a scope
        # taken from the application since is not consented to
        self.env["oauth2.consent"]._grant(
            user, self.application_id, self._effective_scopes()
        )

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

    def _requested_note(self):
        """When, and from which address, the device asked: what the user
        compares with the device they hold, before allowing it (RFC 8628
        §5.4, remote phishing)."""
        self.ensure_one()
        record = self.sudo()
        minutes = int(
            (fields.Datetime.now() - record.create_date).total_seconds() // 60
        )
        address = record.remote_addr or self.env._("an unknown address")
        if minutes < 1:
            return self.env._(
                "Requested less than a minute ago from %(address)s.",
                address=address,
            )
        return self.env._(
            "Requested %(minutes)s minutes ago from %(address)s.",
            minutes=minutes,
            address=address,
        )

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
