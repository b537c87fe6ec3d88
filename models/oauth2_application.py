# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The OAuth2 client application: its fields, computes and actions. What the
protocol asks of it is in ``oauth2_application_client.py``, the tokens it is
given in ``oauth2_application_tokens.py``, its chatter in
``oauth2_application_audit.py`` and the rules of its values in
``oauth2_application_rules.py``."""

import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..oauth import access_tokens, acr, jose, request_objects
from ..oauth.client_assertions import CLIENT_SECRET_JWT, PRIVATE_KEY_JWT
from ..oauth.constants import CLIENT_SECRET
from ..oauth.secrets import generate_secret
from ..provider.configuration import encrypt_secret, hash_secret
from ..series import Constraint

# A secret given by hand must resist guessing as a generated one does, since a
# right secret is answered even from a throttled address.
MIN_CLIENT_SECRET_LENGTH = 32
# ... and not be a few characters repeated, such as "a" * 32.
MIN_CLIENT_SECRET_CHARACTERS = 8
# refresh_token_policy: a refresh token works until it expires (RFC 6749 §6),
# or only once, a reuse revoking its grant (RFC 9700 §4.14.2)
REUSABLE = "reusable"
ROTATE = "rotate"


def nonblank_lines(text):
    """The stripped, non-blank lines of a one-value-per-line field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class GeneratedSecret(str):
    """A client secret this module generated, which the chatter tells apart
    from one given by hand: a value sent over the API is never of this type."""


class OAuth2Application(models.Model):
    _name = "oauth2.application"
    _inherit = ["mail.thread"]
    _description = "OAuth2 Client Application"
    _order = "name, id"

    # The audit trail: every field that decides what the application's tokens
    # may do is tracked in the chatter. Never the secret nor its hash.
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    client_id = fields.Char(
        string="Client ID",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        default=lambda self: secrets.token_urlsafe(24),
    )
    client_secret = fields.Char(
        compute="_compute_client_secret",
        inverse="_inverse_client_secret",
        copy=False,
        help="Write-only: only a hash is stored. A generated secret is shown once.",
    )
    client_secret_hash = fields.Char(copy=False, groups="base.group_system")
    # A client_secret_jwt client's secret, which its HMACs are verified with:
    # sealed under a key derived from the database secret, never in clear
    # (oauth/secrets.py encrypt_secret); set with the secret, while the
    # application authenticates with client_secret_jwt.
    client_secret_encrypted = fields.Char(
        copy=False, groups="base.group_system", prefetch=False
    )
    client_secret_is_strong = fields.Boolean(
        copy=False,
        groups="base.group_system",
        help="Set or generated under the strength rules: a right secret is then "
        "answered even while wrong ones are throttled. Secrets stored before "
        "those rules wait out the throttle like wrong ones until replaced.",
    )
    has_client_secret = fields.Boolean(compute="_compute_has_client_secret")
    client_type = fields.Selection(
        [("confidential", "Confidential"), ("public", "Public")],
        required=True,
        default="confidential",
        tracking=True,
        help="Confidential clients keep a secret (servers); public clients cannot "
        "(browser or mobile apps) and must use PKCE.",
    )
    redirect_uris = fields.Text(
        string="Redirect URIs",
        tracking=True,
        help="One absolute URI per line; the authorization request must use one of "
        "them exactly.",
    )
    post_logout_redirect_uris = fields.Text(
        string="Post-logout Redirect URIs",
        tracking=True,
        help="One absolute URI per line, where the application may send its users "
        "back after they log out (OpenID Connect RP-Initiated Logout); the logout "
        "request must use one of them exactly.",
    )
    allowed_origins = fields.Text(
        tracking=True,
        help="Origins (such as https://app.example.com), one per line, whose web "
        "pages may call the token, revocation and userinfo endpoints for this "
        "application, besides those of its redirect URIs.",
    )
    scope_ids = fields.Many2many(
        "oauth2.scope",
        string="Scopes",
        tracking=True,
        help="The scopes this application may obtain. Empty means every scope.",
    )
    default_scope_ids = fields.Many2many(
        "oauth2.scope",
        "oauth2_application_default_scope_rel",
        "application_id",
        "scope_id",
        string="Default Scopes",
        tracking=True,
        help="Granted when a request names no scope. Empty means every scope of "
        "the application but rpc and openid, which are granted only when "
        "requested by name.",
    )
    grant_authorization_code = fields.Boolean(
        string="Authorization Code", default=True, tracking=True
    )
    grant_implicit = fields.Boolean(string="Implicit", tracking=True)
    grant_password = fields.Boolean(string="Password", tracking=True)
    grant_client_credentials = fields.Boolean(
        string="Client Credentials", tracking=True
    )
    grant_device_code = fields.Boolean(
        string="Device Code",
        tracking=True,
        help="RFC 8628: devices without a browser (command-line tools, "
        "terminals, TVs) show a short code that the user types on this "
        "server's page /orestapi/oauth2/device, signed in, to approve them.",
    )
    grant_token_exchange = fields.Boolean(
        string="Token Exchange",
        tracking=True,
        help="RFC 8693: this application, a resource server such as an MCP "
        "server, may trade the access tokens its users' clients obtained for it "
        "for tokens of the same users for another registered resource (Odoo's "
        "APIs by default), with no more scopes than the token it was given.",
    )
    issue_refresh_token = fields.Boolean(
        string="Issue Refresh Tokens", default=True, tracking=True
    )
    refresh_token_offline_access_only = fields.Boolean(
        string="Only With offline_access",
        tracking=True,
        help="Issue a refresh token only to a grant that includes the "
        "offline_access scope, which a request obtains by asking for it with "
        "prompt=consent and a code (OpenID Connect Core §11). Unticked, every "
        "authorization code and password grant gets one.",
    )
    # No default: whoever creates the application is no answer to whose rights
    # its client_credentials tokens should carry, least of all an
    # administrator's.
    user_id = fields.Many2one(
        "res.users",
        string="Acts As",
        tracking=True,
        help="The user whose rights the application's Client Credentials tokens "
        "carry: the application acts as this user without anyone signing in. "
        "Required when Client Credentials is allowed; choose a user with only "
        "the rights the application needs.",
    )
    acts_as_administrator = fields.Boolean(
        compute="_compute_acts_as_administrator",
        help="Acts As is a user with Settings or Administration rights, whose "
        "rights anyone holding the client secret then has.",
    )
    access_token_lifetime = fields.Integer(
        tracking=True, help="Seconds; 0 uses the global setting."
    )
    refresh_token_lifetime = fields.Integer(
        tracking=True, help="Seconds; 0 uses the global setting."
    )
    refresh_token_policy = fields.Selection(
        [
            (REUSABLE, "Reusable until they expire"),
            (ROTATE, "Single use (rotated on every refresh)"),
        ],
        compute="_compute_refresh_token_policy",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="Reusable: a refresh token works until it expires, so a client that "
        "retries a refresh whose answer it lost, or refreshes from two threads, "
        "keeps its access; every refresh still returns a new refresh token with a "
        "fresh lifetime. Single use: every refresh replaces the refresh token, and "
        "one presented again ends every token of its grant, which catches a "
        "stolen copy but also ends the access of a client that retried. New "
        "confidential clients start reusable; public clients are always single "
        "use.",
    )
    skip_consent = fields.Boolean(
        tracking=True,
        help="Trusted first-party application: users are not asked to approve it. "
        "Only a Settings administrator may set it.",
    )
    allow_pkce_plain = fields.Boolean(
        string="Allow PKCE plain",
        tracking=True,
        help="Accept code_challenge_method=plain, for clients that cannot compute "
        "SHA-256. Off by default: a plain challenge protects nothing once the "
        "authorization request is seen (RFC 9700 §2.1.1).",
    )
    is_resource_server = fields.Boolean(
        string="Resource Server",
        tracking=True,
        help="An API that checks the tokens of every application at the "
        "introspection endpoint, where it also learns their users' database id "
        "(odoo_user_id) unless its subject type is pairwise; other applications "
        "may introspect only their own.",
    )
    subject_type = fields.Selection(
        [("public", "Public"), ("pairwise", "Pairwise")],
        required=True,
        default="public",
        tracking=True,
        help="The sub claim that identifies a user to this application (OpenID "
        "Connect Core §8). Public: the same for every application that chooses "
        "it. Pairwise: this application's own, so that it cannot match its users "
        "with other applications'.",
    )
    id_token_signed_response_alg = fields.Selection(
        [(algorithm, algorithm) for algorithm in jose.SIGNING_ALGORITHMS],
        string="ID Token Signing Algorithm",
        required=True,
        default=jose.RS256,
        tracking=True,
        help="Signs this application's id_tokens, and its JWT access tokens and "
        "logout tokens. RS256 is what every OpenID Connect application accepts; "
        "ES256 gives shorter tokens, for applications that support it.",
    )
    default_acr_values = fields.Char(
        string="Default Authentication Levels",
        tracking=True,
        help="Space-separated acr values asked for on behalf of this application "
        "when its request names none (acr_values), in order of preference: "
        "urn:orestapi:acr:mfa leads a user who logged in with a password alone through "
        "the two-factor step, if they have enabled it.",
    )
    minimum_acr = fields.Selection(
        [
            (acr.ACR_PASSWORD, "Any login"),
            (acr.ACR_MFA, "Two-factor login"),
        ],
        string="Minimum Authentication Level",
        tracking=True,
        help="The sign-in strength this application requires of every user: with "
        "Two-factor login, a user who logged in with a password alone goes "
        "through the two-factor step, and one who has not enabled two-factor "
        "authentication is refused (unmet_authentication_requirements).",
    )
    access_token_format = fields.Selection(
        access_tokens.ACCESS_TOKEN_FORMATS,
        required=True,
        default=access_tokens.OPAQUE,
        tracking=True,
        help="Opaque: random strings that only this server can check, at its "
        "introspection, tokeninfo or userinfo endpoint. JWT (RFC 9068): tokens "
        "signed with the keys of the JWKS, which a resource server verifies "
        "offline; it learns of a revocation only through introspection or when "
        "the token expires, so keep their lifetime short.",
    )
    dpop_bound_access_tokens = fields.Boolean(
        string="Require DPoP",
        tracking=True,
        help="RFC 9449: every token request of this application must carry a "
        "DPoP proof, so that its access tokens work only with the key it "
        "holds; without it, DPoP is optional.",
    )
    access_token_audiences = fields.Text(
        string="Audiences",
        tracking=True,
        help="The resource servers this application's tokens are for, one "
        "absolute URI per line (such as https://api.example.com): the aud "
        "claim. Tokens are for the first unless the token request names others "
        "with resource (RFC 8707). Empty: tokens are for the application's own "
        "client ID, and a request naming a resource is refused.",
    )
    backchannel_logout_uri = fields.Char(
        string="Back-channel Logout URI",
        tracking=True,
        help="Where this server posts a signed logout token when a user who "
        "signed into this application through OpenID Connect logs out of Odoo, "
        "is archived, or revokes their consent (OpenID Connect Back-Channel "
        "Logout): https, or http on a loopback host. The server calls no "
        "loopback, private, link-local or other special-use address unless a "
        "Settings administrator lists it in Outbound Allowed Networks.",
    )
    backchannel_logout_session_required = fields.Boolean(
        string="Back-channel Logout Needs sid",
        tracking=True,
        help="The application identifies the ended session by the sid claim. "
        "Logout tokens always carry it, as the id_tokens of a browser session do.",
    )
    frontchannel_logout_uri = fields.Char(
        string="Front-channel Logout URI",
        tracking=True,
        help="The application's page that this server loads in a hidden frame "
        "when a user who signed into it through OpenID Connect logs out of Odoo "
        "(OpenID Connect Front-Channel Logout): https, or http on a loopback host, "
        "on the scheme, host and port of one of its redirect URIs.",
    )
    frontchannel_logout_session_required = fields.Boolean(
        string="Front-channel Logout Needs iss and sid",
        tracking=True,
        help="The frame's address carries iss and sid in its query, so that the "
        "application knows which session ended: the sid of its id_tokens.",
    )
    jwks = fields.Text(
        string="JWKS",
        tracking=True,
        help="The application's public keys as a JSON Web Key Set, which verify "
        "its signed request objects and private_key_jwt assertions: RSA, EC on "
        "P-256 or Ed25519; never a private key.",
    )
    jwks_uri = fields.Char(
        string="JWKS URI",
        tracking=True,
        help="Where the application publishes its JWKS instead, fetched when a "
        "request object or a client assertion comes and kept for a few minutes: "
        "https, or http on a loopback host, under the same address rules as "
        "back-channel logout.",
    )
    request_object_signing_alg = fields.Selection(
        [(algorithm, algorithm) for algorithm in request_objects.SIGNING_ALGORITHMS]
        + [(request_objects.UNSIGNED, "none (unsigned allowed)")],
        string="Request Object Signing Algorithm",
        tracking=True,
        help="The algorithm of the application's request objects (the request "
        "parameter, RFC 9101). Empty: any of RS256, PS256 and ES256. none: "
        "unsigned request objects are accepted too, which anyone could forge, "
        "so only for applications whose requests have nothing to protect.",
    )
    require_pushed_authorization_requests = fields.Boolean(
        tracking=True,
        help="The application must push each authorization request to the PAR "
        "endpoint first (RFC 9126) and send the user with the request_uri it got; "
        "any other authorization request is refused.",
    )
    active_token_count = fields.Integer(
        string="Active Tokens",
        compute="_compute_active_token_count",
        groups="orestapi_oauth2.group_oauth2_manager",
    )
    consent_count = fields.Integer(
        string="Users with a Consent",
        compute="_compute_consent_count",
        groups="orestapi_oauth2.group_oauth2_manager",
    )
    recent_failure_count = fields.Integer(
        string="Failures in 24 Hours",
        compute="_compute_recent_failure_count",
        groups="orestapi_oauth2.group_oauth2_manager",
        help="Failed client authentications with this client ID in the last 24 hours.",
    )
    last_used_at = fields.Datetime(
        string="Last Used",
        compute="_compute_last_used_at",
        help="When one of the application's tokens was last used.",
    )

    _client_id_unique = Constraint(
        "unique(client_id)", "This client ID is already used."
    )
    _lifetimes_positive = Constraint(
        "CHECK(access_token_lifetime >= 0 AND refresh_token_lifetime >= 0)",
        "Token lifetimes cannot be negative.",
    )

    def _compute_client_secret(self):
        # Never readable once stored. A secret generated or written in this
        # transaction stays in the ORM cache, which is how the form that saved the
        # record shows it exactly once.
        self.client_secret = False

    def _inverse_client_secret(self):
        for app in self:
            secret = app.client_secret
            if secret and (
                len(secret) < MIN_CLIENT_SECRET_LENGTH
                or len(set(secret)) < MIN_CLIENT_SECRET_CHARACTERS
            ):
                raise ValidationError(
                    self.env._(
                        "A client secret must be at least %(length)s characters "
                        "long, with at least %(characters)s different ones. Leave "
                        "it empty to have a strong one generated.",
                        length=MIN_CLIENT_SECRET_LENGTH,
                        characters=MIN_CLIENT_SECRET_CHARACTERS,
                    )
                )
            keeps_secret = (
                secret and app.token_endpoint_auth_method == CLIENT_SECRET_JWT
            )
            app.sudo().write(
                {
                    "client_secret_hash": secret
                    and hash_secret(self.env, CLIENT_SECRET, secret),
                    "client_secret_is_strong": bool(secret),
                    "client_secret_encrypted": keeps_secret
                    and encrypt_secret(self.env, str(app.id), secret),
                }
            )

    def _compute_has_client_secret(self):
        for app, app_sudo in zip(self, self.sudo(), strict=True):
            app.has_client_secret = bool(app_sudo.client_secret_hash)

    @api.depends("user_id")
    def _compute_acts_as_administrator(self):
        for app in self:
            # group_system implies group_erp_manager; sudo because a manager
            # may not read the groups of the user they choose
            app.acts_as_administrator = bool(
                app.user_id
            ) and app.user_id.sudo()._has_group("base.group_erp_manager")

    @api.depends("client_type")
    def _compute_refresh_token_policy(self):
        """New confidential clients get reusable refresh tokens: they
        authenticate every refresh, so a stolen refresh token is of no use
        without their secret (RFC 6749 §6 allows either). Public clients
        cannot authenticate, so they must rotate (RFC 9700 §4.14.2). A policy
        already set is kept otherwise: changing the client type never loosens
        it."""
        for app in self:
            if app.client_type == "public":
                app.refresh_token_policy = ROTATE
            elif not app.refresh_token_policy:
                app.refresh_token_policy = REUSABLE

    def _compute_active_token_count(self):
        tokens = self.env["oauth2.token"]
        counts = dict(
            tokens._read_group(
                [("application_id", "in", self.ids), *tokens._state_domain("active")],
                ["application_id"],
                ["__count"],
            )
        )
        for app in self:
            app.active_token_count = counts.get(app, 0)

    def _compute_consent_count(self):
        counts = dict(
            self.env["oauth2.consent"]._read_group(
                [("application_id", "in", self.ids)], ["application_id"], ["__count"]
            )
        )
        for app in self:
            app.consent_count = counts.get(app, 0)

    def _compute_recent_failure_count(self):
        failures = self.env["oauth2.client.auth.failure"]
        counts = dict(
            failures._read_group(
                failures._recent_domain(set(self.mapped("client_id"))),
                ["client_id"],
                ["__count"],
            )
        )
        for app in self:
            app.recent_failure_count = counts.get(app.client_id, 0)

    def _compute_last_used_at(self):
        last_uses = dict(
            self.env["oauth2.token"]
            .sudo()
            ._read_group(
                [("application_id", "in", self.ids)],
                ["application_id"],
                ["last_used_at:max"],
            )
        )
        for app in self:
            app.last_used_at = last_uses.get(app.sudo(), False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a client of private_key_jwt proves itself with its keys alone
            if (
                vals.get("client_type", "confidential") == "confidential"
                and vals.get("token_endpoint_auth_method") != PRIVATE_KEY_JWT
                and not vals.get("client_secret")
            ):
                vals["client_secret"] = generate_secret()
        applications = super().create(vals_list)
        # checked on the records, defaults included: a default_user_id in the
        # context or a user default must not slip another identity in
        applications._check_carries_only_own_identity()
        # Workers keep applications' rows and allowed scopes (_cached_row,
        # _allowed_scope_names, _default_scope_names), and the metadata's
        # PKCE methods (_code_challenge_methods).
        self.env.registry.clear_cache()
        return applications

    def write(self, vals):
        self._check_carries_only_own_identity()
        result = super().write(vals)
        if {"token_endpoint_auth_method", "client_type"} & vals.keys():
            # a secret kept for client_secret_jwt is forgotten with that method
            leaving = self.sudo().filtered(
                lambda app: app.token_endpoint_auth_method != CLIENT_SECRET_JWT
                and app.client_secret_encrypted
            )
            super(OAuth2Application, leaving).write({"client_secret_encrypted": False})
        self._check_carries_only_own_identity()
        if "client_secret" in vals:
            self._log_client_secret_change(vals["client_secret"])
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def action_generate_client_secret(self):
        """Replace the secret; the old one stops working at once."""
        self.ensure_one()
        secret = GeneratedSecret(generate_secret())
        self.client_secret = secret
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Client Secret"),
            "res_model": "oauth2.application.secret",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_client_id": self.client_id,
                # a plain str: XML-RPC cannot marshal the GeneratedSecret mark
                "default_client_secret": str(secret),
            },
        }

    def action_set_client_secret(self):
        """Open the application's own dialog that takes a secret by hand: saved
        on the application, so the inverse hashes it and the rules of who may
        change the secret apply."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Client Secret"),
            "res_model": self._name,
            "res_id": self.id,
            "views": [
                (
                    self.env.ref(
                        "orestapi_oauth2.oauth2_application_view_form_set_secret"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def action_revoke_tokens(self):
        self.check_access("write")
        revoked = self.env["oauth2.token"]._revoke_grants(
            [("application_id", "in", self.ids)]
        )
        for app in self:
            app._log_token_revocation(revoked, every_token=True)
        return True

    def _action_of(self, xml_id, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = domain
        action["context"] = context or {}
        return action

    def action_view_tokens(self):
        """The application's tokens, the active ones first: what the Active
        Tokens button counts."""
        return self._action_of(
            "orestapi_oauth2.oauth2_token_action",
            [("application_id", "=", self.id)],
            {"search_default_filter_active": 1},
        )

    def action_view_consents(self):
        return self._action_of(
            "orestapi_oauth2.oauth2_consent_action", [("application_id", "=", self.id)]
        )

    def action_view_recent_failures(self):
        return self._action_of(
            "orestapi_oauth2.oauth2_client_auth_failure_action",
            self.env["oauth2.client.auth.failure"]._recent_domain([self.client_id]),
        )
