# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the protocol asks of a client application: who it is (client_id,
secret), which grants, response types, scopes and PKCE methods it may use,
where it may send users back and which web origins it trusts, its tokens'
lifetimes, and the logout requests it sends."""

import hmac

from odoo import api, models, tools

from ..oauth import acr, client_assertions, end_session, jose, request_objects
from ..oauth.constants import (
    ALL_SCOPES,
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    CLIENT_SECRET,
    CONFIDENTIAL_ONLY_GRANTS,
    DEVICE_CODE,
    NAMED_ONLY_SCOPES,
    OFFLINE_ACCESS_SCOPE,
    PASSWORD,
    REFRESH_TOKEN,
    TOKEN_EXCHANGE,
)
from ..oauth.cors import origin_of
from ..oauth.http_adapter import has_nul
from ..oauth.redirect_uris import is_registrable
from ..oauth.client_metadata import CLIENT_SECRET_BASIC, CLIENT_SECRET_POST
from ..provider.configuration import decrypt_secret, hash_secret, issuer
from .oauth2_application import ROTATE, nonblank_lines
from .oauth2_jti import CLIENT_ASSERTION
from .res_config_settings import get_oauth2_setting, get_outbound_allowed_networks

# grant_type (RFC 6749) -> the application field that allows it
GRANT_FIELDS = {
    AUTHORIZATION_CODE: "grant_authorization_code",
    PASSWORD: "grant_password",
    CLIENT_CREDENTIALS: "grant_client_credentials",
    REFRESH_TOKEN: "issue_refresh_token",
    DEVICE_CODE: "grant_device_code",
    TOKEN_EXCHANGE: "grant_token_exchange",
}
# response_type (RFC 6749 §3.1.1) -> the application fields that must all
# allow it: a code needs the code grant, a token or an id_token returned in
# the redirect the implicit grant (as Dynamic Client Registration §2 ties
# response_types to grant_types)
RESPONSE_TYPE_FIELDS = {
    "code": ("grant_authorization_code",),
    "token": ("grant_implicit",),
    # OpenID Connect Core §3.2: the implicit flow
    "id_token": ("grant_implicit",),
    "id_token token": ("grant_implicit",),
    # Core §3.3: the hybrid flow, a code and tokens
    "code id_token": ("grant_authorization_code", "grant_implicit"),
    "code token": ("grant_authorization_code", "grant_implicit"),
    "code id_token token": ("grant_authorization_code", "grant_implicit"),
}
# The keys fetched from the applications' JWKS URIs, by database and URI.
FETCHED_JWKS = request_objects.JWKSCache()


class OAuth2ApplicationClient(models.Model):
    _inherit = "oauth2.application"

    @api.model
    def _find_by_client_id(self, client_id):
        """The active application with this client ID, or an empty recordset;
        its row is kept by each worker until an application changes, an
        unknown client_id never."""
        if not client_id:
            return self.browse()
        try:
            application_id, row, acts_as_active = self._cached_row(client_id)
        except KeyError:
            return self.browse()
        application = self.sudo().browse(application_id)
        cache = self.env.cache
        for name, value in row.items():
            cache.insert_missing(application, self._fields[name], [value])
        if row["user_id"]:
            # whether client_credentials may act as that user, asked of
            # every such token request; Odoo clears the workers' rows when a
            # user is archived, restored or deleted (res.users' write and
            # unlink clear the registry's cache)
            users = self.env["res.users"]
            cache.insert_missing(
                users.browse(row["user_id"]), users._fields["active"], [acts_as_active]
            )
        return application

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
        return (
            application.id,
            {name: cache.get(application, self._fields[name]) for name in columns},
            application.user_id.active,
        )

    def _check_client_secret(self, client_secret):
        self.ensure_one()
        stored = self.sudo().client_secret_hash
        if not (stored and client_secret):
            return False
        presented = hash_secret(self.env, CLIENT_SECRET, client_secret)
        return hmac.compare_digest(stored, presented)

    def _authenticates_with(self, method):
        """Whether the client may authenticate with ``method``: its own, the
        one it registered, alone. client_secret_basic and client_secret_post
        stand for each other: before methods were enforced every client could
        send its secret either way, and both prove the same secret; refusing
        one would break integrations that work today for no security gain.
        A method of keys is never swapped for a secret, nor the other way."""
        self.ensure_one()
        registered = self.token_endpoint_auth_method
        by_secret = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST)
        return method == registered or (
            method in by_secret and registered in by_secret
        )

    def _verify_client_assertion(self, assertion, assertion_type, audiences):
        """The :class:`~..oauth.client_assertions.VerifiedAssertion` of this
        application's ``client_assertion`` of ``assertion_type``, its ``aud``
        one of ``audiences``, once its jti is recorded as used; raises
        :class:`~..oauth.client_assertions.InvalidClientAssertion`."""
        self.ensure_one()
        application = self.sudo()
        method = application.token_endpoint_auth_method
        if method not in client_assertions.SIGNING_ALGORITHMS:
            raise client_assertions.InvalidClientAssertion(
                f"This application authenticates with {method}, not with a client "
                "assertion."
            )
        secret = None
        if method == client_assertions.CLIENT_SECRET_JWT:
            stored = application.client_secret_encrypted
            secret = stored and decrypt_secret(self.env, str(application.id), stored)
        verified = client_assertions.verify_assertion(
            assertion,
            assertion_type,
            method,
            application.client_id,
            audiences,
            client_keys=application._client_keys,
            client_secret=secret,
            required_algorithm=application.token_endpoint_auth_signing_alg or None,
        )
        if not self.env["oauth2.jti"]._use_once(
            CLIENT_ASSERTION, verified.client_id, verified.jti, verified.exp
        ):
            raise client_assertions.InvalidClientAssertion(
                "This client assertion was used before: sign a new one, with a "
                "new jti, for each request."
            )
        return verified

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
        field_names = RESPONSE_TYPE_FIELDS.get(response_type)
        return bool(field_names) and all(self[name] for name in field_names)

    def _is_pkce_required(self):
        self.ensure_one()
        return self.client_type == "public" or get_oauth2_setting(
            self.env, "require_pkce"
        )

    def _requires_pushed_authorization_requests(self):
        """Whether the application's authorization requests must come through
        the PAR endpoint (RFC 9126 §6); a profile that requires them (FAPI
        2.0) says so here too."""
        self.ensure_one()
        return self.require_pushed_authorization_requests

    def _acr_request(self, acr_values, claims):
        """What an authorization request of this application, with its
        ``acr_values`` and parsed ``claims``, asks of the user's login: with
        this application's default and minimum levels (oauth/acr.py)."""
        self.ensure_one()
        return acr.acr_request(
            acr_values,
            claims,
            (self.default_acr_values or "").split(),
            self.minimum_acr or None,
        )

    @tools.ormcache()
    def _code_challenge_methods(self):
        """The PKCE methods some active application accepts (RFC 8414 §2),
        kept by each worker until an application changes."""
        plain = self.sudo().search_count([("allow_pkce_plain", "=", True)], limit=1)
        return ("S256", "plain") if plain else ("S256",)

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
        """The requested scope names this application may obtain, ``*``
        expanded to every scope of the application but those granted only by
        name; None when it may obtain none of them. RFC 6749 §3.3 lets the
        server grant fewer scopes than asked for: the consent page shows, and
        the token answer's ``scope`` names, only those granted."""
        allowed = list(self._allowed_scope_names())
        if ALL_SCOPES in requested:
            return [name for name in allowed if name not in NAMED_ONLY_SCOPES]
        granted = [name for name in dict.fromkeys(requested) if name in allowed]
        return granted or None

    def _redirect_uri_lines(self):
        self.ensure_one()
        return nonblank_lines(self.redirect_uris)

    def _redirect_uri_list(self):
        """The registered redirect URIs, leaving out any stored before the
        rules of :func:`is_registrable` existed that breaks them."""
        return [uri for uri in self._redirect_uri_lines() if is_registrable(uri)]

    def _default_redirect_uri(self):
        """The registered URI when there is exactly one, else None."""
        uris = self._redirect_uri_list()
        return uris[0] if len(uris) == 1 else None

    def _post_logout_redirect_uri_list(self):
        """The registered post-logout redirect URIs, leaving out, as
        :meth:`_redirect_uri_list` does, any that breaks the rules."""
        self.ensure_one()
        return [
            uri
            for uri in nonblank_lines(self.post_logout_redirect_uris)
            if is_registrable(uri)
        ]

    def _allowed_origin_lines(self):
        self.ensure_one()
        return [line.rstrip("/") for line in nonblank_lines(self.allowed_origins)]

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

    def _issues_refresh_token(self, scopes):
        """Whether a token response granting ``scopes`` carries a refresh
        token: never without *Issue Refresh Tokens*; with *Only With
        offline_access*, when ``scopes`` hold offline_access (OpenID Connect
        Core §11); else always, as before that scope was served."""
        self.ensure_one()
        if not self.issue_refresh_token:
            return False
        return (
            not self.refresh_token_offline_access_only or OFFLINE_ACCESS_SCOPE in scopes
        )

    def _rotates_refresh_tokens(self):
        """Whether a refresh uses up the refresh token it presents."""
        self.ensure_one()
        return self.refresh_token_policy == ROTATE

    def _has_pairwise_subjects(self):
        """Whether this application must not learn how this database names its
        users (their id, their login), so that it cannot match them with
        other applications' users."""
        self.ensure_one()
        return self.subject_type == "pairwise"

    def _client_keys(self, refresh=False):
        """The public keys that may sign this application's request objects
        and client assertions: those of its JWKS, else those published at its
        JWKS URI, fetched again with ``refresh``; raises
        :class:`~..oauth.request_objects.InvalidRequestObject` when they
        cannot be had."""
        self.ensure_one()
        application = self.sudo()
        if application.jwks:
            try:
                return request_objects.parse_jwks(application.jwks)
            except request_objects.InvalidJWKS as error:
                # stored before the rules of its field, or edited in SQL
                raise request_objects.InvalidRequestObject(
                    "The application's JWKS cannot be used."
                ) from error
        uri = (application.jwks_uri or "").strip()
        if not uri:
            return []
        allowed = get_outbound_allowed_networks(self.env)
        return FETCHED_JWKS.keys(
            (self.env.cr.dbname, uri),
            lambda: request_objects.fetch_jwks(uri, allowed),
            refresh,
        )

    @api.model
    def _unpack_request_object(self, parameters):
        """``(parameters, problem)`` of an authorization request's
        ``parameters`` (pairs): its request object, if any, unpacked into
        them (RFC 9101) and ``problem`` None; or, when the object is refused,
        the other parameters and why, which the request is refused for
        (invalid_request_object) once its client and redirect URI are known."""
        if all(name != request_objects.REQUEST for name, _value in parameters):
            return parameters, None
        client_id = dict(parameters).get("client_id")
        application = (
            self.browse()
            if has_nul(client_id or "")
            else self._find_by_client_id(client_id)
        )
        try:
            unpacked = request_objects.unpack(
                parameters,
                application._client_keys if application else None,
                application.request_object_signing_alg or None,
                issuer(self.env),
            )
        except request_objects.InvalidRequestObject as error:
            others = [pair for pair in parameters if pair[0] != request_objects.REQUEST]
            return others, str(error)
        return unpacked, None

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
