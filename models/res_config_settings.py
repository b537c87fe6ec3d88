# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..oauth import client_id_metadata_documents, outbound
from ..oauth.constants import (
    CLIENT_ID_METADATA_DOCUMENTS_PARAM,
    CLIENT_REGISTRATION_PARAM,
    ISSUER_URL_PARAM,
    REGISTRATION_OFF,
    REGISTRATION_OPEN,
    REGISTRATION_TOKEN,
)
from ..oauth.metadata import is_valid_issuer

PARAM_PREFIX = "orestapi_oauth2."
# Networks and host names the server may call despite the address rules of
# oauth/outbound.py; empty by default, so that no manager's URL reaches inside.
OUTBOUND_ALLOWED_NETWORKS_PARAM = PARAM_PREFIX + "outbound_allowed_networks"
# Client ID Metadata Documents: served when on (off by default: any host of
# the internet could then name itself a client), for client IDs on the hosts
# accepted (empty: any), which may obtain at most the scopes listed.
METADATA_DOCUMENTS_PARAM = CLIENT_ID_METADATA_DOCUMENTS_PARAM
METADATA_DOCUMENT_HOSTS_PARAM = PARAM_PREFIX + "client_id_metadata_document_hosts"
METADATA_DOCUMENT_SCOPES_PARAM = PARAM_PREFIX + "client_id_metadata_document_scopes"
# Networks and host names documents may be fetched from despite the address
# rules: not those of OUTBOUND_ALLOWED_NETWORKS_PARAM, which an administrator
# allows for the URLs managers enter, since anyone names a document's URL.
# Empty by default, and a system parameter only: for development.
METADATA_DOCUMENT_ALLOWED_NETWORKS_PARAM = (
    PARAM_PREFIX + "client_id_metadata_document_allowed_networks"
)
# Networks and host names the JWKS URIs of applications registered through
# the registration endpoint (RFC 7591) may be fetched from despite the address
# rules: not those of OUTBOUND_ALLOWED_NETWORKS_PARAM either, since anyone may
# register. Empty by default, and a system parameter only: for development.
CLIENT_REGISTRATION_ALLOWED_NETWORKS_PARAM = (
    PARAM_PREFIX + "client_registration_allowed_networks"
)
METADATA_DOCUMENTS_ON = "on"
METADATA_DOCUMENTS_OFF = "off"
DEFAULTS = {
    # The token endpoint's contract: access tokens expire in 360 s, refresh
    # tokens in 10 times that.
    "access_token_lifetime": 360,
    "refresh_token_lifetime": 3600,
    # Off: RFC 6749 asks for POST to one token URL with the standard grant
    # names; the older clients' forms are served only when asked for.
    "accept_older_client_requests": False,
    # RFC 6749 §4.1.2 recommends at most 10 minutes; a redirect takes seconds.
    "authorization_code_lifetime": 60,
    # Off so that the older oregional_restapi clients, which know nothing of
    # PKCE, keep working; public clients always need it.
    "require_pkce": False,
    # Long enough to audit recent activity, short enough that the tables stay small.
    "cleanup_grace_days": 7,
    # Failed client authentications one address may make in the window before
    # it gets 429; secrets are 256-bit, so this only slows noisy guessing.
    "client_auth_max_failures": 10,
    "client_auth_failure_window": 60,
    # Off: a password change ends the tokens that came from the password and
    # those carrying rpc; the user's consents to other applications stand.
    "revoke_all_tokens_on_password_change": False,
    # OpenID Connect Core §2 leaves it to the provider; relying parties check
    # it on every sign-in, and keep the user signed in for their own session.
    "id_token_lifetime": 3600,
    # Off: keys rotate when an administrator says so; 0 is no rotation.
    "key_rotation_days": 0,
    # Off: Odoo never checks that a user owns the address on their partner,
    # and a relying party may link accounts by a verified address.
    "email_verified": False,
    # Registrations one address may send in an hour (RFC 7591): enough for a
    # developer's tries, too few to fill the applications with junk.
    "client_registration_max_per_hour": 10,
    # A self-registered client nobody used is removed after this many days;
    # 0 keeps them.
    "client_registration_unused_days": 30,
}
# Settings for which 0 means something (throttling off, no grace period). Odoo
# deletes an integer parameter set to 0, which would bring the default back.
ZERO_ALLOWED = (
    "client_auth_max_failures",
    "cleanup_grace_days",
    "key_rotation_days",
    "client_registration_unused_days",
)
# The scopes a self-registered client may get at most, space-separated;
# empty: every scope but rpc.
CLIENT_REGISTRATION_SCOPES_PARAM = PARAM_PREFIX + "client_registration_scopes"
# The grants a self-registered client may get: the code grant, with or
# without refresh tokens; never another.
CLIENT_REGISTRATION_GRANTS_PARAM = PARAM_PREFIX + "client_registration_grant_types"
REGISTRATION_GRANTS_WITH_REFRESH = "authorization_code refresh_token"
REGISTRATION_GRANTS_CODE_ONLY = "authorization_code"


def _minimum(name):
    return 0 if name in ZERO_ALLOWED else 1


def get_oauth2_setting(env, name):
    """The global setting ``name`` with its type, falling back to its default
    when it is unset or invalid (as set by hand in the system parameters)."""
    default = DEFAULTS[name]
    value = env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + name)
    if not value:
        return default
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true")
    try:
        number = int(value)
    except ValueError:
        return default
    return number if number >= _minimum(name) else default


def cleanup_cutoff(env):
    """Codes and tokens that stopped working before this, the grace period
    ago, are deleted by the cleanup job."""
    grace_days = get_oauth2_setting(env, "cleanup_grace_days")
    return fields.Datetime.now() - timedelta(days=grace_days)


def get_client_registration_scopes(env):
    """The names of the scopes a self-registered client may get at most, or
    None for every scope but rpc."""
    value = (
        env["ir.config_parameter"].sudo().get_param(CLIENT_REGISTRATION_SCOPES_PARAM)
    )
    return value.split() if value and value.split() else None


def get_client_registration_grant_types(env):
    """The grant types a self-registered client may get."""
    value = (
        env["ir.config_parameter"].sudo().get_param(CLIENT_REGISTRATION_GRANTS_PARAM)
    )
    if value == REGISTRATION_GRANTS_CODE_ONLY:
        return value.split()
    return REGISTRATION_GRANTS_WITH_REFRESH.split()


def get_outbound_allowed_networks(env):
    """The :class:`~..oauth.outbound.AllowedNetworks` a Settings administrator
    set; entries set by hand that are neither a network nor a host name allow
    nothing."""
    text = env["ir.config_parameter"].sudo().get_param(OUTBOUND_ALLOWED_NETWORKS_PARAM)
    return outbound.parse_allowed_networks(text)


def get_metadata_document_allowed_networks(env):
    """The :class:`~..oauth.outbound.AllowedNetworks` documents may be
    fetched from despite the address rules: none unless set by hand."""
    text = (
        env["ir.config_parameter"]
        .sudo()
        .get_param(METADATA_DOCUMENT_ALLOWED_NETWORKS_PARAM)
    )
    return outbound.parse_allowed_networks(text)


def get_client_registration_allowed_networks(env):
    """The :class:`~..oauth.outbound.AllowedNetworks` the JWKS URIs of
    dynamically registered applications may be fetched from despite the
    address rules: none unless set by hand."""
    text = (
        env["ir.config_parameter"]
        .sudo()
        .get_param(CLIENT_REGISTRATION_ALLOWED_NETWORKS_PARAM)
    )
    return outbound.parse_allowed_networks(text)


def get_metadata_document_hosts(env):
    """The :class:`~..oauth.client_id_metadata_documents.AcceptedHosts` of
    the setting; entries set by hand that are no host name accept nothing,
    but keep the list from being empty, which would accept every host."""
    text = env["ir.config_parameter"].sudo().get_param(METADATA_DOCUMENT_HOSTS_PARAM)
    accepted = client_id_metadata_documents.parse_accepted_hosts(text)
    if accepted.invalid and not (accepted.hosts or accepted.domains):
        return accepted._replace(hosts=frozenset({""}))
    return accepted


def get_metadata_document_scopes(env):
    """The names of the scopes clients of Client ID Metadata Documents may
    obtain at most: the setting's, else those of signing in."""
    text = env["ir.config_parameter"].sudo().get_param(METADATA_DOCUMENT_SCOPES_PARAM)
    return (text or client_id_metadata_documents.DEFAULT_SCOPES).split()


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    oauth2_access_token_lifetime = fields.Integer(
        string="Access token lifetime",
        config_parameter=PARAM_PREFIX + "access_token_lifetime",
        default=DEFAULTS["access_token_lifetime"],
        help="Seconds an access token is valid, unless the application says "
        "otherwise.",
    )
    oauth2_refresh_token_lifetime = fields.Integer(
        string="Refresh token lifetime",
        config_parameter=PARAM_PREFIX + "refresh_token_lifetime",
        default=DEFAULTS["refresh_token_lifetime"],
        help="Seconds a refresh token is valid; every refresh starts it anew.",
    )
    oauth2_accept_older_client_requests = fields.Boolean(
        string="Accept the request forms of older clients",
        config_parameter=PARAM_PREFIX + "accept_older_client_requests",
        help="Serve the token requests of older orestapi clients: GET with query "
        "parameters like POST, the token paths /oauth/token, /oauth2/token and "
        "/oauth/2/token (under /orestapi and at the root), and grant_type=code "
        "for authorization_code. RFC 6749 asks for POST to one token URL: "
        "credentials in URLs end up in logs.",
    )
    oauth2_issuer_url = fields.Char(
        string="Issuer URL",
        config_parameter=ISSUER_URL_PARAM,
        help="The address applications know this server by: those that check "
        "where answers come from refuse them from any other, so set it before "
        "connecting them and do not change it. Empty: Odoo's web.base.url, "
        "which Odoo rewrites when an administrator logs in (unless "
        "web.base.url.freeze is set): set it behind a proxy. (The issuer of the "
        "metadata, the base of the endpoints' URLs and the iss of "
        "authorization responses.)",
    )
    oauth2_authorization_code_lifetime = fields.Integer(
        string="Authorization code lifetime",
        config_parameter=PARAM_PREFIX + "authorization_code_lifetime",
        default=DEFAULTS["authorization_code_lifetime"],
        help="Seconds a client has to exchange an authorization code.",
    )
    oauth2_require_pkce = fields.Boolean(
        string="Require PKCE from every client",
        config_parameter=PARAM_PREFIX + "require_pkce",
        help="Every application must prove that the authorization code it "
        "exchanges is one it asked for, so that a code stolen on its way is "
        "useless; public clients always must (a PKCE code_challenge, RFC 7636).",
    )
    oauth2_cleanup_grace_days = fields.Integer(
        string="Keep stopped tokens for",
        config_parameter=PARAM_PREFIX + "cleanup_grace_days",
        default=DEFAULTS["cleanup_grace_days"],
        help="Days after which the daily cleanup deletes expired and revoked tokens "
        "and used or expired authorization codes.",
    )
    oauth2_client_auth_max_failures = fields.Integer(
        string="Failed client authentications allowed",
        config_parameter=PARAM_PREFIX + "client_auth_max_failures",
        default=DEFAULTS["client_auth_max_failures"],
        help="Failed client authentications one address may make within the window "
        "before the endpoints answer 429. A client_id that fails five times as "
        "often, from any addresses, pauses the addresses that failed for it; its "
        "other addresses go on until it fails ten times as often, which pauses "
        "every address. 0 turns throttling off.",
    )
    oauth2_client_auth_failure_window = fields.Integer(
        string="Failure window",
        config_parameter=PARAM_PREFIX + "client_auth_failure_window",
        default=DEFAULTS["client_auth_failure_window"],
        help="Seconds over which failed client authentications are counted.",
    )

    oauth2_revoke_all_tokens_on_password_change = fields.Boolean(
        string="Password change ends every token",
        config_parameter=PARAM_PREFIX + "revoke_all_tokens_on_password_change",
        help="When a user's password changes, revoke all of their tokens. Off: "
        "only the tokens of applications that signed in with that password "
        "(the password grant) and of those that may call the API as the user "
        "(the rpc scope) end; tokens of applications the user approved stay.",
    )
    oauth2_id_token_lifetime = fields.Integer(
        string="ID token lifetime",
        config_parameter=PARAM_PREFIX + "id_token_lifetime",
        default=DEFAULTS["id_token_lifetime"],
        help="Seconds during which applications accept the proof of a user's "
        "sign-in they receive (an OpenID Connect id_token). A key replaced by a "
        "rotation stays published this long, so that the tokens it signed can "
        "still be verified.",
    )
    oauth2_key_rotation_days = fields.Integer(
        string="Rotate signing keys every",
        config_parameter=PARAM_PREFIX + "key_rotation_days",
        default=DEFAULTS["key_rotation_days"],
        help="Days after which a daily job replaces the signing keys; 0 rotates "
        "them only when an administrator presses Rotate.",
    )
    oauth2_email_verified = fields.Boolean(
        string="Vouch for users' email addresses",
        config_parameter=PARAM_PREFIX + "email_verified",
        help="Tell applications that every user's email address is really "
        "theirs. Some applications then link an account they already have to "
        "the Odoo user with that address, so turn it on only if you know your "
        "users' addresses are theirs: Odoo does not check them. Off: "
        "applications learn that the address is unverified (the "
        "email_verified claim of OpenID Connect is false).",
    )

    oauth2_outbound_allowed_networks = fields.Char(
        string="Outbound Allowed Networks",
        config_parameter=OUTBOUND_ALLOWED_NETWORKS_PARAM,
        groups="base.group_system",
        help="Networks (CIDR, such as 10.20.0.0/16 or 127.0.0.0/8) and host "
        "names, separated by commas, that this server may call although they "
        "are loopback, private, link-local or other special-use addresses: "
        "for development, and for applications inside the company network "
        "that want to learn when their users log out (back-channel logout). "
        "A host name is called whatever it resolves to. Empty: the server "
        "calls only addresses of the internet.",
    )

    # Client registration (RFC 7591, RFC 7592)
    oauth2_client_registration = fields.Selection(
        [
            (REGISTRATION_OFF, "Off"),
            (REGISTRATION_TOKEN, "With an initial access token"),
            (REGISTRATION_OPEN, "Open to anyone"),
        ],
        string="Client registration",
        config_parameter=CLIENT_REGISTRATION_PARAM,
        default=REGISTRATION_OFF,
        help="Whether applications may register themselves at the registration "
        "endpoint (Dynamic Client Registration, RFC 7591), as MCP agents do: "
        "not at all, only with an initial access token issued here, or anyone. "
        "Self-registered applications never skip the users' consent, act as "
        "no user and get only the scopes and grants below.",
    )
    oauth2_client_registration_scopes = fields.Char(
        string="Scopes of self-registered clients",
        config_parameter=CLIENT_REGISTRATION_SCOPES_PARAM,
        help="Space-separated names of the scopes a self-registered application "
        "may get at most; it gets those it asks for among them. Empty: every "
        "scope but rpc, which stands in for the user's password and is given "
        "only when listed here.",
    )
    oauth2_client_registration_grant_types = fields.Selection(
        [
            (REGISTRATION_GRANTS_WITH_REFRESH, "Authorization code and refresh tokens"),
            (REGISTRATION_GRANTS_CODE_ONLY, "Authorization code only"),
        ],
        string="Grants of self-registered clients",
        config_parameter=CLIENT_REGISTRATION_GRANTS_PARAM,
        default=REGISTRATION_GRANTS_WITH_REFRESH,
        help="Self-registered applications get only the authorization code "
        "grant with PKCE, and refresh tokens if allowed here; never the "
        "password, client credentials or implicit grants.",
    )
    oauth2_client_registration_max_per_hour = fields.Integer(
        string="Registrations per address and hour",
        config_parameter=PARAM_PREFIX + "client_registration_max_per_hour",
        default=DEFAULTS["client_registration_max_per_hour"],
        help="Registration requests one address (an IPv4 address or an IPv6 "
        "/64) may send in an hour before the endpoint answers 429; all "
        "addresses together may send ten times as many. Behind a reverse "
        "proxy, start Odoo with proxy_mode (and have the proxy set "
        "X-Forwarded-For): otherwise every request comes from the proxy's "
        "address, and one client's requests make everyone wait.",
    )
    oauth2_client_registration_unused_days = fields.Integer(
        string="Remove unused self-registered clients after",
        config_parameter=PARAM_PREFIX + "client_registration_unused_days",
        default=DEFAULTS["client_registration_unused_days"],
        help="Days after which the daily cleanup deletes a self-registered "
        "application that no user approved and that obtained no token; 0 "
        "keeps them.",
    )
    oauth2_client_id_metadata_documents = fields.Selection(
        [
            (METADATA_DOCUMENTS_OFF, "Off"),
            (METADATA_DOCUMENTS_ON, "On"),
        ],
        string="Client ID Metadata Documents",
        config_parameter=METADATA_DOCUMENTS_PARAM,
        default=METADATA_DOCUMENTS_OFF,
        required=True,
        groups="base.group_system",
        help="On: an application may use the https URL of a document "
        "describing it as its client ID (a Client ID Metadata Document, which "
        "MCP clients use): this server fetches the document and serves the "
        "application without any registration, as a public client asking "
        "users for consent. Off: such client IDs are unknown.",
    )
    oauth2_client_id_metadata_document_hosts = fields.Char(
        string="Accepted Hosts",
        config_parameter=METADATA_DOCUMENT_HOSTS_PARAM,
        groups="base.group_system",
        help="Host names, separated by commas, whose documents are accepted; "
        "*.example.com accepts every subdomain of example.com. Empty: any host "
        "of the internet (never a loopback, private or other special-use "
        "address, unless allowed in Outbound Allowed Networks).",
    )
    oauth2_client_id_metadata_document_scopes = fields.Char(
        string="Scopes Allowed",
        config_parameter=METADATA_DOCUMENT_SCOPES_PARAM,
        default=client_id_metadata_documents.DEFAULT_SCOPES,
        groups="base.group_system",
        help="The scopes, separated by spaces, that such applications may "
        "obtain at most, whatever their documents ask for.",
    )

    @api.constrains(
        "oauth2_client_registration_max_per_hour",
        "oauth2_client_registration_unused_days",
        "oauth2_access_token_lifetime",
        "oauth2_refresh_token_lifetime",
        "oauth2_authorization_code_lifetime",
        "oauth2_client_auth_failure_window",
        "oauth2_client_auth_max_failures",
        "oauth2_cleanup_grace_days",
        "oauth2_id_token_lifetime",
        "oauth2_key_rotation_days",
    )
    def _check_oauth2_durations(self):
        for settings in self:
            for name in DEFAULTS:
                field = self._fields[f"oauth2_{name}"]
                if field.type != "integer":
                    continue
                value = settings[field.name]
                if value >= _minimum(name):
                    continue
                # An invalid value stored earlier and shown unchanged must not
                # block saving the settings of every other application.
                if value == self.default_get([field.name]).get(field.name):
                    continue
                label = field._description_string(self.env)
                raise ValidationError(
                    self.env._(
                        "%(setting)s must be at least %(minimum)s.",
                        setting=label,
                        minimum=_minimum(name),
                    )
                )

    @api.constrains("oauth2_issuer_url")
    def _check_oauth2_issuer_url(self):
        for settings in self:
            if settings.oauth2_issuer_url and not is_valid_issuer(
                settings.oauth2_issuer_url
            ):
                raise ValidationError(
                    self.env._(
                        "The Issuer URL must be an https URL without a path, query or "
                        "fragment (http only on 127.0.0.1, [::1] or localhost), "
                        "such as https://erp.example.com."
                    )
                )

    @api.constrains("oauth2_outbound_allowed_networks")
    def _check_oauth2_outbound_allowed_networks(self):
        for settings in self:
            invalid = outbound.parse_allowed_networks(
                settings.oauth2_outbound_allowed_networks
            ).invalid
            if invalid:
                raise ValidationError(
                    self.env._(
                        "%(entries)s in Outbound Allowed Networks: give networks "
                        "in CIDR notation (such as 10.20.0.0/16) or host names, "
                        "separated by commas.",
                        entries=", ".join(invalid),
                    )
                )

    @api.constrains("oauth2_client_id_metadata_document_hosts")
    def _check_oauth2_client_id_metadata_document_hosts(self):
        for settings in self:
            invalid = client_id_metadata_documents.parse_accepted_hosts(
                settings.oauth2_client_id_metadata_document_hosts
            ).invalid
            if invalid:
                raise ValidationError(
                    self.env._(
                        "%(entries)s in the Accepted Hosts of Client ID Metadata "
                        "Documents: give host names (such as app.example.com) or "
                        "*. and a domain (such as *.example.com), separated by "
                        "commas.",
                        entries=", ".join(invalid),
                    )
                )

    @api.constrains("oauth2_client_id_metadata_document_scopes")
    def _check_oauth2_client_id_metadata_document_scopes(self):
        for settings in self:
            names = (settings.oauth2_client_id_metadata_document_scopes or "").split()
            unknown = set(names) - set(self.env["oauth2.scope"]._all_names())
            if unknown:
                raise ValidationError(
                    self.env._(
                        "%(scopes)s in the Scopes Allowed of Client ID Metadata "
                        "Documents: no such scope exists.",
                        scopes=", ".join(sorted(unknown)),
                    )
                )

    def set_values(self):
        result = super().set_values()
        parameters = self.env["ir.config_parameter"].sudo()
        for name in ZERO_ALLOWED:
            if self[f"oauth2_{name}"] == 0:
                parameters.set_param(PARAM_PREFIX + name, "0")
        return result
