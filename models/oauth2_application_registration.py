# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""How an application came to be, and the client metadata of RFC 7591 §2
that describes it beyond what the protocol needs: set by an administrator, by
Dynamic Client Registration (RFC 7591) or from a Client ID Metadata
Document."""

import hmac
from datetime import timedelta
from urllib.parse import quote

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import ValidationError

from ..oauth import routes
from ..oauth.client_assertions import (
    ALL_SIGNING_ALGORITHMS,
    CLIENT_SECRET_JWT,
    PRIVATE_KEY_JWT,
    SIGNING_ALGORITHMS,
)
from ..oauth.client_metadata import (
    BOOLEAN_MEMBERS,
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    INVALID_CLIENT_METADATA,
    LINK_MEMBERS,
    NONE,
    SECRET_AUTH_METHODS,
    ClientMetadataError,
    client_metadata_of,
    parse_client_metadata,
)
from ..oauth.constants import RPC_SCOPE
from ..oauth.secrets import generate_secret
from ..provider.configuration import hash_secret, issuer
from .oauth2_application import GeneratedSecret
from .res_config_settings import (
    get_client_registration_grant_types,
    get_client_registration_scopes,
    get_oauth2_setting,
)

ADMIN = "admin"
DYNAMIC = "dynamic"
METADATA_DOCUMENT = "metadata_document"
# The label under which registration access tokens (RFC 7592) are hashed.
REGISTRATION_ACCESS_TOKEN = "registration_access_token"
# What the registration endpoints read back of an application
# (oauth.client_metadata.client_metadata_of).
REGISTRATION_FIELDS = (
    "name",
    "redirect_uris",
    "post_logout_redirect_uris",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "jwks",
    "jwks_uri",
    "grant_authorization_code",
    "grant_implicit",
    "grant_password",
    "grant_client_credentials",
    "issue_refresh_token",
    "dpop_bound_access_tokens",
    *LINK_MEMBERS,
    "software_id",
    "software_version",
    "contacts",
    *BOOLEAN_MEMBERS,
)


class OAuth2ApplicationRegistration(models.Model):
    _inherit = "oauth2.application"

    registration_source = fields.Selection(
        [
            (ADMIN, "Administrator"),
            (DYNAMIC, "Dynamic registration"),
            (METADATA_DOCUMENT, "Client ID Metadata Document"),
        ],
        required=True,
        default=ADMIN,
        readonly=True,
        tracking=True,
        help="Who registered the application: an administrator in this form, "
        "the application itself at the registration endpoint (RFC 7591), or "
        "its Client ID Metadata Document, which its client ID points to.",
    )
    registered_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the application registered itself.",
    )
    registered_from = fields.Char(
        readonly=True,
        copy=False,
        help="The address the application registered itself from.",
    )
    client_uri = fields.Char(
        string="Client URI",
        tracking=True,
        help="The application's home page, as it describes itself.",
    )
    logo_uri = fields.Char(string="Logo URI", tracking=True)
    tos_uri = fields.Char(string="Terms of Service URI", tracking=True)
    policy_uri = fields.Char(string="Privacy Policy URI", tracking=True)
    contacts = fields.Text(
        tracking=True,
        help="Addresses of the people responsible for the application, one per "
        "line, as it gave them.",
    )
    software_id = fields.Char(
        string="Software ID",
        tracking=True,
        help="Names the software of the application across its installations "
        "(RFC 7591 §2), as the application gave it.",
    )
    software_version = fields.Char(tracking=True)
    token_endpoint_auth_method = fields.Selection(
        [
            (CLIENT_SECRET_BASIC, "client_secret_basic"),
            (CLIENT_SECRET_POST, "client_secret_post"),
            (CLIENT_SECRET_JWT, "client_secret_jwt"),
            (PRIVATE_KEY_JWT, "private_key_jwt"),
            (NONE, "none"),
        ],
        string="Token Endpoint Authentication",
        compute="_compute_token_endpoint_auth_method",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="How the application authenticates at the token, introspection, "
        "revocation and device endpoints (RFC 7591 §2), and the only way it "
        "may: none for public clients; its secret in the Authorization header "
        "or the body (client_secret_basic and client_secret_post, which "
        "accept each other), a JWT signed with its secret (client_secret_jwt: "
        "generate a new secret after choosing it) or with a key of its JWKS "
        "(private_key_jwt).",
    )
    token_endpoint_auth_signing_alg = fields.Selection(
        [(algorithm, algorithm) for algorithm in ALL_SIGNING_ALGORITHMS],
        string="Client Assertion Algorithm",
        tracking=True,
        help="The only algorithm the application's client assertions may be "
        "signed with; empty: any of its method's (RS256, PS256, ES256 and "
        "EdDSA or Ed25519 for private_key_jwt, HS256 for client_secret_jwt).",
    )

    @api.depends("client_type")
    def _compute_token_endpoint_auth_method(self):
        for app in self:
            if app.client_type == "public":
                app.token_endpoint_auth_method = NONE
            elif app.token_endpoint_auth_method in (False, NONE):
                app.token_endpoint_auth_method = CLIENT_SECRET_BASIC

    @api.constrains("client_type", "token_endpoint_auth_method")
    def _check_token_endpoint_auth_method(self):
        for app in self:
            if (app.client_type == "public") != (
                app.token_endpoint_auth_method == NONE
            ):
                raise ValidationError(
                    self.env._(
                        "%(application)s: a public client authenticates with "
                        "none at the token endpoint, and only a public one.",
                        application=app.name,
                    )
                )

    @api.constrains(
        "token_endpoint_auth_method",
        "token_endpoint_auth_signing_alg",
        "jwks",
        "jwks_uri",
    )
    def _check_client_assertion_settings(self):
        for app in self:
            method = app.token_endpoint_auth_method
            if method == PRIVATE_KEY_JWT and not (app.jwks or app.jwks_uri):
                raise ValidationError(
                    self.env._(
                        "%(application)s: private_key_jwt needs the application's "
                        "public keys: a JWKS or a JWKS URI.",
                        application=app.name,
                    )
                )
            algorithm = app.token_endpoint_auth_signing_alg
            if algorithm and algorithm not in SIGNING_ALGORITHMS.get(method, ()):
                raise ValidationError(
                    self.env._(
                        "%(application)s: %(algorithm)s is no algorithm of "
                        "%(method)s.",
                        application=app.name,
                        algorithm=algorithm,
                        method=method,
                    )
                )


class OAuth2ApplicationSelfRegistration(models.Model):
    """Dynamic Client Registration (RFC 7591) and its management protocol
    (RFC 7592): the applications that register themselves, read, replace
    and delete their registration with their registration access token."""

    _inherit = "oauth2.application"

    registration_token_id = fields.Many2one(
        "oauth2.registration.token",
        string="Initial Access Token",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The initial access token the application registered with.",
    )
    registration_access_token_hash = fields.Char(copy=False, groups="base.group_system")
    suspended = fields.Boolean(
        readonly=True,
        copy=False,
        tracking=True,
        help="An administrator suspended the self-registered application: it "
        "gets no tokens until resumed.",
    )

    # ------------------------------------------------------------ backend
    def action_suspend_registration(self):
        """Stop a self-registered application at once: archived, its tokens
        revoked, until an administrator resumes it."""
        self.check_access("write")
        self.env["oauth2.token"]._revoke_grants([("application_id", "in", self.ids)])
        self.write({"active": False, "suspended": True})
        return True

    def action_resume_registration(self):
        self.check_access("write")
        self.filtered("suspended").write({"active": True, "suspended": False})
        return True

    # ------------------------------------------------------------ RFC 7591
    @api.model
    def _registration_allowed_scopes(self):
        """The scope names a self-registered client may get at most, in the
        order of the server's scopes."""
        every = list(self.env["oauth2.scope"]._all_names())
        listed = get_client_registration_scopes(self.env)
        if listed is None:
            return [name for name in every if name != RPC_SCOPE]
        return [name for name in every if name in listed]

    @api.model
    def _registration_scopes(self, requested):
        """The scopes a registration requesting ``requested`` (names) gets:
        those of them allowed to self-registered clients, or all of those
        when it names none (RFC 7591 §2: the server may narrow them)."""
        allowed = self._registration_allowed_scopes()
        granted = (
            [name for name in allowed if name in requested] if requested else allowed
        )
        if not granted:
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "None of the requested scopes may be given to a self-registered "
                f"client; this server allows {' '.join(allowed) or 'none'}.",
            )
        return granted

    @api.model
    def _registration_values(self, metadata, scopes):
        """The application's values for parsed ``metadata`` (a
        :class:`~..oauth.client_metadata.ClientMetadata`) granted ``scopes``:
        never the values that let an application skip consent or act as
        someone."""
        values = dict(metadata.values)
        values["name"] = (
            values.get("name")
            or values.get("software_id")
            or self.env._("Self-registered application")
        )
        scope_ids = self.env["oauth2.scope"].sudo().search([("name", "in", scopes)])
        values.update(
            {
                "scope_ids": [Command.set(scope_ids.ids)],
                "skip_consent": False,
                "user_id": False,
            }
        )
        return values

    @api.model
    def _register_client(self, metadata, remote_addr, initial_token=None):
        """Create the application that ``metadata`` (parsed client metadata,
        a dict) asks for, registered from ``remote_addr`` with
        ``initial_token`` (an ``oauth2.registration.token``, if any); return
        the RFC 7591 §3.2.1 answer. Raises ``ClientMetadataError``."""
        parsed = parse_client_metadata(
            metadata, get_client_registration_grant_types(self.env)
        )
        if parsed.client_id is not None:
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "A client does not choose its client_id; the server issues it.",
            )
        scopes = self._registration_scopes(parsed.scopes)
        values = self._registration_values(parsed, scopes)
        secret = None
        if values["token_endpoint_auth_method"] in SECRET_AUTH_METHODS:
            secret = GeneratedSecret(generate_secret())
            values["client_secret"] = secret
        access_token = generate_secret()
        now = fields.Datetime.now()
        values.update(
            {
                "registration_source": DYNAMIC,
                "registered_at": now,
                "registered_from": (remote_addr or "")[:64] or False,
                "registration_token_id": initial_token.id if initial_token else False,
                "registration_access_token_hash": hash_secret(
                    self.env, REGISTRATION_ACCESS_TOKEN, access_token
                ),
            }
        )
        try:
            with self.env.cr.savepoint():
                application = self.sudo().create(values)
        except ValidationError as error:
            raise ClientMetadataError(INVALID_CLIENT_METADATA, str(error)) from error
        answer = application._registration_answer()
        answer["registration_access_token"] = access_token
        if secret:
            answer["client_secret"] = str(secret)
        return answer

    def _registration_answer(self):
        """The client information (RFC 7591 §3.2.1, RFC 7592 §3) of this
        self-registered application, without its secrets: neither its
        client secret nor its registration access token is stored, only
        their hashes."""
        self.ensure_one()
        app = self.sudo()
        values = {name: app[name] for name in REGISTRATION_FIELDS}
        answer = {
            "client_id": app.client_id,
            "client_id_issued_at": int(app.registered_at.timestamp())
            if app.registered_at
            else None,
            **client_metadata_of(values, app.scope_ids.mapped("name")),
            "registration_client_uri": registration_client_uri(
                issuer(self.env), app.client_id
            ),
        }
        if app.token_endpoint_auth_method in SECRET_AUTH_METHODS:
            # RFC 7591 §3.2.1: 0, the secret does not expire
            answer["client_secret_expires_at"] = 0
        return answer

    @api.model
    def _find_registration(self, client_id, registration_access_token):
        """The active self-registered application ``client_id`` whose
        registration access token is ``registration_access_token``, else an
        empty recordset: a token of another client finds nothing."""
        if not (client_id and registration_access_token):
            return self.browse()
        application = self.sudo().search(
            [
                ("client_id", "=", client_id),
                ("registration_source", "=", DYNAMIC),
                ("registration_access_token_hash", "!=", False),
            ],
            limit=1,
        )
        presented = hash_secret(
            self.env, REGISTRATION_ACCESS_TOKEN, registration_access_token
        )
        if not application or not hmac.compare_digest(
            application.registration_access_token_hash, presented
        ):
            return self.browse()
        return application

    def _update_registration(self, metadata):
        """Replace the registration with ``metadata`` (RFC 7592 §2.2), under
        the rules of a registration; raises ``ClientMetadataError``."""
        self.ensure_one()
        parsed = parse_client_metadata(
            metadata,
            get_client_registration_grant_types(self.env),
            client_secret_allowed=True,
        )
        if parsed.client_id != self.client_id:
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "client_id must be that of the registration (RFC 7592 §2.2).",
            )
        if parsed.client_secret is not None and not self._check_client_secret(
            parsed.client_secret
        ):
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "client_secret is not the client's (RFC 7592 §2.2).",
            )
        if parsed.values["client_type"] != self.client_type:
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "A registration cannot change between authenticating with none "
                "and with a client secret; register a new client instead.",
            )
        if not self._holds_secret_for(parsed.values["token_endpoint_auth_method"]):
            # the secret is issued at registration only
            raise ClientMetadataError(
                INVALID_CLIENT_METADATA,
                "This registration holds no client secret this server can use "
                f"with {parsed.values['token_endpoint_auth_method']}; register a "
                "new client instead.",
            )
        values = self._registration_values(
            parsed, self._registration_scopes(parsed.scopes)
        )
        try:
            with self.env.cr.savepoint():
                self.sudo().write(values)
        except ValidationError as error:
            raise ClientMetadataError(INVALID_CLIENT_METADATA, str(error)) from error
        return self._registration_answer()

    def _holds_secret_for(self, method):
        """Whether the application holds the secret that ``method`` needs:
        none for private_key_jwt and none, its hash for the secret methods,
        and the secret itself, kept encrypted, for client_secret_jwt."""
        self.ensure_one()
        app = self.sudo()
        if method == CLIENT_SECRET_JWT:
            return bool(app.client_secret_encrypted)
        return method not in SECRET_AUTH_METHODS or bool(app.client_secret_hash)

    def _delete_registration(self):
        """RFC 7592 §2.3: the client is gone: archived, its tokens revoked,
        and its registration access token forgotten, so that it cannot come
        back by itself."""
        self.ensure_one()
        app = self.sudo()
        self.env["oauth2.token"].sudo()._revoke_grants(
            [("application_id", "=", app.id)]
        )
        app.write({"active": False, "registration_access_token_hash": False})

    # ------------------------------------------------------------ cleanup
    @api.model
    def _stale_domain(self):
        """Self-registered applications that nobody used within the days of
        the setting: no token, no code, no user's consent. What the cleanup
        job deletes; nothing when the setting is 0.

        Never one an administrator took in hand: suspended (its record and
        chatter are the evidence of an incident), made a resource server or
        given token exchange, named by a resource (which only introspects,
        and holds no token), or last changed by anyone but the registration
        protocol itself, which writes as the superuser."""
        days = get_oauth2_setting(self.env, "client_registration_unused_days")
        if days <= 0:
            return [("id", "=", False)]
        candidates = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("registration_source", "=", DYNAMIC),
                    (
                        "registered_at",
                        "<",
                        fields.Datetime.now() - timedelta(days=days),
                    ),
                    ("suspended", "=", False),
                    ("is_resource_server", "=", False),
                    ("grant_token_exchange", "=", False),
                    ("write_uid", "=", SUPERUSER_ID),
                ]
            )
        )
        used = candidates._ids_in_use() | set(
            self.env["oauth2.resource"]
            .sudo()
            .with_context(active_test=False)
            .search([("application_id", "in", candidates.ids)])
            .application_id.ids
        )
        return [
            ("active", "in", (True, False)),
            ("id", "in", [app.id for app in candidates if app.id not in used]),
        ]

    def _ids_in_use(self):
        """The ids of these applications that hold a token, a code or a
        user's consent, live or not: what the cleanup of unused clients
        spares."""
        used = set()
        for model_name in (
            "oauth2.token",
            "oauth2.authorization.code",
            "oauth2.consent",
        ):
            used.update(
                application.id
                for (application,) in self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                ._read_group([("application_id", "in", self.ids)], ["application_id"])
            )
        return used


def registration_client_uri(issuer_url, client_id):
    """RFC 7592 §1: where a client manages its registration."""
    return f"{issuer_url}{routes.REGISTER}/{quote(client_id, safe='')}"
