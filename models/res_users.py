# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextlib
import time
from collections.abc import Iterable

from odoo import api, fields, models
from odoo.exceptions import AccessDenied
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.misc import hmac
from odoo.tools.query import Query

from ..oauth import acr, oidc
from ..oauth.claims import released_claims, scopes_of_claims
from ..oauth.constants import ADDRESS_SCOPE, EMAIL_SCOPE, PHONE_SCOPE, PROFILE_SCOPE
from ..oauth.jose import looks_like_jws
from ..oauth.secrets import looks_generated
from ..series import check_totp_code
from .res_config_settings import get_oauth2_setting

# What the userinfo endpoint reads of a user, its partner and its company: the
# bearer token's lookup (oauth2.token._find_live_access_token) reads it in the
# same query, so that userinfo asks the database nothing more.
USERINFO_FIELDS = {
    "res.users": ("login", "partner_id", "company_id"),
    "res.partner": ("name", "email", "lang", "tz"),
    "res.company": ("name",),
}


# Odoo's second step of a login with two-factor authentication (auth_totp's
# controller, on 18.0 and 19.0): a code checked there for the user the session
# is logging in is the login's second factor.
ODOO_SECOND_FACTOR_PATH = "/web/login/totp"
# _mfa_type() of a user with auth_totp's authenticator app
TOTP = "totp"


# The negative operators of a domain term, each with its positive.
POSITIVE_OF_NEGATIVE_OPERATOR = {
    "!=": "=",
    "not like": "like",
    "not ilike": "ilike",
    "not =like": "=like",
    "not =ilike": "=ilike",
    "not in": "in",
    "not any": "any",
    "not any!": "any!",
}


def _is_second_factor_step(user):
    """Whether this request is Odoo's two-factor step of the login of
    ``user`` (an id) that the session is making."""
    if not (request and getattr(request, "session", None) is not None):
        return False
    httprequest = request.httprequest
    return (
        isinstance(user, int)
        and request.session.get("pre_uid") == user
        and httprequest.method == "POST"
        and httprequest.path == ODOO_SECOND_FACTOR_PATH
    )


def _could_be_token(password):
    """Whether a password has the shape of an access token, opaque or JWT."""
    return looks_generated(password) or looks_like_jws(password)


class ResUsers(models.Model):
    _inherit = "res.users"

    oauth2_consent_ids = fields.One2many(
        "oauth2.consent",
        string="Connected Apps",
        compute="_compute_oauth2_consent_ids",
        search="_search_oauth2_consent_ids",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["oauth2_consent_ids"]

    # Computed and searched with the consents' record rules: the ORM searches
    # a plain one2many for any (!= False) or given (in [ids]) lines without
    # them, which told anyone which users approved an application.
    @api.depends_context("uid")
    def _compute_oauth2_consent_ids(self):
        consents = self.env["oauth2.consent"].search([("user_id", "in", self.ids)])
        for user in self:
            user.oauth2_consent_ids = consents.filtered(
                lambda consent: consent.user_id == user
            )

    def _search_oauth2_consent_ids(self, operator, value):
        negative = operator in POSITIVE_OF_NEGATIVE_OPERATOR
        positive = POSITIVE_OF_NEGATIVE_OPERATOR.get(operator, operator)
        if isinstance(value, Query):
            # consents already selected: a path resolved by 18.0, 19.0's any!
            consent_domain = [("id", "in", value)]
        elif positive in ("any", "any!"):
            # a condition on the consents (19.0 passes names and paths so)
            consent_domain = list(value)
        elif (
            value is False
            or value is None
            or (
                positive == "in"
                and isinstance(value, Iterable)
                and set(value) == {False}
            )
        ):
            # "!= False", users with a consent, is "in" every consent
            consent_domain, negative = [], not negative
        else:
            name = "display_name" if isinstance(value, str) else "id"
            consent_domain = [(name, positive, value)]
        # The consents' record rules apply: a search never tells who
        # approved what beyond the consents one may read.
        consents = self.env["oauth2.consent"]
        users = consents._search(consent_domain).subselect(
            SQL.identifier(consents._table, "user_id")
        )
        return [("id", "not in" if negative else "in", users)]

    @staticmethod
    def _could_be_oauth2_token(password):
        return _could_be_token(password)

    def _check_oauth2_token(self, password):
        """Whether ``password`` is an access token of this module, checked
        apart from Odoo's per-worker credentials cache (series.ResUsers): True
        if it is a live token of this user with the rpc scope, AccessDenied if
        it is any other token, False if it is no token at all."""
        if not _could_be_token(password):
            return False
        token = self.env["oauth2.token"]._find_by_token(password)
        if not token:
            return False
        if not token._grants_rpc_to(self):
            raise AccessDenied()
        return True

    def _check_credentials(self, credential, env):
        auth_info = super()._check_credentials(credential, env)
        if request:
            # how the login that _update_last_login records was made
            request.oauth2_auth_method = auth_info.get("auth_method")
        return auth_info

    @api.model
    def _update_last_login(self):
        # OpenID Connect's auth_time: when the user of this browser session
        # last proved who they are, which max_age and prompt=login ask
        # about; and amr, how, which the second factor completes.
        if request and getattr(request, "session", None) is not None:
            request.session[oidc.SESSION_AUTH_TIME] = int(time.time())
            request.session[oidc.SESSION_AMR] = acr.login_amr(
                getattr(request, "oauth2_auth_method", None)
            )
        return super()._update_last_login()

    @contextlib.contextmanager
    def _assert_can_auth(self, user=None):
        # Odoo checks the second factor of a login inside this guard (its
        # cooldown), for the user id the session is logging in; a code
        # accepted there completes the login's amr. A trusted device, which
        # skips the code, does not: no second factor was given this time.
        with super()._assert_can_auth(user=user):
            yield
        if _is_second_factor_step(user):
            request.session[oidc.SESSION_AMR] = acr.with_second_factor(
                request.session.get(oidc.SESSION_AMR) or ()
            )

    def _oauth2_can_step_up(self):
        """Whether this user can give the second factor that the
        authorization endpoint asks for: a code of the authenticator app of
        Odoo's two-factor authentication (auth_totp), when enabled."""
        self.ensure_one()
        return self._mfa_type() == TOTP

    def _oauth2_check_second_factor(self, code):
        """Check this logged-in user's authenticator ``code`` as Odoo's login
        step does, under its login cooldown; raises AccessDenied."""
        self.ensure_one()
        if not self._oauth2_can_step_up():
            raise AccessDenied()
        with self._assert_can_auth(user=self.id):
            check_totp_code(self, code)

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals and not vals["active"]:
            # An archived user's sessions are over: the applications they
            # signed into are told, whatever session it was through.
            self.env["oauth2.session"]._end([("user_id", "in", self.ids)])
        return result

    def _set_password(self):
        result = super()._set_password()
        self.env["oauth2.token"]._revoke_after_password_change(self)
        return result

    def _oauth2_userinfo(self):
        """The claims of the userinfo endpoint (OpenID Connect Core §5.1 names),
        from the fields of ``USERINFO_FIELDS``, which the bearer token's lookup
        has already read."""
        self.ensure_one()
        partner, company = self.partner_id, self.company_id
        return {
            "sub": str(self.id),
            "name": partner.name,
            "email": partner.email or None,
            "login": self.login,
            "locale": (partner.lang or "").replace("_", "-") or None,
            "zoneinfo": partner.tz or None,
            "company": {"id": company.id, "name": company.name},
        }

    def _oidc_subject(self, application):
        """OpenID Connect Core §8: the ``sub`` of this user for ``application``.

        A keyed hash of the user's id, never reused in a database, under the
        database secret, so that it cannot be guessed nor matched across
        databases; per application when the application asks for pairwise
        subjects, so that applications cannot match their users.
        """
        self.ensure_one()
        sector = application.client_id if application._has_pairwise_subjects() else ""
        return hmac(self.env(su=True), "orestapi_oauth2.subject", f"{sector}:{self.id}")

    def _oidc_claims(self, scopes, application, requested_claims=None, member=None):
        """The OpenID Connect Core §5.1 claims of this user that ``scopes``
        grant (§5.4), for ``application``, and those the claims document
        ``requested_claims`` (§5.5) asks for by name in ``member``
        (``id_token`` or ``userinfo``) whose scopes ``application`` may
        obtain: the user approved those scopes for them."""
        self.ensure_one()
        asked_scopes = application._still_allowed(
            " ".join(scopes_of_claims(requested_claims, [member]))
        )
        held = self._oidc_claims_of_scopes({*scopes, *asked_scopes}, application)
        return released_claims(held, scopes, requested_claims, member)

    def _oidc_claims_of_scopes(self, scopes, application):
        """The claims of this user that ``scopes`` grant, for ``application``."""
        self.ensure_one()
        user = self.sudo()
        partner = user.partner_id
        claims = {"sub": self._oidc_subject(application)}
        if PROFILE_SCOPE in scopes:
            claims.update(
                name=partner.name,
                # the login names the user in this database: a pairwise
                # application would match its users with others' by it
                preferred_username=None
                if application._has_pairwise_subjects()
                else user.login,
                zoneinfo=partner.tz or None,
                locale=oidc.bcp47(partner.lang),
                updated_at=oidc.as_seconds(max(user.write_date, partner.write_date)),
            )
        if EMAIL_SCOPE in scopes:
            claims.update(
                email=partner.email or None,
                email_verified=bool(partner.email)
                and get_oauth2_setting(self.env, "email_verified"),
            )
        if PHONE_SCOPE in scopes:
            claims["phone_number"] = partner.phone or partner.mobile or None
        if ADDRESS_SCOPE in scopes:
            claims["address"] = oidc.address_claim(
                street=partner.street,
                street2=partner.street2,
                city=partner.city,
                region=partner.state_id.name,
                postal_code=partner.zip,
                country=partner.country_id.name,
                formatted=partner._display_address(without_company=True),
            )
        # §5.3.2: a claim without a value is left out, not null
        return {name: value for name, value in claims.items() if value is not None}
