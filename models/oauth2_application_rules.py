# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The rules an application's values follow, and who may set them: checked
whenever one is created or changed."""

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

from ..oauth import access_tokens, acr, outbound, request_objects
from ..oauth.client_id_metadata_documents import is_client_id_url
from ..oauth.constants import OFFLINE_ACCESS_SCOPE, RPC_SCOPE
from ..oauth.redirect_uris import (
    FRONTCHANNEL_LOGOUT_URI_ELSEWHERE,
    NOT_BACKCHANNEL_LOGOUT_URI,
    NOT_FRONTCHANNEL_LOGOUT_URI,
    NOT_JWKS_URI,
    NOT_POST_LOGOUT_REDIRECT_URI,
    NOT_REDIRECT_URI,
    NOT_WEB_ORIGIN,
    backchannel_logout_uri_refusal,
    frontchannel_logout_uri_refusal,
    jwks_uri_refusal,
    post_logout_redirect_uri_refusal,
    redirect_uri_refusal,
    web_origin_refusal,
)
from .oauth2_application import ROTATE, nonblank_lines
from .res_config_settings import get_outbound_allowed_networks

# registration_source of an application made from its Client ID Metadata
# Document (oauth2_application_registration.py, which loads after this file)
METADATA_DOCUMENT = "metadata_document"


class OAuth2ApplicationRules(models.Model):
    _inherit = "oauth2.application"

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

    @api.constrains("client_id", "registration_source")
    def _check_client_id(self):
        for app in self:
            # Basic authentication splits "client_id:client_secret" at the first
            # colon; the URL of a Client ID Metadata Document, whose public
            # client never authenticates with Basic, is the one exception.
            document_url = app.registration_source == METADATA_DOCUMENT and (
                is_client_id_url(app.client_id)
            )
            if not app.client_id.strip() or (":" in app.client_id and not document_url):
                raise ValidationError(
                    self.env._("A client ID must not be blank nor contain a colon.")
                )

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
            if OFFLINE_ACCESS_SCOPE in names:
                raise ValidationError(
                    self.env._(
                        "offline_access cannot be a default scope: OpenID Connect "
                        "grants it only to a request that asks for it by name, "
                        "with the user's consent."
                    )
                )
            if app.scope_ids and not names <= set(app.scope_ids.mapped("name")):
                raise ValidationError(
                    self.env._("Default scopes must be among the application's scopes.")
                )

    @api.constrains("access_token_audiences")
    def _check_access_token_audiences(self):
        for app in self:
            for line in nonblank_lines(app.access_token_audiences):
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

    @api.constrains("default_acr_values")
    def _check_default_acr_values(self):
        for app in self:
            unknown = set((app.default_acr_values or "").split()) - set(acr.ACR_LEVELS)
            if unknown:
                raise ValidationError(
                    self.env._(
                        "%(values)s: not an authentication level of this server, "
                        "which knows %(levels)s.",
                        values=", ".join(sorted(unknown)),
                        levels=", ".join(acr.ACR_LEVELS),
                    )
                )

    @api.constrains("redirect_uris")
    def _check_redirect_uris(self):
        for app in self:
            app._check_uris(app._redirect_uri_lines(), redirect_uri_refusal)

    @api.constrains("post_logout_redirect_uris")
    def _check_post_logout_redirect_uris(self):
        for app in self:
            app._check_uris(
                nonblank_lines(app.post_logout_redirect_uris),
                post_logout_redirect_uri_refusal,
            )

    @api.constrains("allowed_origins")
    def _check_allowed_origins(self):
        for app in self:
            app._check_uris(app._allowed_origin_lines(), web_origin_refusal)

    @api.constrains("backchannel_logout_uri")
    def _check_backchannel_logout_uri(self):
        for app in self:
            uri = (app.backchannel_logout_uri or "").strip()
            if not uri:
                continue
            app._check_uris([uri], backchannel_logout_uri_refusal)
            refusal = outbound.destination_refusal(
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

    @api.constrains("frontchannel_logout_uri", "redirect_uris")
    def _check_frontchannel_logout_uri(self):
        for app in self:
            uri = (app.frontchannel_logout_uri or "").strip()
            if uri:
                redirect_uris = app._redirect_uri_lines()
                app._check_uris(
                    [uri],
                    lambda uri: frontchannel_logout_uri_refusal(uri, redirect_uris),
                )

    @api.constrains("jwks", "jwks_uri")
    def _check_jwks(self):
        for app in self:
            uri = (app.jwks_uri or "").strip()
            if uri and app.jwks:
                # Dynamic Client Registration §2: one or the other
                raise ValidationError(
                    self.env._(
                        "Give the application's keys either as a JWKS or at a "
                        "JWKS URI, not both."
                    )
                )
            if app.jwks:
                try:
                    request_objects.parse_jwks(app.jwks)
                except request_objects.InvalidJWKS as error:
                    raise ValidationError(
                        app._jwks_refusal_message(error.reason)
                    ) from error
            if not uri:
                continue
            app._check_uris([uri], jwks_uri_refusal)
            refusal = outbound.destination_refusal(
                uri, get_outbound_allowed_networks(self.env)
            )
            if refusal:
                raise ValidationError(
                    self.env._(
                        "%(uri)s cannot be a JWKS URI: %(reason)s. The server "
                        "does not call loopback, private, link-local or other "
                        "special-use addresses unless a Settings administrator "
                        "lists the network in Outbound Allowed Networks.",
                        uri=uri,
                        reason=self._outbound_refusal_reason(refusal),
                    )
                )

    def _jwks_refusal_message(self, reason):
        """What the rule ``reason`` of ``oauth.request_objects`` says of a
        JWKS, in the user's language."""
        rule = {
            request_objects.JWKS_TOO_LONG: self.env._(
                "A JWKS may be at most %(length)s characters long.",
                length=request_objects.MAX_JWKS_LENGTH,
            ),
            request_objects.JWKS_NOT_JSON: self.env._("The JWKS is not JSON."),
            request_objects.JWKS_NO_KEYS: self.env._(
                'A JWKS is a JSON object whose "keys" lists its keys, each a '
                "JSON object."
            ),
            request_objects.JWKS_TOO_MANY_KEYS: self.env._(
                "A JWKS may hold at most %(count)s keys.",
                count=request_objects.MAX_JWKS_KEYS,
            ),
            request_objects.JWKS_PRIVATE_KEY: self.env._(
                "The JWKS holds a private or secret key: give the public keys "
                "only, and keep the private ones with the application."
            ),
            request_objects.JWKS_KEY_TYPE: self.env._(
                "Only RSA keys, EC keys on the P-256 curve and Ed25519 (OKP) "
                "keys are supported."
            ),
            request_objects.JWKS_NOT_FOR_SIGNATURES: self.env._(
                'A key of the JWKS is not for signatures (its "use" is not "sig").'
            ),
            request_objects.JWKS_UNREADABLE_KEY: self.env._(
                'A key of the JWKS cannot be read, or its "kid" is not a string.'
            ),
        }[reason]
        return self.env._("The JWKS cannot be used. %(rule)s", rule=rule)

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

    def _check_uris(self, uris, rule):
        """Refuse the first of ``uris`` that ``rule``, a rule of
        ``oauth.redirect_uris``, refuses, saying why."""
        for uri in uris:
            refusal = rule(uri)
            if refusal:
                raise ValidationError(self._uri_refusal_message(refusal, uri))

    def _uri_refusal_message(self, refusal, uri):
        """What the refusal code ``refusal`` of ``oauth.redirect_uris`` says
        of ``uri``, in the user's language."""
        messages = {
            NOT_REDIRECT_URI: self.env._(
                "%(uri)s cannot be a redirect URI. Register an absolute "
                "https URI, an http URI on a loopback host (127.0.0.1, "
                "[::1] or localhost) or a native app's private-use "
                "scheme such as com.example.app:/callback; never a "
                "fragment (#), a user name, or a scheme such as "
                "javascript:, data: or file:.",
                uri=uri,
            ),
            NOT_POST_LOGOUT_REDIRECT_URI: self.env._(
                "%(uri)s cannot be a post-logout redirect URI. The "
                "rules of redirect URIs apply: an absolute https URI, "
                "an http URI on a loopback host (127.0.0.1, [::1] or "
                "localhost) or a native app's private-use scheme; "
                "never a fragment (#), a user name, or a scheme such "
                "as javascript:, data: or file:.",
                uri=uri,
            ),
            NOT_BACKCHANNEL_LOGOUT_URI: self.env._(
                "%(uri)s cannot be a back-channel logout URI. Give an "
                "absolute https URI, or an http URI on a loopback host "
                "(127.0.0.1, [::1] or localhost), without a fragment or "
                "a user name.",
                uri=uri,
            ),
            NOT_FRONTCHANNEL_LOGOUT_URI: self.env._(
                "%(uri)s cannot be a front-channel logout URI. Give an "
                "absolute https URI, or an http URI on a loopback host "
                "(127.0.0.1, [::1] or localhost), without a fragment or "
                "a user name.",
                uri=uri,
            ),
            FRONTCHANNEL_LOGOUT_URI_ELSEWHERE: self.env._(
                "%(uri)s cannot be a front-channel logout URI: its scheme, "
                "host and port must be those of one of the application's "
                "redirect URIs.",
                uri=uri,
            ),
            NOT_JWKS_URI: self.env._(
                "%(uri)s cannot be a JWKS URI. Give an absolute https URI, "
                "or an http URI on a loopback host (127.0.0.1, [::1] or "
                "localhost), without a fragment or a user name.",
                uri=uri,
            ),
            NOT_WEB_ORIGIN: self.env._(
                "%(origin)s is not an allowed origin. Give a scheme, "
                "host and port only, https (http only on 127.0.0.1, "
                "[::1] or localhost), such as https://app.example.com "
                "or http://127.0.0.1:3000; * is not allowed: every "
                "application names the sites it trusts.",
                origin=uri,
            ),
        }
        return messages[refusal]
