# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The protected resources (resource servers) that this server issues tokens
for, server-wide: any application may ask for a token for an active one with
``resource`` (RFC 8707), unless its own Audiences narrow that. One record,
``oauth2_resource_odoo``, stands for Odoo's own APIs; its identifier is the
issuer, kept in step with it."""

import logging
from collections import namedtuple
from contextlib import contextmanager
from types import MappingProxyType
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import ormcache

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..oauth import access_tokens, cors, metadata, routes
from ..oauth.constants import AUTHORIZATION_SERVER_SCOPES
from ..provider.configuration import issuer
from ..series import Constraint, returns

_logger = logging.getLogger(__name__)

# The identifier of Odoo's own APIs until the issuer is known (data file).
ODOO_PLACEHOLDER_IDENTIFIER = "urn:orestapi:resource:odoo"
# Longer identifiers are refused: every one is compared, and shown, in full.
MAX_IDENTIFIER_LENGTH = 1024
# The fields of a resource that its directory (_directory) reads.
DIRECTORY_FIELDS = ("identifier", "former_identifiers", "is_odoo", "active")

# What every token check asks of the resources: the id of Odoo's APIs and
# the identifiers they were stored with (the current one, then the former
# ones); the id of each other resource by identifier; the identifiers of
# the archived resources.
ResourceDirectory = namedtuple(
    "ResourceDirectory", "odoo_id odoo_identifiers others archived"
)


class OAuth2Resource(models.Model):
    _name = "oauth2.resource"
    _inherit = ["mail.thread"]
    _description = "OAuth2 Protected Resource"
    _order = "is_odoo desc, name, id"

    # The audit trail, as the applications': every field that decides what a
    # token for the resource may do is tracked in the chatter.
    identifier = fields.Char(
        required=True,
        tracking=True,
        copy=False,
        help="The resource's URI (RFC 8707), which clients send as resource and "
        "which becomes the aud claim of its tokens: an absolute URI without a "
        "fragment, such as https://mcp.example.com/mcp. Odoo's own APIs are "
        "known by the issuer, and follow it.",
    )
    name = fields.Char(required=True, tracking=True)
    scope_ids = fields.Many2many(
        "oauth2.scope",
        "oauth2_resource_scope_rel",
        "resource_id",
        "scope_id",
        string="Scopes",
        tracking=True,
        help="The scopes this resource accepts: a token for it carries only "
        "these, of those the user granted. Empty means every scope.",
    )
    access_token_format = fields.Selection(
        access_tokens.ACCESS_TOKEN_FORMATS,
        tracking=True,
        help="The format of a token issued for this resource alone. Empty: the "
        "format of the application that asks for it.",
    )
    application_id = fields.Many2one(
        "oauth2.application",
        string="Resource Server Application",
        ondelete="set null",
        tracking=True,
        help="The resource server's own client, with which it introspects the "
        "tokens it is presented.",
    )
    active = fields.Boolean(default=True, tracking=True)
    is_odoo = fields.Boolean(
        string="Odoo APIs",
        readonly=True,
        copy=False,
        help="Stands for Odoo's own APIs: its identifier is the issuer.",
    )

    former_identifiers = fields.Text(
        readonly=True,
        copy=False,
        help="Odoo's APIs only: the identifiers they were known by before the "
        "issuer changed, one a line. Tokens issued for one of them are still "
        "accepted until they expire, and a refresh gives a token for the "
        "current identifier. Clear them once no such token is in use; no other "
        "resource may take one of them meanwhile.",
    )

    _identifier_unique = Constraint(
        "unique(identifier)", "A resource with this identifier already exists."
    )

    @api.constrains("identifier", "is_odoo")
    def _check_identifier(self):
        odoo_identifiers = self._odoo_identifiers(include_taken=True)
        for resource in self:
            if resource.is_odoo:
                continue
            if len(
                resource.identifier
            ) > MAX_IDENTIFIER_LENGTH or not access_tokens.is_resource_uri(
                resource.identifier
            ):
                raise ValidationError(
                    self.env._(
                        "%(identifier)s cannot identify a resource: give an "
                        "absolute URI without a fragment, such as "
                        "https://mcp.example.com/mcp.",
                        identifier=resource.identifier[:100],
                    )
                )
            if resource.identifier in odoo_identifiers:
                raise ValidationError(
                    self.env._(
                        "%(identifier)s is this server's own address, that of "
                        "Odoo's APIs, now or before the issuer changed: give the "
                        "resource its own.",
                        identifier=resource.identifier,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Only the module's data makes the record of Odoo's APIs.
        if not self.env.su and any(vals.get("is_odoo") for vals in vals_list):
            raise AccessError(
                self.env._("Only one resource stands for Odoo's own APIs.")
            )
        with self._changing_directory():
            return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if "is_odoo" in vals:
                raise AccessError(
                    self.env._("Which resource stands for Odoo's APIs cannot change.")
                )
            odoo = self.filtered("is_odoo")
            if odoo and "identifier" in vals:
                raise UserError(
                    self.env._(
                        "Odoo's APIs are known by this server's issuer: change "
                        "the Issuer URL in the settings instead."
                    )
                )
            if vals.get("former_identifiers"):
                raise AccessError(
                    self.env._(
                        "The former identifiers of Odoo's APIs are recorded by "
                        "the server: they can only be cleared."
                    )
                )
            if odoo and "active" in vals and not vals["active"]:
                raise UserError(self.env._("Odoo's APIs cannot be archived."))
        if set(DIRECTORY_FIELDS).isdisjoint(vals):
            return super().write(vals)
        with self._changing_directory():
            return super().write(vals)

    def action_clear_former_identifiers(self):
        """Forget the former identifiers of Odoo's APIs: the tokens issued for
        them are refused from now on, and their refresh tokens too."""
        self.check_access("write")
        self.write({"former_identifiers": False})
        return True

    def unlink(self):
        if self.filtered("is_odoo") and not self.env.context.get(MODULE_UNINSTALL_FLAG):
            raise UserError(self.env._("Odoo's APIs cannot be deleted."))
        with self._changing_directory():
            return super().unlink()

    # The mail gateway would create and update records with the values an
    # email chooses, as the superuser: resources take no incoming email.
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        raise AccessError(
            self.env._("OAuth2 resources cannot be created from an email.")
        )

    def message_update(self, msg_dict, update_vals=None):
        raise AccessError(self.env._("OAuth2 resources do not take incoming emails."))

    @returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # The trail says who did what: nobody posts on it in another's name.
        author_id = kwargs.get("author_id")
        if not self.env.su and (
            author_id not in (None, False, self.env.user.partner_id.id)
            or (not author_id and kwargs.get("email_from"))
        ):
            raise AccessError(
                self.env._(
                    "Messages on an OAuth2 resource are posted in your own name."
                )
            )
        return super().message_post(**kwargs)

    # --- what the protocol asks of the resources ---------------------------

    @api.model
    def _odoo_identifier(self):
        """The identifier of Odoo's own APIs: the issuer, as it is now."""
        return issuer(self.env)

    @api.model
    def _odoo_metadata_url(self):
        """Where the metadata of Odoo's APIs is (RFC 9728 §3.1), which their
        bearer challenges point to (§5.1)."""
        return metadata.protected_resource_metadata_url(self._odoo_identifier())

    @api.model
    @contextmanager
    def _changing_directory(self):
        """Around a change of the resources: :meth:`_directory` is read again
        afterwards, in every worker. Cleared when the change ends, failed
        too, as its constraints read the directory with the change in it:
        after a failure undone by a savepoint, that would stay; and again
        once the change is committed, as another thread of this server may
        have read the directory as it was meanwhile (Odoo's signalling
        clears the other servers' caches, not this one's)."""
        try:
            yield
        finally:
            self.env.registry.clear_cache()
            self.env.cr.postcommit.add(self.env.registry.clear_cache)

    @api.model
    def _directory(self):
        """The :data:`ResourceDirectory` of the resources, read once a worker
        until a resource is created, deleted or changes one of
        :data:`DIRECTORY_FIELDS` (which clears Odoo's cache in every
        worker): a token request asks it up to ten times. Not kept when read
        on a read-only cursor: a replica may not have the change yet."""
        if self.env.cr.readonly:
            return self._read_directory()
        return self._kept_directory()

    @api.model
    @ormcache()
    def _kept_directory(self):
        return self._read_directory()

    @api.model
    def _read_directory(self):
        odoo_id, odoo_identifiers, others, archived = None, (), {}, set()
        resources = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([], DIRECTORY_FIELDS, order="id")
        )
        for resource in resources:
            if not resource.active:
                archived.add(resource.identifier)
            if resource.is_odoo:
                odoo_id = resource.id
                odoo_identifiers = (
                    resource.identifier,
                    *(resource.former_identifiers or "").split(),
                )
            else:
                others[resource.identifier] = resource.id
        return ResourceDirectory(
            odoo_id, odoo_identifiers, MappingProxyType(others), frozenset(archived)
        )

    @api.model
    def _odoo_resource(self):
        """The record standing for Odoo's own APIs (as the superuser)."""
        odoo_id = self._directory().odoo_id
        return (
            self.sudo()
            .with_context(active_test=False)
            .browse([odoo_id] if odoo_id else [])
        )

    @api.model
    def _odoo_identifiers(self, include_taken=False):
        """Every identifier Odoo's APIs answer to: the issuer as it is now,
        the stored identifier until it caught up, and the former ones kept
        since the issuer changed. One that another resource holds is that
        resource's (no token passthrough), unless ``include_taken``."""
        directory = self._directory()
        identifiers = {
            identifier
            for identifier in (self._odoo_identifier(), *directory.odoo_identifiers)
            if identifier and identifier != ODOO_PLACEHOLDER_IDENTIFIER
        }
        if include_taken:
            return identifiers
        return identifiers - directory.others.keys()

    @api.model
    def _find_by_identifier(self, identifier):
        """The active resource known as ``identifier`` (as the superuser),
        else an empty recordset. Odoo's APIs are found by the issuer as it is
        now, even before its stored identifier caught up, unless another
        resource holds it: that one is never taken for Odoo's APIs."""
        resources = self.sudo().with_context(active_test=True)
        if not identifier or len(identifier) > MAX_IDENTIFIER_LENGTH:
            return resources
        directory = self._directory()
        if identifier in directory.others:
            if identifier in directory.archived:
                return resources
            return resources.browse(directory.others[identifier])
        if identifier == self._odoo_identifier():
            return self._odoo_resource()
        return resources

    @api.model
    def _mixes_odoo_with_others(self, resources):
        """Whether ``resources`` names Odoo's APIs together with another: a
        token for both would be accepted by Odoo and by the other resource's
        server, which could then replay it at Odoo (token passthrough)."""
        odoo = self._odoo_identifiers()
        return len(set(resources)) > 1 and any(
            resource in odoo for resource in resources
        )

    @api.model
    def _current_audiences(self, audiences, client_id):
        """``audiences`` of a token being refreshed, with the identifiers Odoo's
        APIs had before the issuer changed, and the legacy audience of a
        token from before resources were registered (its application's
        ``client_id`` alone), made the issuer as it is now."""
        if list(audiences) == [client_id]:
            return [self._odoo_identifier()]
        odoo = self._odoo_identifiers()
        current = self._odoo_identifier()
        return list(
            dict.fromkeys(
                current if audience in odoo else audience for audience in audiences
            )
        )

    @api.model
    def _is_archived_identifier(self, identifier):
        """Whether ``identifier`` is that of an archived resource: no token is
        issued for it, even to an application that lists it in its
        Audiences."""
        if not identifier or len(identifier) > MAX_IDENTIFIER_LENGTH:
            return False
        return identifier in self._directory().archived

    @api.model
    def _for_audiences(self, audiences):
        """The active resources among ``audiences`` (identifiers), as the
        superuser; an audience that is no registered resource adds none."""
        resources = self.sudo()
        for audience in audiences:
            resources |= self._find_by_identifier(audience)
        return resources

    def _accepted_scopes(self, scopes):
        """Those of ``scopes`` (names) that every resource of ``self``
        accepts, in their order: all of them when none narrows. The scopes
        that ask the authorization server itself for something (an id_token,
        a refresh token) are kept: they are no access to the resource."""
        names = list(scopes)
        for resource in self:
            if resource.scope_ids:
                accepted = set(resource.scope_ids.mapped("name"))
                names = [
                    name
                    for name in names
                    if name in accepted or name in AUTHORIZATION_SERVER_SCOPES
                ]
        return names

    @api.model
    def _identifiers(self):
        """The identifiers of the active resources, Odoo's APIs first: the
        authorization server's ``protected_resources`` (RFC 9728 §4)."""
        others = self.sudo().search([("is_odoo", "=", False)])
        return [self._odoo_identifier(), *others.mapped("identifier")]

    def _current_identifier(self):
        """This resource's identifier as it is now: the issuer for Odoo's
        APIs, even before the stored one caught up."""
        self.ensure_one()
        return self._odoo_identifier() if self.is_odoo else self.identifier

    def _metadata_url(self):
        """Where this resource's metadata is (RFC 9728 §3.1), which its
        bearer challenges point to (§5.1)."""
        self.ensure_one()
        return metadata.protected_resource_metadata_url(self._current_identifier())

    def _protected_resource_metadata(self):
        """This resource's metadata (RFC 9728 §2): the scopes it accepts,
        every scope when it names none."""
        self.ensure_one()
        scopes = self.scope_ids.mapped("name") or self.env["oauth2.scope"]._all_names()
        return metadata.protected_resource_metadata(
            self._current_identifier(), issuer(self.env), self.name, scopes
        )

    @api.model
    def _served_at(self, path):
        """The active resource whose metadata this server serves at ``path``
        (RFC 9728 §3.1): Odoo's APIs at the well-known path itself, and at
        that of their identifier; another resource on this server's origin
        at the well-known path followed by its identifier's path. Else an
        empty recordset."""
        odoo = self._odoo_resource()
        if path in (
            routes.PROTECTED_RESOURCE_METADATA,
            urlsplit(odoo._metadata_url()).path,
        ):
            return odoo
        own_origin = cors.origin_of(self._odoo_identifier())
        if not own_origin or not path.startswith(routes.PROTECTED_RESOURCE_METADATA):
            return self.sudo().browse()
        # the identifiers on this origin, of which few are expected
        candidates = self.sudo().search(
            [("identifier", "=like", own_origin + "/%"), ("is_odoo", "=", False)]
        )
        return candidates.filtered(
            lambda resource: cors.origin_of(resource.identifier) == own_origin
            and urlsplit(resource._metadata_url()).path == path
        )[:1]

    @api.model
    def _sync_odoo_identifier(self):
        """Store the issuer as the identifier of Odoo's APIs, when it changed
        (the issuer follows the Issuer URL, else ``web.base.url``)."""
        odoo = self._odoo_resource()
        identifier = self._odoo_identifier()
        if not odoo or odoo.identifier == identifier:
            return
        if not access_tokens.is_resource_uri(identifier):
            # web.base.url not set yet: keep the identifier there was
            return
        taken = (
            self.sudo()
            .with_context(active_test=False)
            .search_count([("identifier", "=", identifier), ("id", "!=", odoo.id)])
        )
        if taken:
            # Setting web.base.url (which Odoo does on an administrator's
            # login) must not fail; the other resource keeps its identifier,
            # which is never taken for Odoo's APIs (_find_by_identifier).
            _logger.warning(
                "The issuer %s is also the identifier of another resource: "
                "the record of Odoo's APIs keeps %s.",
                identifier,
                odoo.identifier,
            )
            return
        # The tokens issued for the identifier there was stay valid for Odoo's
        # APIs, and are refreshed for the new one: an administrator's login
        # through another host name must not end every integration.
        former = (odoo.former_identifiers or "").split()
        if odoo.identifier != ODOO_PLACEHOLDER_IDENTIFIER:
            former.append(odoo.identifier)
        former = [name for name in dict.fromkeys(former) if name != identifier]
        odoo.write(
            {"identifier": identifier, "former_identifiers": "\n".join(former) or False}
        )
