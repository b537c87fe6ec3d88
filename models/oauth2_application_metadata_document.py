# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Applications of Client ID Metadata Documents
(draft-ietf-oauth-client-id-metadata-document): a client_id that is the https
URL of a document describing the client is looked up like any other, and
when no application has it, or the document kept for it is out of date, the
document is fetched (oauth/client_id_metadata_documents.py) and makes or
updates its application, at the authorization or token request that named
it."""

import logging
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.http import request

from ..oauth import client_id_metadata_documents as documents
from ..provider.configuration import metadata_documents_enabled
from ..series import domain_or
from .oauth2_application_registration import METADATA_DOCUMENT
from .res_config_settings import (
    get_metadata_document_allowed_networks,
    get_metadata_document_hosts,
    get_metadata_document_scopes,
)

_logger = logging.getLogger(__name__)

# The longest reason a refused document's application keeps.
MAX_PROBLEM_LENGTH = 500
# An application of a document nobody used (no token, code nor consent) is
# deleted by the cleanup job this long after it was made: it is only the
# document as last fetched, which is fetched again after a day anyway.
UNUSED_DOCUMENT_APPLICATION = timedelta(seconds=documents.MAX_CACHE_SECONDS)


class OAuth2ApplicationMetadataDocument(models.Model):
    _inherit = "oauth2.application"

    metadata_document_fetched_at = fields.Datetime(
        string="Document Fetched",
        readonly=True,
        copy=False,
        help="When this server last fetched the application's Client ID "
        "Metadata Document.",
    )
    metadata_document_expires_at = fields.Datetime(
        string="Document Kept Until",
        readonly=True,
        copy=False,
        help="After this, the next request of the application fetches its "
        "document again (as its Cache-Control allows, between a minute and a "
        "day).",
    )
    metadata_document_problem = fields.Char(
        string="Document Problem",
        readonly=True,
        copy=False,
        help="Why the application's document was refused when last fetched: "
        "the application cannot be used until its document is valid again.",
    )
    metadata_document_host = fields.Char(
        string="Document Host",
        compute="_compute_metadata_document_host",
        help="The host of the client ID of an application of a Client ID "
        "Metadata Document: who describes it.",
    )

    @api.depends("client_id", "registration_source")
    def _compute_metadata_document_host(self):
        for app in self:
            app.metadata_document_host = (
                app.registration_source == METADATA_DOCUMENT
                and documents.host_of(app.client_id)
            )

    @api.model
    def _find_by_client_id(self, client_id):
        """The active application with this client ID; one of a Client ID
        Metadata Document only while the setting is on, its host accepted
        and its document was valid when last fetched. Never fetches: the
        lookups of a bearer request, a logout or a request object take the
        application as it is (:meth:`_find_or_fetch_by_client_id` fetches)."""
        application = super()._find_by_client_id(client_id)
        if application.registration_source != METADATA_DOCUMENT:
            return application
        if application.metadata_document_problem or not self._serves_metadata_document(
            client_id
        ):
            return self.browse()
        return application

    @api.model
    def _find_or_fetch_by_client_id(self, client_id):
        """:meth:`_find_by_client_id`, and for a Client Identifier URL, when
        the setting is on and its host accepted, the application its document
        makes, fetched when none is kept or it is out of date: the client of
        an authorization or token request (the validator's lookup). Empty
        when there is none, or its document cannot be fetched or is invalid
        (the draft's §4.1: the request is refused)."""
        application = super()._find_by_client_id(client_id)
        if application and application.registration_source != METADATA_DOCUMENT:
            return application
        if not self._serves_metadata_document(client_id):
            return self.browse()
        if application and application._metadata_document_is_current():
            return application
        if application and application._metadata_document_refused_recently():
            # a refused document is not fetched again before the least time
            # a document is kept: requests naming it cannot make this server
            # call its host, nor write its application, on each of them
            return self.browse()
        if not application:
            if (
                self.sudo()
                .with_context(active_test=False)
                .search([("client_id", "=", client_id)], limit=1)
            ):
                # archived by an administrator: refused, never fetched again
                return self.browse()
            remote_addr = request.httprequest.remote_addr if request else None
            if not self.env["oauth2.metadata.document.fetch"]._allow_new_fetch(
                remote_addr
            ):
                # unknown for now, as any client this server cannot find
                return self.browse()
        return self._fetch_metadata_document(client_id, application)

    @api.model
    def _serves_metadata_document(self, client_id):
        """Whether ``client_id`` is a Client Identifier URL this server
        serves: the setting on, its host accepted."""
        return bool(
            documents.is_client_id_url(client_id)
            and metadata_documents_enabled(self.env)
            and get_metadata_document_hosts(self.env).accepts(client_id)
        )

    def _metadata_document_is_current(self):
        """Whether the document kept for this application still holds: valid
        when fetched, not expired, and its scopes all still allowed (an
        administrator who narrows the setting is obeyed at once, not when
        the document expires)."""
        self.ensure_one()
        expires_at = self.metadata_document_expires_at
        return bool(
            not self.metadata_document_problem
            and expires_at
            and expires_at > fields.Datetime.now()
            and set(self._allowed_scope_names())
            <= set(get_metadata_document_scopes(self.env))
        )

    def _metadata_document_refused_recently(self):
        """Whether this application's document was refused when last fetched,
        less than the least time a document is kept ago."""
        self.ensure_one()
        expires_at = self.metadata_document_expires_at
        return bool(
            self.metadata_document_problem
            and expires_at
            and expires_at > fields.Datetime.now()
        )

    @api.model
    def _fetch_metadata_document(self, client_id, application):
        """The ``application`` of ``client_id`` (a new one when empty) made
        from its document, fetched now; empty when the document is refused,
        which ``application`` then keeps as its problem until a fetch
        succeeds."""
        try:
            fetched = documents.fetch_document(
                client_id, get_metadata_document_allowed_networks(self.env)
            )
            values, scope_names = documents.application_values(
                client_id, fetched.metadata, get_metadata_document_scopes(self.env)
            )
        except documents.InvalidMetadataDocument as error:
            return self._refuse_metadata_document(client_id, application, error)
        now = fields.Datetime.now()
        scopes = self.env["oauth2.scope"].sudo().search([("name", "in", scope_names)])
        values.update(
            scope_ids=[Command.set(scopes.ids)],
            metadata_document_fetched_at=now,
            metadata_document_expires_at=now + timedelta(seconds=fetched.seconds),
            metadata_document_problem=False,
        )
        applications = self.sudo()
        try:
            # the rules of the application's fields apply as to any other;
            # a document that breaks them is refused, never answered by a 500
            with self.env.cr.savepoint():
                if application:
                    values["default_scope_ids"] = [
                        Command.set((application.default_scope_ids & scopes).ids)
                    ]
                    application.sudo().write(values)
                    return application
                values.update(registration_source=METADATA_DOCUMENT, registered_at=now)
                return applications.create(values)
        except ValidationError as error:
            reason = documents.InvalidMetadataDocument(str(error))
        except psycopg2.IntegrityError:
            # another request made the application at the same time
            reason = documents.InvalidMetadataDocument(
                "Its application was being made by another request."
            )
        return self._refuse_metadata_document(client_id, application, reason)

    @api.model
    def _refuse_metadata_document(self, client_id, application, error):
        _logger.info("Client ID Metadata Document %s refused: %s", client_id, error)
        if application:
            # kept as the least time a document is, as a document would be;
            # the problem written only when it changes
            now = fields.Datetime.now()
            values = {
                "metadata_document_fetched_at": now,
                "metadata_document_expires_at": now
                + timedelta(seconds=documents.MIN_CACHE_SECONDS),
            }
            problem = str(error)[:MAX_PROBLEM_LENGTH]
            if application.metadata_document_problem != problem:
                values["metadata_document_problem"] = problem
            application.sudo().write(values)
        return self.browse()

    # ------------------------------------------------------------ cleanup
    @api.model
    def _stale_domain(self):
        """The self-registered applications of the registration's cleanup,
        and the applications of documents nobody used: made more than a day
        ago, still active (one an administrator archived stays, to stay
        refused), with no token, code nor user's consent."""
        stale = super()._stale_domain()
        candidates = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("registration_source", "=", METADATA_DOCUMENT),
                    ("active", "=", True),
                    (
                        "registered_at",
                        "<",
                        fields.Datetime.now() - UNUSED_DOCUMENT_APPLICATION,
                    ),
                ]
            )
        )
        used = candidates._ids_in_use()
        unused = [app.id for app in candidates if app.id not in used]
        if not unused:
            return stale
        return domain_or([stale, [("id", "in", unused)]])
