# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The signed tokens an application is given: its id_tokens, its JWT access
tokens and their audiences, and its logout tokens, each signed with the
application's algorithm."""

from odoo import models

from ..oauth import access_tokens, backchannel_logout, jose, oidc
from ..oauth.claims import ID_TOKEN
from ..provider.configuration import issuer
from .oauth2_application import nonblank_lines
from .res_config_settings import get_oauth2_setting


class OAuth2ApplicationTokens(models.Model):
    _inherit = "oauth2.application"

    def _access_token_audiences(self, resources=()):
        """The audiences of a token for the requested ``resources`` (RFC
        8707), or None when this application may not ask for one of them.
        Any application may ask for an active protected resource
        (``oauth2.resource``); one that lists Audiences, only for those, among
        which a URI that is no registered resource keeps working as it did
        before resources were registered. Without any: its first Audience,
        else Odoo's APIs."""
        self.ensure_one()
        audiences = nonblank_lines(self.access_token_audiences)
        registry = self.env["oauth2.resource"]
        if not resources:
            if audiences:
                return audiences[:1]
            odoo = registry._odoo_identifier()
            # an issuer that another resource holds is that resource's: no
            # token for it is issued as one for Odoo's APIs
            return [odoo] if odoo in registry._odoo_identifiers() else None
        if registry._mixes_odoo_with_others(resources):
            return None
        for resource in resources:
            if audiences and resource not in audiences:
                return None
            if not registry._find_by_identifier(resource) and (
                not audiences or registry._is_archived_identifier(resource)
            ):
                return None
        return list(resources)

    def _access_token_format_for(self, audiences):
        """The format of this application's access token for ``audiences``:
        that of the protected resource it is for alone, when it names one,
        else the application's."""
        self.ensure_one()
        if len(audiences) == 1:
            resource = self.env["oauth2.resource"]._find_by_identifier(audiences[0])
            if resource.access_token_format:
                return resource.access_token_format
        return self.access_token_format

    def _jwt_access_token(
        self,
        user,
        scopes,
        lifetime,
        audiences,
        login,
        act=None,
        not_after=None,
        dpop_jkt=None,
    ):
        """A signed JWT access token (RFC 9068) of this application, for
        ``user``, or for no user (client_credentials) when empty, who logged
        in as ``login`` says (provider/validator.py's ``Login``); ``act``
        names who acts for the user in an exchanged token (RFC 8693 §4.1),
        which expires at ``not_after`` (seconds) at the latest; ``dpop_jkt``
        the thumbprint of the DPoP key it is bound to (RFC 9449 §6.1)."""
        self.ensure_one()
        subject = user._oidc_subject(self) if user else self.client_id
        claims = access_tokens.access_token_claims(
            issuer(self.env),
            subject,
            audiences,
            self.client_id,
            scopes,
            lifetime,
            auth_time=login.auth_time,
            sid=login.sid,
            acr=login.acr,
            amr=login.amr,
            act=act,
            not_after=not_after,
            dpop_jkt=dpop_jkt,
        )
        return self.env["oauth2.signing.key"]._sign(
            claims, self.id_token_signed_response_alg, jose.ACCESS_TOKEN_TYPE
        )

    def _id_token(self, partial_claims, user, scopes, login, requested_claims=None):
        """The signed id_token of ``user`` for this application (OpenID
        Connect Core §2), from oauthlib's ``partial_claims``: the claims of
        ``scopes`` and those ``requested_claims`` (the claims document, §5.5)
        asks for in the id_token, and of ``login`` (provider/validator.py's
        ``Login``): ``auth_time`` (seconds) when the user logged in, the
        ``sid`` of the browser session they did it in (Back-Channel Logout 1.0
        §2.1), and ``acr`` and ``amr``, how."""
        self.ensure_one()
        claims = oidc.id_token_claims(
            partial_claims,
            issuer(self.env),
            get_oauth2_setting(self.env, "id_token_lifetime"),
            login.auth_time,
            user._oidc_claims(scopes, self, requested_claims, ID_TOKEN),
            sid=login.sid,
            acr=login.acr,
            amr=login.amr,
        )
        return self.env["oauth2.signing.key"]._sign(
            claims, self.id_token_signed_response_alg
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
