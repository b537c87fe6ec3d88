# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hmac
import secrets

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

from ..oauth import (
    access_tokens,
    backchannel_logout,
    end_session,
    jose,
    oidc,
    outbound,
)
from ..oauth.constants import (
    ALL_SCOPES,
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    CLIENT_SECRET,
    CONFIDENTIAL_ONLY_GRANTS,
    NAMED_ONLY_SCOPES,
    PASSWORD,
    REFRESH_TOKEN,
    RPC_SCOPE,
)
from ..oauth.cors import origin_of
from ..oauth.redirect_uris import is_registrable, is_web_origin
from ..oauth.secrets import generate_secret
from ..provider.configuration import hash_secret, issuer
from ..series import Constraint, returns
from .res_config_settings import get_oauth2_setting, get_outbound_allowed_networks

# A secret given by hand must resist guessing as a generated one does, since a
# right secret is answered even from a throttled address.
MIN_CLIENT_SECRET_LENGTH = 32
# ... and not be a few characters repeated, such as "a" * 32.
MIN_CLIENT_SECRET_CHARACTERS = 8

# grant_type (RFC 6749) -> the application field that allows it
GRANT_FIELDS = {
    AUTHORIZATION_CODE: "grant_authorization_code",
    PASSWORD: "grant_password",
    CLIENT_CREDENTIALS: "grant_client_credentials",
    REFRESH_TOKEN: "issue_refresh_token",
}
# response_type (RFC 6749 §3.1.1) -> the application field that allows it
RESPONSE_TYPE_FIELDS = {
    "code": "grant_authorization_code",
    "token": "grant_implicit",
    # OpenID Connect Core §3.2: the implicit flow
    "id_token": "grant_implicit",
    "id_token token": "grant_implicit",
}
# refresh_token_policy: a refresh token works until it expires (RFC 6749 §6),
# or only once, a reuse revoking its grant (RFC 9700 §4.14.2)
REUSABLE = "reusable"
ROTATE = "rotate"


# The token owners a revocation note names one by one; more are counted.
REVOCATION_NOTE_MAX_OWNERS = 10


def _nonblank_lines(text):
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
    issue_refresh_token = fields.Boolean(
        string="Issue Refresh Tokens", default=True, tracking=True
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
        help="Failed client authentications with this client ID in the last 24 "
        "hours.",
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
            app.sudo().write(
                {
                    "client_secret_hash": secret
                    and hash_secret(self.env, CLIENT_SECRET, secret),
                    "client_secret_is_strong": bool(secret),
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
            if vals.get(
                "client_type", "confidential"
            ) == "confidential" and not vals.get("client_secret"):
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
        self._check_carries_only_own_identity()
        if "client_secret" in vals:
            self._log_client_secret_change(vals["client_secret"])
        self.env.registry.clear_cache()
        return result

    # The mail gateway creates and updates records as the superuser, with the
    # values that an email, or whoever calls mail.thread's message_process
    # (any internal user may), chooses: past _check_carries_only_own_identity,
    # and with messages in anyone's name. Applications take no incoming email.
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        raise AccessError(
            self.env._("OAuth2 applications cannot be created from an email.")
        )

    def message_update(self, msg_dict, update_vals=None):
        raise AccessError(
            self.env._("OAuth2 applications do not take incoming emails.")
        )

    @returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # The trail says who did what: nobody posts on it in another's name
        # (the module's notes, posted as the superuser, name the acting user).
        author_id = kwargs.get("author_id")
        if not self.env.su and (
            author_id not in (None, False, self.env.user.partner_id.id)
            or (not author_id and kwargs.get("email_from"))
        ):
            raise AccessError(
                self.env._(
                    "Messages on an OAuth2 application are posted in your own name."
                )
            )
        return super().message_post(**kwargs)

    def _message_auto_subscribe_followers(self, updated_values, default_subtype_ids):
        # Acts As is whose rights the tokens carry, not who is responsible for
        # the application: that user is neither subscribed nor told they were
        # "assigned" to it.
        return []

    def _log_client_secret_change(self, secret):
        """Say in the chatter who replaced or removed the secret, never what
        it is: the note names the user only."""
        actor = self.env.user
        if not secret:
            body = self.env._("Client secret removed by %(user)s.", user=actor.name)
        elif isinstance(secret, GeneratedSecret):
            body = self.env._("Client secret regenerated by %(user)s.", user=actor.name)
        else:
            body = self.env._("Client secret set by hand by %(user)s.", user=actor.name)
        for app in self.sudo():
            app._message_log(body=body, author_id=actor.partner_id.id)

    def _log_token_revocation(self, tokens, consent_user=None, every_token=False):
        """Say in this application's chatter who revoked how many of its
        ``tokens`` (those the revocation ended), and whose. Called by the
        revocations people make (Revoke on tokens, *Revoke all tokens*,
        revoking a consent), never by those the protocol makes, which would
        flood it. Posted as the acting user, who may only read the
        application, or not even that when revoking their own consent."""
        self.ensure_one()
        tokens = tokens.filtered(lambda token: token.application_id == self)
        actor = self.env.user
        count = (
            self.env._("1 token")
            if len(tokens) == 1
            else self.env._("%s tokens", len(tokens))
        )
        if consent_user is not None:
            body = self.env._(
                "%(user)s revoked the consent of %(owner)s, and with it %(count)s.",
                user=actor.name,
                owner=consent_user.name,
                count=count,
            )
        elif every_token and not tokens:
            body = self.env._(
                "%(user)s revoked every token of this application: none was "
                "left to revoke.",
                user=actor.name,
            )
        elif every_token:
            body = self.env._(
                "%(user)s revoked every token of this application: %(count)s "
                "of %(owners)s.",
                user=actor.name,
                count=count,
                owners=self._token_owners_text(tokens),
            )
        else:
            body = self.env._(
                "%(user)s revoked %(count)s of %(owners)s.",
                user=actor.name,
                count=count,
                owners=self._token_owners_text(tokens),
            )
        self.sudo()._message_log(body=body, author_id=actor.partner_id.id)

    @api.model
    def _token_owners_text(self, tokens):
        """Whose ``tokens`` are: one name, or names with their counts."""
        counts = {}
        for token in tokens:
            counts[token.user_id] = counts.get(token.user_id, 0) + 1
        if len(counts) == 1:
            return next(iter(counts)).name
        owners = sorted(counts.items(), key=lambda item: (-item[1], item[0].name))
        shown = [
            f"{owner.name} ({count})"
            for owner, count in owners[:REVOCATION_NOTE_MAX_OWNERS]
        ]
        others = len(owners) - len(shown)
        if others:
            shown.append(self.env._("%s other users", others))
        return ", ".join(shown)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def _check_carries_only_own_identity(self):
        """An OAuth2 manager who is not a Settings administrator creates and
        changes only applications whose tokens can carry no identity but
        their own: acting as themselves, asking for consent, and approved by
        no other user. Through any other application's secret, redirect URIs
        or grants they could obtain tokens of someone else, so only a Settings
        administrator changes it."""
        if self.env.is_system() or not self:
            return
        user = self.env.user
        approved_by_others = (
            self.env["oauth2.consent"]
            .sudo()
            .search([("application_id", "in", self.ids), ("user_id", "!=", user.id)])
            .application_id
        )
        for app in self.sudo():
            # without Acts As, the application's tokens carry only the
            # identity of the user who signs in
            if app.user_id and app.user_id != user:
                reason = self.env._(
                    "it acts as %(user)s: you may only let applications act as "
                    "yourself",
                    user=app.user_id.display_name,
                )
            elif app.skip_consent:
                reason = self.env._("it skips the users' consent")
            elif app in approved_by_others:
                reason = self.env._("other users have approved it")
            else:
                continue
            raise AccessError(
                self.env._(
                    "Only a Settings administrator may create or change the "
                    "application %(application)s: %(reason)s.",
                    application=app.name,
                    reason=reason,
                )
            )

    @api.constrains("grant_client_credentials", "client_type", "user_id")
    def _check_acts_as(self):
        for app in self:
            if app._acts_as_someone() and not app.user_id:
                raise ValidationError(
                    self.env._(
                        "The application %(application)s allows Client "
                        "Credentials: choose in Acts As the user whose rights "
                        "its tokens carry.",
                        application=app.name,
                    )
                )

    @api.constrains("client_id")
    def _check_client_id(self):
        for app in self:
            # Basic authentication splits "client_id:client_secret" at the first colon.
            if not app.client_id.strip() or ":" in app.client_id:
                raise ValidationError(
                    self.env._("A client ID must not be blank nor contain a colon.")
                )

    @api.constrains("redirect_uris")
    def _check_redirect_uris(self):
        for app in self:
            for uri in app._redirect_uri_lines():
                if not is_registrable(uri):
                    raise ValidationError(
                        self.env._(
                            "%(uri)s cannot be a redirect URI. Register an absolute "
                            "https URI, an http URI on a loopback host (127.0.0.1, "
                            "[::1] or localhost) or a native app's private-use "
                            "scheme such as com.example.app:/callback; never a "
                            "fragment (#), a user name, or a scheme such as "
                            "javascript:, data: or file:.",
                            uri=uri,
                        )
                    )

    @api.constrains("post_logout_redirect_uris")
    def _check_post_logout_redirect_uris(self):
        # A logout request redirects before any user is asked, so the same
        # rules as for redirect URIs keep it from being an open redirector or
        # a way to run a script.
        for app in self:
            for uri in _nonblank_lines(app.post_logout_redirect_uris):
                if not is_registrable(uri):
                    raise ValidationError(
                        self.env._(
                            "%(uri)s cannot be a post-logout redirect URI. The "
                            "rules of redirect URIs apply: an absolute https URI, "
                            "an http URI on a loopback host (127.0.0.1, [::1] or "
                            "localhost) or a native app's private-use scheme; "
                            "never a fragment (#), a user name, or a scheme such "
                            "as javascript:, data: or file:.",
                            uri=uri,
                        )
                    )

    @api.constrains("access_token_audiences")
    def _check_access_token_audiences(self):
        for app in self:
            for line in _nonblank_lines(app.access_token_audiences):
                if not access_tokens.is_resource_uri(line):
                    raise ValidationError(
                        self.env._(
                            "%(audience)s cannot be an audience. Give an absolute "
                            "URI without a fragment, such as "
                            "https://api.example.com or urn:example:api, as "
                            "clients name it in their resource parameter.",
                            audience=line,
                        )
                    )

    @api.constrains("backchannel_logout_uri")
    def _check_backchannel_logout_uri(self):
        for app in self:
            uri = (app.backchannel_logout_uri or "").strip()
            if uri and not backchannel_logout.is_backchannel_logout_uri(uri):
                raise ValidationError(
                    self.env._(
                        "%(uri)s cannot be a back-channel logout URI. Give an "
                        "absolute https URI, or an http URI on a loopback host "
                        "(127.0.0.1, [::1] or localhost), without a fragment or "
                        "a user name.",
                        uri=uri,
                    )
                )
            refusal = uri and outbound.destination_refusal(
                uri, get_outbound_allowed_networks(self.env)
            )
            if refusal:
                raise ValidationError(
                    self.env._(
                        "%(uri)s cannot be a back-channel logout URI: %(reason)s. "
                        "The server does not call loopback, private, link-local "
                        "or other special-use addresses unless a Settings "
                        "administrator lists the network in Outbound Allowed "
                        "Networks.",
                        uri=uri,
                        reason=self._outbound_refusal_reason(refusal),
                    )
                )

    def _outbound_refusal_reason(self, refusal):
        """Why the server would not call the host of ``refusal``, in the
        user's language."""
        kind = {
            outbound.LOOPBACK: self.env._("a loopback address"),
            outbound.PRIVATE: self.env._("a private address"),
            outbound.LINK_LOCAL: self.env._("a link-local address"),
            outbound.MULTICAST: self.env._("a multicast address"),
            outbound.UNSPECIFIED: self.env._("the unspecified address"),
            outbound.SPECIAL_USE: self.env._("a special-use address"),
        }[refusal.kind]
        if refusal.literal:
            return self.env._("%(host)s is %(kind)s", host=refusal.host, kind=kind)
        return self.env._("%(host)s resolves to %(kind)s", host=refusal.host, kind=kind)

    @api.constrains("allowed_origins")
    def _check_allowed_origins(self):
        for app in self:
            for line in app._allowed_origin_lines():
                if not is_web_origin(line):
                    raise ValidationError(
                        self.env._(
                            "%(origin)s is not an allowed origin. Give a scheme, "
                            "host and port only, https (http only on 127.0.0.1, "
                            "[::1] or localhost), such as https://app.example.com "
                            "or http://127.0.0.1:3000; * is not allowed: every "
                            "application names the sites it trusts.",
                            origin=line,
                        )
                    )

    @api.constrains("scope_ids", "default_scope_ids")
    def _check_default_scopes(self):
        for app in self:
            names = set(app.default_scope_ids.mapped("name"))
            if RPC_SCOPE in names:
                raise ValidationError(
                    self.env._(
                        "rpc cannot be a default scope: it stands in for the user's "
                        "password, so clients must request it by name."
                    )
                )
            if app.scope_ids and not names <= set(app.scope_ids.mapped("name")):
                raise ValidationError(
                    self.env._("Default scopes must be among the application's scopes.")
                )

    def _redirect_uri_lines(self):
        self.ensure_one()
        return _nonblank_lines(self.redirect_uris)

    def _allowed_origin_lines(self):
        self.ensure_one()
        return [line.rstrip("/") for line in _nonblank_lines(self.allowed_origins)]

    def _cors_origins(self):
        """The origins whose pages may send this application's requests: those
        of its redirect URIs, where a browser app is served, and its Allowed
        Origins."""
        self.ensure_one()
        origins = {origin_of(uri) for uri in self._redirect_uri_list()}
        origins.update(origin_of(line) for line in self._allowed_origin_lines())
        origins.discard(None)
        return origins

    @api.model
    @tools.ormcache()
    def _all_cors_origins(self):
        """The origins of every active application: a preflight says nothing
        of the client it comes for, so it is answered for any of them."""
        return frozenset(
            origin
            for application in self.sudo().search([])
            for origin in application._cors_origins()
        )

    @api.model
    def _allowed_cors_origin(self, origin):
        """The CORS policy of the endpoints applications call (see
        ``oauth.cors``): ``origin`` if an active application trusts it."""
        return origin if origin in self._all_cors_origins() else None

    def _redirect_uri_list(self):
        """The registered redirect URIs, leaving out any stored before the
        rules of :func:`is_registrable` existed that breaks them."""
        return [uri for uri in self._redirect_uri_lines() if is_registrable(uri)]

    def _post_logout_redirect_uri_list(self):
        """The registered post-logout redirect URIs, leaving out, as
        :meth:`_redirect_uri_list` does, any that breaks the rules."""
        self.ensure_one()
        return [
            uri
            for uri in _nonblank_lines(self.post_logout_redirect_uris)
            if is_registrable(uri)
        ]

    @api.model
    def _find_by_client_id(self, client_id):
        """The active application with this client ID, or an empty recordset.

        Every client authentication asks this, so its row, secret hash
        included, is kept by each worker until an application changes, which
        every worker learns at its next request: a token request then asks the
        database nothing about its client. An unknown client_id is never kept,
        so that guessing cannot crowd out Odoo's other cached values.
        """
        if not client_id:
            return self.browse()
        try:
            application_id, row = self._cached_row(client_id)
        except KeyError:
            return self.browse()
        application = self.sudo().browse(application_id)
        for name, value in row.items():
            self.env.cache.insert_missing(application, self._fields[name], [value])
        return application

    @api.model
    def _end_session(self, logout_request):
        """What an RP-Initiated Logout 1.0 ``logout_request`` (an
        :class:`~..oauth.end_session.LogoutRequest`) asks, checked (§2, §3):
        the application it comes from, the user its id_token_hint names and
        where to send the user afterwards; raises
        :class:`~..oauth.end_session.InvalidLogoutRequest` otherwise."""
        client_id = logout_request.client_id
        subject = None
        if logout_request.id_token_hint:
            try:
                # An expired id_token still says whom it named (§2).
                claims = self.env["oauth2.signing.key"]._verify(
                    logout_request.id_token_hint, verify_expiry=False
                )
            except jose.InvalidSignedToken as error:
                raise end_session.InvalidIdTokenHint(str(error)) from error
            client_id = end_session.hinted_client_id(claims, client_id)
            subject = claims["sub"]
        application = self._find_by_client_id(client_id)
        if client_id and not application:
            raise end_session.UnknownClient(client_id)
        location = None
        uri = logout_request.post_logout_redirect_uri
        if uri:
            if not application:
                raise end_session.UnidentifiedClient()
            location = end_session.post_logout_location(
                end_session.checked_post_logout_redirect_uri(
                    uri, application._post_logout_redirect_uri_list()
                ),
                logout_request.state,
            )
        return end_session.EndSession(application, subject, location)

    @tools.ormcache("client_id")
    def _cached_row(self, client_id):
        columns = [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and name != "id"
        ]
        application = self.sudo().search_fetch(
            [("client_id", "=", client_id)], columns, limit=1
        )
        if not application:
            # an exception is not cached
            raise KeyError(client_id)
        cache = self.env.cache
        return application.id, {
            name: cache.get(application, self._fields[name]) for name in columns
        }

    def _check_client_secret(self, client_secret):
        self.ensure_one()
        stored = self.sudo().client_secret_hash
        if not (stored and client_secret):
            return False
        presented = hash_secret(self.env, CLIENT_SECRET, client_secret)
        return hmac.compare_digest(stored, presented)

    def _acts_as_someone(self):
        """Whether the application obtains tokens that act as its Acts As
        user: only client_credentials does, and only for a confidential
        client."""
        self.ensure_one()
        return self._allows_grant(CLIENT_CREDENTIALS)

    def _allows_grant(self, grant_type):
        self.ensure_one()
        field_name = GRANT_FIELDS.get(grant_type)
        if not field_name or not self[field_name]:
            return False
        return not (
            grant_type in CONFIDENTIAL_ONLY_GRANTS and self.client_type == "public"
        )

    def _allows_response_type(self, response_type):
        self.ensure_one()
        field_name = RESPONSE_TYPE_FIELDS.get(response_type)
        return bool(field_name and self[field_name])

    def _is_pkce_required(self):
        self.ensure_one()
        return self.client_type == "public" or get_oauth2_setting(
            self.env, "require_pkce"
        )

    def _default_redirect_uri(self):
        """The registered URI when there is exactly one, else None."""
        uris = self._redirect_uri_list()
        return uris[0] if len(uris) == 1 else None

    @tools.ormcache("self.id")
    def _allowed_scope_names(self):
        """The names of the scopes this application may obtain.

        Every token request asks this, and scopes rarely change: cached until a
        scope or an application's scopes change.
        """
        self.ensure_one()
        return tuple(self.sudo().scope_ids.mapped("name")) or (
            self.env["oauth2.scope"]._all_names()
        )

    @tools.ormcache("self.id")
    def _default_scope_names(self):
        """What a request that names no scope gets (RFC 6749 §3.3)."""
        self.ensure_one()
        defaults = self.sudo().default_scope_ids.mapped("name")
        allowed = self._allowed_scope_names()
        return tuple(
            name
            for name in allowed
            if name in defaults or (not defaults and name not in NAMED_ONLY_SCOPES)
        )

    def _still_allowed(self, granted):
        """The scopes of the space-separated ``granted`` that this application
        may still obtain: a scope taken away from it is gone from every token
        and code issued before, at once."""
        allowed = self._allowed_scope_names()
        return [scope for scope in (granted or "").split() if scope in allowed]

    def _resolve_scopes(self, requested):
        """Expand ``*`` (every scope of the application but those granted only
        by name) and return the
        requested scope names, or None when one of them is not allowed."""
        allowed = list(self._allowed_scope_names())
        if ALL_SCOPES in requested:
            return [name for name in allowed if name not in NAMED_ONLY_SCOPES]
        if not set(requested) <= set(allowed):
            return None
        return list(dict.fromkeys(requested))

    @tools.ormcache()
    def _code_challenge_methods(self):
        """The PKCE methods some active application accepts (RFC 8414 §2),
        kept by each worker until an application changes."""
        plain = self.sudo().search_count([("allow_pkce_plain", "=", True)], limit=1)
        return ("S256", "plain") if plain else ("S256",)

    def _get_access_token_lifetime(self):
        self.ensure_one()
        return self.access_token_lifetime or get_oauth2_setting(
            self.env, "access_token_lifetime"
        )

    def _get_refresh_token_lifetime(self):
        self.ensure_one()
        return self.refresh_token_lifetime or get_oauth2_setting(
            self.env, "refresh_token_lifetime"
        )

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

    @api.constrains("client_type", "refresh_token_policy")
    def _check_public_clients_rotate(self):
        for app in self:
            if app.client_type == "public" and app.refresh_token_policy != ROTATE:
                raise ValidationError(
                    self.env._(
                        "%(application)s is a public client: its refresh tokens "
                        "must be single use. It cannot authenticate its refreshes, "
                        "so only rotation tells a stolen refresh token apart "
                        "(RFC 9700 §4.14.2).",
                        application=app.name,
                    )
                )

    def _has_pairwise_subjects(self):
        """Whether this application must not learn how this database names its
        users (their id, their login), so that it cannot match them with
        other applications' users."""
        self.ensure_one()
        return self.subject_type == "pairwise"

    def _rotates_refresh_tokens(self):
        """Whether a refresh uses up the refresh token it presents."""
        self.ensure_one()
        return self.refresh_token_policy == ROTATE

    def _access_token_audiences(self, resources=()):
        """The audiences of a token for the requested ``resources`` (RFC
        8707): these, when all are among this application's Audiences, else
        None; without any, its first Audience, or its own client_id."""
        self.ensure_one()
        audiences = _nonblank_lines(self.access_token_audiences)
        if not resources:
            return audiences[:1] or [self.client_id]
        if not set(resources) <= set(audiences):
            return None
        return list(resources)

    def _jwt_access_token(self, user, scopes, lifetime, audiences, auth_time, sid):
        """A signed JWT access token (RFC 9068) of this application, for
        ``user``, or for no user (client_credentials) when empty; ``auth_time``
        in seconds."""
        self.ensure_one()
        subject = user._oidc_subject(self) if user else self.client_id
        claims = access_tokens.access_token_claims(
            issuer(self.env),
            subject,
            audiences,
            self.client_id,
            scopes,
            lifetime,
            auth_time=auth_time,
            sid=sid,
        )
        return self.env["oauth2.signing.key"]._sign(
            claims, self.id_token_signed_response_alg, jose.ACCESS_TOKEN_TYPE
        )

    def _logout_token(self, user, sid):
        """The signed logout token that tells this application that ``user``'s
        session ``sid`` has ended (Back-Channel Logout 1.0 §2.4)."""
        self.ensure_one()
        claims = backchannel_logout.logout_token_claims(
            issuer(self.env), self.client_id, user._oidc_subject(self), sid
        )
        return self.env["oauth2.signing.key"]._sign(
            claims, self.id_token_signed_response_alg, jose.LOGOUT_TOKEN_TYPE
        )

    def _id_token(self, partial_claims, user, scopes, auth_time, sid=None):
        """The signed id_token of ``user`` for this application (OpenID
        Connect Core §2), from oauthlib's ``partial_claims``: the claims of
        ``scopes``, ``auth_time`` (seconds) when the user logged in, and the
        ``sid`` of the browser session they did it in (Back-Channel Logout
        1.0 §2.1)."""
        self.ensure_one()
        claims = oidc.id_token_claims(
            partial_claims,
            issuer(self.env),
            get_oauth2_setting(self.env, "id_token_lifetime"),
            auth_time,
            user._oidc_claims(scopes, self),
            sid=sid,
        )
        return self.env["oauth2.signing.key"]._sign(
            claims, self.id_token_signed_response_alg
        )

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
