# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The FAPI 2.0 Security Profile switch of an application: the settings it
sets on the form, refuses to save when contradicted, and the checks no
setting makes (PKCE for a confidential client, the code's lifetime, the
client assertion's audience and algorithm)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..oauth import fapi2
from ..oauth.client_assertions import PRIVATE_KEY_JWT
from ..provider.configuration import issuer
from .oauth2_application import REUSABLE
from .res_config_settings import get_oauth2_setting

# The application fields the profile fixes, as fapi2.profile_conflicts reads them.
PROFILE_FIELDS = (
    "client_type",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "require_pushed_authorization_requests",
    "dpop_bound_access_tokens",
    "id_token_signed_response_alg",
    "grant_implicit",
    "grant_password",
    "allow_pkce_plain",
    "access_token_lifetime",
)


class OAuth2Application(models.Model):
    _inherit = "oauth2.application"

    fapi2_profile = fields.Boolean(
        string="FAPI 2.0",
        tracking=True,
        help="FAPI 2.0 Security Profile: a confidential client with "
        "private_key_jwt, pushed authorization requests with a redirect_uri, "
        "PKCE S256, DPoP-bound tokens, ES256-signed id_tokens, codes of at "
        "most 60 seconds and its own access token lifetime.",
    )

    @api.onchange("fapi2_profile")
    def _onchange_fapi2_profile(self):
        """Turning the profile on sets what it requires; turning it off
        leaves the settings as they are."""
        if not self.fapi2_profile:
            return
        self.client_type = "confidential"
        self.token_endpoint_auth_method = PRIVATE_KEY_JWT
        if self.token_endpoint_auth_signing_alg not in fapi2.SIGNING_ALGORITHMS:
            self.token_endpoint_auth_signing_alg = False
        self.require_pushed_authorization_requests = True
        self.dpop_bound_access_tokens = True
        self.id_token_signed_response_alg = fapi2.SERVER_SIGNING_ALGORITHM
        self.grant_authorization_code = True
        self.grant_implicit = False
        self.grant_password = False
        self.allow_pkce_plain = False
        # §5.3.2.1: no refresh token rotation unless a lost answer can be
        # retried with the old one, which only the reusable policy allows
        self.refresh_token_policy = REUSABLE
        if not self.access_token_lifetime:
            # the global lifetime made the application's own, to review
            self.access_token_lifetime = get_oauth2_setting(
                self.env, "access_token_lifetime"
            )

    @api.constrains("fapi2_profile", *PROFILE_FIELDS)
    def _check_fapi2_profile(self):
        for app in self.filtered("fapi2_profile"):
            conflicts = fapi2.profile_conflicts(
                {name: app[name] for name in PROFILE_FIELDS},
                fapi2.SIGNING_ALGORITHMS,
            )
            if conflicts:
                raise ValidationError(
                    app.env._(
                        "%(app)s follows the FAPI 2.0 Security Profile; change:\n"
                        "%(changes)s",
                        app=app.display_name,
                        changes="\n".join(f"- {change}" for change in conflicts),
                    )
                )

    def _is_pkce_required(self):
        # §5.3.2.2: PKCE for every client, confidential ones too
        return super()._is_pkce_required() or self.fapi2_profile

    def _requires_pushed_authorization_requests(self):
        return super()._requires_pushed_authorization_requests() or self.fapi2_profile

    def _dpop_algorithms(self):
        # §5.4.1: the profile's algorithms for every JWS, DPoP proofs too
        algorithms = super()._dpop_algorithms()
        if self.fapi2_profile:
            return tuple(a for a in algorithms if a in fapi2.SIGNING_ALGORITHMS)
        return algorithms

    def _requires_redirect_uri_in_push(self):
        """§5.3.2.2: a FAPI 2.0 client names its redirect_uri in the pushed
        request, even when it registered only one."""
        self.ensure_one()
        return self.fapi2_profile

    def _get_authorization_code_lifetime(self):
        lifetime = super()._get_authorization_code_lifetime()
        if self.fapi2_profile:
            return min(lifetime, fapi2.MAX_AUTHORIZATION_CODE_LIFETIME)
        return lifetime

    def _verify_client_assertion(self, assertion, assertion_type, audiences):
        if self.sudo().fapi2_profile:
            own = issuer(self.env)
            fapi2.check_client_assertion(assertion, own)
            audiences = {own}
        return super()._verify_client_assertion(assertion, assertion_type, audiences)
