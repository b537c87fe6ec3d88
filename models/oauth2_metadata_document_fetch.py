# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import create_index

from .oauth2_client_auth_failure import _address_key
from .res_config_settings import PARAM_PREFIX

_logger = logging.getLogger(__name__)

# The window over which fetches of new documents are counted.
FETCH_WINDOW = timedelta(hours=1)
# Kept a little longer than the window; the daily cleanup deletes older rows.
KEEP_FETCHES = timedelta(days=1)
# Documents of client IDs without an application one address may have this
# server fetch in the window, and all addresses together: enough for the
# clients real users start, too few to make this server a fetching machine
# or to fill the applications. System parameters of these names change them.
NEW_FETCHES_PER_ADDRESS_PARAM = (
    PARAM_PREFIX + "client_id_metadata_document_new_per_address_per_hour"
)
NEW_FETCHES_PER_ADDRESS = 20
NEW_FETCHES_OVERALL_PARAM = PARAM_PREFIX + "client_id_metadata_document_new_per_hour"
NEW_FETCHES_OVERALL = 200


def _limit(env, param, default):
    value = env["ir.config_parameter"].sudo().get_param(param)
    if not value:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


class OAuth2MetadataDocumentFetch(models.Model):
    """A fetch of the Client ID Metadata Document of a client ID no
    application has yet, counted per address (an IPv4 address or an IPv6
    /64, as failed client authentications are) and overall, so that
    anonymous requests cannot make this server call any URL they name, nor
    fill the applications: in the database, so that the limits hold across
    workers."""

    _name = "oauth2.metadata.document.fetch"
    _description = "OAuth2 Client ID Metadata Document Fetch"
    _order = "fetched_at desc"
    _log_access = False

    remote_addr = fields.Char(string="Address", readonly=True)
    fetched_at = fields.Datetime(required=True, readonly=True)

    def init(self):
        create_index(
            self.env.cr,
            f"{self._table}_fetched_at_remote_addr_idx",
            self._table,
            ["fetched_at", "remote_addr"],
        )

    @api.model
    def _allow_new_fetch(self, remote_addr):
        """Whether a document no application has yet may be fetched for a
        request from ``remote_addr`` now; if so, the fetch is counted."""
        address = _address_key(remote_addr)
        now = fields.Datetime.now()
        since = now - FETCH_WINDOW
        fetches = self.sudo()
        overall = _limit(self.env, NEW_FETCHES_OVERALL_PARAM, NEW_FETCHES_OVERALL)
        per_address = _limit(
            self.env, NEW_FETCHES_PER_ADDRESS_PARAM, NEW_FETCHES_PER_ADDRESS
        )
        if (
            fetches.search_count([("fetched_at", ">", since)], limit=overall) >= overall
        ) or (
            fetches.search_count(
                [("remote_addr", "=", address), ("fetched_at", ">", since)],
                limit=per_address,
            )
            >= per_address
        ):
            _logger.warning(
                "Client ID Metadata Document fetch for %s refused: too many "
                "new client IDs within an hour.",
                remote_addr,
            )
            return False
        fetches.create({"remote_addr": address, "fetched_at": now})
        return True

    @api.model
    def _stale_domain(self):
        return [("fetched_at", "<", fields.Datetime.now() - KEEP_FETCHES)]
