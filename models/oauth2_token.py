# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..oauth import jose, oidc
from ..oauth.access_tokens import audience_claim
from ..oauth.claims import USERINFO, loads
from ..oauth.constants import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_JTI,
    CLIENT_CREDENTIALS,
    GRANT_TYPES,
    OPENID_SCOPE,
    PASSWORD,
    REFRESH_TOKEN,
    RPC_SCOPE,
)
from ..provider.configuration import hash_secret, issuer
from ..series import Constraint, domain_or, report_cron_progress
from .direct_sql import insert_row, lock_rows, own_cursor
from .res_config_settings import cleanup_cutoff, get_oauth2_setting
from .res_users import USERINFO_FIELDS

# A token's last use is written at most this often: a bearer request then
# writes nothing, but for one a minute per token.
LAST_USED_PRECISION = timedelta(minutes=1)
# Rows the cleanup job deletes per transaction: small enough that the row locks
# it takes never hold up a refresh for long.
CLEANUP_BATCH_SIZE = 5000
# The models whose rows the cleanup job deletes, each as its _stale_domain says.
CLEANED_MODELS = (
    "oauth2.authorization.code",
    "oauth2.device.authorization",
    "oauth2.device.user.code.failure",
    "oauth2.pushed.authorization.request",
    "oauth2.token",
    "oauth2.client.auth.failure",
    "oauth2.session",
    "oauth2.logout.notification",
    "oauth2.registration.attempt",
    "oauth2.metadata.document.fetch",
    "oauth2.jti",
    # self-registered applications nobody used (RFC 7591)
    "oauth2.application",
)

NOT_REVOKED = [("revoked", "=", False)]
# A token works only while its user and its application are active.
ENABLED = [("user_id.active", "=", True), ("application_id.active", "=", True)]
TOKEN_STATES = [
    ("active", "Active"),
    # Archiving the user or the application stops its tokens until it is
    # restored; they are not revoked.
    ("suspended", "Suspended"),
    ("expired", "Expired"),
    ("revoked", "Revoked"),
]


class OAuth2Token(models.Model):
    """An access token and the refresh token issued with it.

    Only keyed hashes of the tokens are stored: the clear values exist in the
    token response and nowhere else.
    """

    _name = "oauth2.token"
    _description = "OAuth2 Token"
    _order = "id desc"
    _rec_name = "application_id"

    application_id = fields.Many2one(
        "oauth2.application",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    scope = fields.Char(readonly=True, help="Space-separated scopes of the token.")
    refresh_scope = fields.Char(
        readonly=True,
        help="Scopes a refresh may ask for: those originally granted, even when "
        "this access token was narrowed (RFC 6749 §6).",
    )
    grant_type = fields.Selection(
        list(GRANT_TYPES.items()), required=True, readonly=True
    )
    origin_grant_type = fields.Selection(
        [grant for grant in GRANT_TYPES.items() if grant[0] != REFRESH_TOKEN],
        string="Original Grant",
        readonly=True,
        help="The grant that started this token's chain of refreshes: a password "
        "change ends the tokens that came from the user's password.",
    )
    access_token_hash = fields.Char(
        required=True, readonly=True, copy=False, groups="base.group_system"
    )
    refresh_token_hash = fields.Char(
        readonly=True, copy=False, groups="base.group_system"
    )
    expires_at = fields.Datetime(required=True, readonly=True, index=True)
    refresh_expires_at = fields.Datetime(readonly=True)
    auth_time = fields.Datetime(
        readonly=True,
        help="When the user logged in to approve the authorization this token "
        "comes from: the auth_time of the id_tokens its refreshes return.",
    )
    audience = fields.Char(
        readonly=True,
        help="Space-separated: the resource servers the access token is for, "
        "its aud claim.",
    )
    sid = fields.Char(
        string="Session",
        readonly=True,
        help="OpenID Connect: the sid of the browser session in which the user "
        "approved the authorization this token comes from.",
    )
    claims = fields.Text(
        readonly=True,
        help="OpenID Connect: the claims the authorization this token comes "
        "from asked for (its claims parameter, JSON), which its id_tokens and "
        "userinfo answers honour.",
    )
    acr = fields.Char(
        string="Authentication Level",
        readonly=True,
        help="OpenID Connect: the authentication context class (acr) that the "
        "user's login met for the authorization this token comes from.",
    )
    amr = fields.Char(
        string="Authentication Methods",
        readonly=True,
        help="Space-separated: how the user logged in (RFC 8176 amr values).",
    )
    last_used_at = fields.Datetime(
        string="Last Used",
        readonly=True,
        help="When the token was last presented: to a bearer-protected route, "
        "userinfo, tokeninfo, introspection, Odoo's external API, or to "
        "refresh. Recorded to the minute.",
    )
    dpop_jkt = fields.Char(
        string="DPoP Key Thumbprint",
        readonly=True,
        help="RFC 9449: the thumbprint of the key this access token is bound "
        "to; it is accepted only with a DPoP proof signed by that key, and so "
        "is the refresh token of a public client.",
    )
    revoked = fields.Boolean(readonly=True, index=True)
    revoked_at = fields.Datetime(readonly=True)
    authorization_code_id = fields.Many2one(
        "oauth2.authorization.code",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The code this token, or the token it was refreshed from, came from.",
    )
    family = fields.Char(
        readonly=True,
        index=True,
        copy=False,
        help="Shared by every token that descends from one authorization through "
        "refreshes; revoking one of them, or reusing a rotated refresh token, "
        "revokes them all.",
    )
    subject_token_id = fields.Many2one(
        "oauth2.token",
        string="Exchanged From",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Token exchange (RFC 8693): the token its application was "
        "presented, as a resource server, and traded for this one. This token "
        "is revoked with it.",
    )
    # The usage graph's measure: its axis shows the count of records as
    # decimals (12.00), an Integer measure as whole numbers.
    token_count = fields.Integer(
        string="Tokens",
        default=1,
        readonly=True,
        aggregator="sum",
        help="1 for every token pair: what the usage graph and pivot add up.",
    )
    state = fields.Selection(
        TOKEN_STATES,
        compute="_compute_state",
        search="_search_state",
        help="Active while the access token or its refresh token can still be used.",
    )

    _access_token_hash_unique = Constraint(
        "unique(access_token_hash)", "Access tokens must be unique."
    )
    _refresh_token_hash_unique = Constraint(
        "unique(refresh_token_hash)", "Refresh tokens must be unique."
    )

    @api.model
    def _state_domain(self, state):
        """The tokens in ``state`` as the token list shows it, built from the
        same parts as ``_live_domain``, which the endpoints use, and
        ``_expired_domain``, which the cleanup uses."""
        now = fields.Datetime.now()
        unexpired = ["|", ("expires_at", ">", now), ("refresh_expires_at", ">", now)]
        expired = self._expired_domain(now)
        disabled = [
            "|",
            ("user_id.active", "=", False),
            ("application_id.active", "=", False),
        ]
        return {
            "revoked": [("revoked", "=", True)],
            "expired": [*NOT_REVOKED, *expired],
            "suspended": [*NOT_REVOKED, *unexpired, *disabled],
            "active": [*NOT_REVOKED, *unexpired, *ENABLED],
        }[state]

    @api.model
    def _works_for(self, user):
        """Whether tokens issued to ``user`` would be accepted where they are
        used (``ENABLED``): an archived user's, such as ``__system__``'s, never
        are, so none is issued to them."""
        return len(user) == 1 and user.active

    @api.model
    def _expired_domain(self, at):
        """The tokens whose access token and refresh token had both expired at
        ``at``: spelled out rather than negated from the unexpired ones, since
        NOT on a NULL refresh expiry is NULL."""
        return [
            ("expires_at", "<=", at),
            "|",
            ("refresh_expires_at", "=", False),
            ("refresh_expires_at", "<=", at),
        ]

    @api.model
    def _live_domain(self, token_type=ACCESS_TOKEN):
        """The tokens whose ``token_type`` token may be used now."""
        expiry = "expires_at" if token_type == ACCESS_TOKEN else "refresh_expires_at"
        return [*NOT_REVOKED, (expiry, ">", fields.Datetime.now()), *ENABLED]

    @api.depends(
        "revoked",
        "expires_at",
        "refresh_expires_at",
        "user_id.active",
        "application_id.active",
    )
    def _compute_state(self):
        tokens = self.with_context(active_test=False)
        for state, _label in TOKEN_STATES:
            tokens.filtered_domain(self._state_domain(state)).state = state

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        states = {value} if isinstance(value, str) else set(value)
        if operator in ("!=", "not in"):
            states = {state for state, _label in TOKEN_STATES} - states
        return domain_or(
            [
                self._state_domain(state)
                for state, _label in TOKEN_STATES
                if state in states
            ]
        )

    @api.model
    def _create_from_response(
        self,
        token,
        application,
        user,
        grant_type,
        refresh_scope,
        authorization_code=None,
        family=None,
        origin_grant_type=None,
        auth_time=False,
        audiences=(),
        sid=None,
        claims=None,
        acr=None,
        amr=(),
        subject_token=None,
        dpop_jkt=None,
    ):
        """Store the token response ``token`` issued to ``application`` for
        ``user``; a refreshed token passes on the family, original grant,
        login time (``auth_time``, a datetime), browser session (``sid``),
        claims asked for (``claims``, stored JSON) and sign-in strength
        (``acr``, ``amr``) of the one it replaces; an exchanged token names
        the ``subject_token`` it was obtained for; a token bound to a DPoP
        key holds its thumbprint, ``dpop_jkt``."""
        now = fields.Datetime.now()
        refresh_token = token.get(REFRESH_TOKEN)
        values = {
            "application_id": application.id,
            "user_id": user.id,
            "scope": token.get("scope", ""),
            "refresh_scope": refresh_scope if refresh_token else False,
            "grant_type": grant_type,
            "origin_grant_type": origin_grant_type or grant_type,
            "authorization_code_id": authorization_code.id
            if authorization_code
            else False,
            "family": family or uuid.uuid4().hex,
            "auth_time": auth_time,
            "audience": " ".join(audiences) or False,
            "sid": sid or False,
            "claims": claims or False,
            "acr": acr or False,
            "amr": " ".join(amr) or False,
            "access_token_hash": self._issued_access_token_hash(token[ACCESS_TOKEN]),
            "expires_at": now + timedelta(seconds=token["expires_in"])
            if not subject_token
            # RFC 8693: never after the token it came from, whatever second
            # it is now
            else min(
                now + timedelta(seconds=token["expires_in"]), subject_token.expires_at
            ),
            "refresh_token_hash": refresh_token
            and hash_secret(self.env, REFRESH_TOKEN, refresh_token),
            "refresh_expires_at": refresh_token
            and now + timedelta(seconds=application._get_refresh_token_lifetime()),
            "token_count": 1,
            "subject_token_id": subject_token.id if subject_token else False,
            "dpop_jkt": dpop_jkt or False,
        }
        token = self.sudo().browse(insert_row(self, values))
        # the count an application shows, which the ORM would not know is stale
        self.env["oauth2.application"].invalidate_model(["active_token_count"])
        return token

    @api.model
    def _lock_by_refresh_token(self, refresh_token):
        """The token pair holding ``refresh_token``, locked for this
        transaction, so that concurrent refreshes of it queue up."""
        token_hash = hash_secret(self.env, REFRESH_TOKEN, refresh_token)
        return lock_rows(
            self.sudo(),
            SQL("refresh_token_hash = %s", token_hash),
            ["refresh_token_hash", "revoked"],
        )

    @api.model
    def _issued_access_token_hash(self, token):
        """The hash under which the access token this server has just issued is
        stored: a JWT access token's is that of its jti, under a purpose of
        its own, so that a jti presented as an opaque token matches nothing."""
        if jose.looks_like_jws(token):
            return hash_secret(
                self.env, ACCESS_TOKEN_JTI, jose.unverified_claims(token)["jti"]
            )
        return hash_secret(self.env, ACCESS_TOKEN, token)

    @api.model
    def _presented_access_token_hash(self, token):
        """The hash of the access token a request presents, or None for a JWT
        that this server did not sign as an access token. Its expiry is the
        row's to tell: an expired JWT may still be introspected or revoked."""
        if not jose.looks_like_jws(token):
            return hash_secret(self.env, ACCESS_TOKEN, token)
        try:
            claims = self.env["oauth2.signing.key"]._verify(
                token, verify_expiry=False, token_type=jose.ACCESS_TOKEN_TYPE
            )
        except jose.InvalidSignedToken:
            return None
        jti = claims.get("jti")
        return hash_secret(self.env, ACCESS_TOKEN_JTI, jti) if jti else None

    @api.model
    def _find_by_token(self, token, token_type=ACCESS_TOKEN):
        """The record holding ``token`` as its ``token_type``, live or not."""
        if not token:
            return self.sudo().browse()
        if token_type == ACCESS_TOKEN:
            token_hash = self._presented_access_token_hash(token)
        else:
            token_hash = hash_secret(self.env, token_type, token)
        if not token_hash:
            return self.sudo().browse()
        field_name = f"{token_type}_hash"
        return self.sudo().search([(field_name, "=", token_hash)], limit=1)

    @api.model
    def _find_live_access_token(self, token):
        """The record whose access token is ``token`` and may be used now,
        with what a bearer request and userinfo read of it and its user, in
        one query: ``_live_domain`` written as joins."""
        tokens = self.sudo()
        token_hash = token and self._presented_access_token_hash(token)
        if not token_hash:
            return tokens.browse()
        read = [
            (
                tokens,
                "t",
                (
                    "user_id",
                    "application_id",
                    "scope",
                    "expires_at",
                    "last_used_at",
                    "claims",
                    "audience",
                    "dpop_jkt",
                    # whether it was exchanged: every bearer check asks
                    "subject_token_id",
                ),
            ),
            (self.env["res.users"], "u", USERINFO_FIELDS["res.users"]),
            (self.env["res.partner"], "p", USERINFO_FIELDS["res.partner"]),
            (self.env["res.company"], "c", USERINFO_FIELDS["res.company"]),
            (self.env["oauth2.application"], "a", ("client_id",)),
        ]
        # Written by hand, the query tells the ORM nothing to flush first: a
        # revocation or an archiving earlier in this transaction must count.
        tokens.flush_model(
            [
                "access_token_hash",
                "revoked",
                "expires_at",
                "user_id",
                "application_id",
                "subject_token_id",
            ]
        )
        self.env["res.users"].flush_model(["active", "partner_id", "company_id"])
        self.env["oauth2.application"].flush_model(["active"])
        now = fields.Datetime.now()
        columns = SQL(", ").join(
            SQL.identifier(alias, column)
            for _model, alias, names in read
            for column in ("id", *names)
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT %s
                     FROM oauth2_token t
                     JOIN oauth2_application a ON a.id = t.application_id
                     JOIN res_users u ON u.id = t.user_id
                     JOIN res_partner p ON p.id = u.partner_id
                     JOIN res_company c ON c.id = u.company_id
                    WHERE t.access_token_hash = %s
                      AND t.revoked IS NOT TRUE
                      AND t.expires_at > %s
                      AND u.active AND a.active
                      -- an exchanged token, while every token it was
                      -- exchanged from (_is_live) is live
                      AND NOT EXISTS (
                          WITH RECURSIVE chain(id) AS (
                              SELECT t.subject_token_id
                               UNION
                              SELECT s.subject_token_id
                                FROM oauth2_token s
                                JOIN chain ON s.id = chain.id
                          )
                          SELECT 1
                            FROM chain
                            JOIN oauth2_token s ON s.id = chain.id
                            JOIN oauth2_application sa ON sa.id = s.application_id
                            JOIN res_users su ON su.id = s.user_id
                           WHERE s.revoked IS TRUE
                              OR s.expires_at <= %s
                              OR NOT sa.active
                              OR NOT su.active
                      )
                    LIMIT 1""",
                columns,
                token_hash,
                now,
                now,
            )
        )
        if not rows:
            return tokens.browse()
        values = iter(rows[0])
        for model, _alias, names in read:
            record = model.browse(next(values))
            for name in names:
                model.env.cache.insert_missing(
                    record, model._fields[name], [next(values)]
                )
        token = tokens.browse(rows[0][0])
        # the rest of the application, from the row each worker keeps
        self.env["oauth2.application"]._find_by_client_id(
            token.application_id.client_id
        )
        return token

    def _mark_used(self):
        """Record that this token was presented now, unless that was recorded
        less than ``LAST_USED_PRECISION`` ago; on a cursor of its own, and not
        at all while another transaction holds the row (a refresh)."""
        self.ensure_one()
        now = fields.Datetime.now()
        stale = now - LAST_USED_PRECISION
        if self.last_used_at and self.last_used_at > stale:
            return
        with own_cursor(self.env) as cr:
            try:
                cr.execute(
                    SQL(
                        """UPDATE oauth2_token SET last_used_at = %s
                        WHERE id IN (SELECT id FROM oauth2_token
                                      WHERE id = %s
                                        AND (last_used_at IS NULL
                                             OR last_used_at <= %s)
                                        FOR UPDATE SKIP LOCKED)""",
                        now,
                        self.id,
                        stale,
                    ),
                    log_exceptions=False,
                )
            except psycopg2.errors.SerializationFailure:
                # Another request recorded a use since this transaction
                # began (SKIP LOCKED skips only rows locked now): it stands.
                cr.rollback()
                return
        # written behind the ORM's back: what this request reads again
        self.env.cache.update(self, self._fields["last_used_at"], [now])

    def _is_live(self, token_type=ACCESS_TOKEN):
        """Whether this record's ``token_type`` token may be used now; a token
        obtained by exchange, only while the token it was exchanged from may
        (its application archived, its user's grant suspended, ends it too)."""
        self.ensure_one()
        if not self.filtered_domain(self._live_domain(token_type)):
            return False
        return not self.subject_token_id or self.subject_token_id._is_live(ACCESS_TOKEN)

    def _granted_scope(self, token_type=ACCESS_TOKEN):
        return self.scope if token_type == ACCESS_TOKEN else self.refresh_scope

    def _effective_scopes(self, token_type=ACCESS_TOKEN):
        """The scopes this token was granted that its application may still
        obtain."""
        self.ensure_one()
        scopes = self.application_id._still_allowed(self._granted_scope(token_type))
        if self.subject_token_id:
            # an exchanged token never does more than the one it came from
            # may do now
            subject = set(self.subject_token_id._effective_scopes(ACCESS_TOKEN))
            scopes = [scope for scope in scopes if scope in subject]
        return scopes

    def _lost_every_scope(self, token_type=ACCESS_TOKEN):
        """Whether this token was granted scopes of which its application may
        obtain none now: it is then of no use, and refused."""
        return bool(self._granted_scope(token_type)) and not self._effective_scopes(
            token_type
        )

    def _has_scopes(self, scopes):
        return set(scopes) <= set(self._effective_scopes())

    def _is_for_odoo(self):
        """Whether Odoo's own APIs accept this access token: when it was
        issued for them, Odoo's resource identifier among its audiences, and
        not only for another protected resource, which Odoo must not accept
        in its place (no token passthrough). Tokens issued before protected
        resources were registered (1.10) were for no audience or for their
        application's client_id alone: Odoo accepts those until they
        expire. So are tokens for an identifier Odoo's APIs had before the
        issuer changed, until a manager clears it (``oauth2.resource``)."""
        self.ensure_one()
        audiences = (self.audience or "").split()
        if not audiences or audiences == [self.application_id.client_id]:
            return True
        odoo = self.env["oauth2.resource"]._odoo_identifiers()
        return any(audience in odoo for audience in audiences)

    def _is_for_resource(self, resource):
        """Whether this access token was issued for the protected ``resource``
        (an ``oauth2.resource`` record): its identifier among the token's
        audiences. Odoo's APIs also take older tokens (``_is_for_odoo``)."""
        self.ensure_one()
        if resource.is_odoo:
            return self._is_for_odoo()
        return (
            bool(resource.active)
            and resource.identifier in (self.audience or "").split()
        )

    def _introspectable_by(self, client):
        """Whether the application ``client`` may introspect this token: its
        own, any token for a resource server, and a token for a protected
        resource to that resource's own client (``oauth2.resource``)."""
        self.ensure_one()
        if self.application_id == client or client.is_resource_server:
            return True
        resources = self.env["oauth2.resource"]._for_audiences(
            (self.audience or "").split()
        )
        return client in resources.application_id

    def _grants_rpc_to(self, user):
        """Whether this is a live access token of ``user`` with the rpc scope,
        issued for Odoo's APIs; such a token is then being used."""
        grants = (
            bool(self)
            and self._is_live(ACCESS_TOKEN)
            and self.user_id == user
            and self._has_scopes([RPC_SCOPE])
            and self._is_for_odoo()
            # XML-RPC and JSON-RPC carry the token as a password, with no
            # DPoP proof: a token bound to a key is not one
            and not self.dpop_jkt
        )
        if grants:
            self._mark_used()
        return grants

    def _exchangeable_by(self, application):
        """Whether ``application`` may exchange this access token (RFC 8693):
        it was issued for an active resource of which ``application`` is the
        resource server, so that a token meant for one resource is never
        traded by another."""
        self.ensure_one()
        resources = self.env["oauth2.resource"]
        return any(
            resources._find_by_identifier(audience).application_id == application
            for audience in (self.audience or "").split()
        )

    def _act(self):
        """RFC 8693 §4.1: the act claim of this token, naming the client that
        obtained it by exchange, nested with the one of the token it was
        exchanged from; None for a token not obtained by exchange."""
        self.ensure_one()
        if not self.subject_token_id:
            return None
        return self.subject_token_id._act_claim(self.application_id)

    def _act_claim(self, actor):
        """The act claim of a token that the ``actor`` application obtains by
        exchanging this one."""
        self.ensure_one()
        claim = {"sub": actor.client_id}
        prior = self._act()
        if prior:
            claim["act"] = prior
        return claim

    def _expires_in(self):
        self.ensure_one()
        return max(0, int((self.expires_at - fields.Datetime.now()).total_seconds()))

    def _subject(self):
        """The ``sub`` under which this token's application knows whom the
        token is for, as in its id_tokens, userinfo and JWT access tokens: the
        user's subject for the application (OpenID Connect Core §8), or the
        client_id for a client_credentials token, which acts for no user."""
        self.ensure_one()
        if self.origin_grant_type == CLIENT_CREDENTIALS:
            return self.application_id.client_id
        return self.user_id._oidc_subject(self.application_id)

    def _userinfo(self):
        """The userinfo answer for this live access token: OpenID Connect
        Core §5.3's claims of its scopes when it has openid, else the claims
        this endpoint gave before OpenID Connect, in which a pairwise
        application finds its own subject and not the login."""
        self.ensure_one()
        scopes = self._effective_scopes()
        if OPENID_SCOPE in scopes:
            return self.user_id._oidc_claims(
                scopes, self.application_id, loads(self.claims), USERINFO
            )
        claims = self.user_id._oauth2_userinfo()
        if self.application_id._has_pairwise_subjects():
            del claims["login"]
            claims["sub"] = self._subject()
        return claims

    def _tokeninfo(self):
        """The token verification answer (in the style of Google's and Amazon's
        token-info endpoints) for this live access token.

        The user is named as the application knows them: a pairwise
        application by its ``sub``, never by the database id; any other by
        ``user_id``, the database id, as before, without a ``sub``: Odoo's
        auth_oauth matches users by ``sub`` before ``user_id``, so a ``sub``
        here would unlink every user it has linked by their id.
        """
        self.ensure_one()
        answer = {
            "active": True,
            "client_id": self.application_id.client_id,
            "scope": " ".join(self._effective_scopes()),
            "exp": int(self.expires_at.timestamp()),
            "expires_in": self._expires_in(),
        }
        if self.application_id._has_pairwise_subjects():
            answer["sub"] = self._subject()
        else:
            answer["user_id"] = self.user_id.id
        return answer

    def _introspection_claims(self, token_type, requester):
        """RFC 7662 §2.2 claims of this record's live ``token_type`` token, for
        the ``requester`` application that introspects it.

        ``sub`` is the token's, as its application sees it. The user's login
        (``username``) and database id are this database's names of the user:
        never given to a pairwise application, and the database id only to a
        resource server, under a name of its own (``odoo_user_id``).
        """
        self.ensure_one()
        is_access = token_type == ACCESS_TOKEN
        expires_at = self.expires_at if is_access else self.refresh_expires_at
        claims = {
            "active": True,
            # RFC 7662 §2.2: a resource server that trusts several servers
            # learns which one issued the token
            "iss": issuer(self.env),
            "scope": " ".join(self._effective_scopes(token_type)),
            "client_id": self.application_id.client_id,
            "sub": self._subject(),
            "exp": int(expires_at.timestamp()),
            "iat": int(self.create_date.timestamp()),
        }
        if not requester._has_pairwise_subjects():
            claims["username"] = self.user_id.login
            if requester.is_resource_server:
                claims["odoo_user_id"] = self.user_id.id
        if self.auth_time:
            # RFC 9470 §6.2: what a resource server needs to ask for more
            claims["auth_time"] = oidc.as_seconds(self.auth_time)
        claims.update(oidc.login_claims(self.acr, self._amr()))
        if self.dpop_jkt and (is_access or self.application_id.client_type == "public"):
            # RFC 9449 §6.2
            claims["cnf"] = {"jkt": self.dpop_jkt}
        if is_access:
            claims["token_type"] = "DPoP" if self.dpop_jkt else "Bearer"
            if self.audience:
                claims["aud"] = audience_claim(self.audience.split())
            act = self._act()
            if act:
                claims["act"] = act
        return claims

    def _amr(self):
        """The amr values of this token's login, as a list."""
        self.ensure_one()
        return (self.amr or "").split()

    def _spend_refresh_token(self):
        """Spend this pair's refresh token in a successful refresh: revoke the
        pair when its application rotates (RFC 9700 §4.14.2), else keep it
        (RFC 6749 §6). The row is written either way, so that a revocation
        running meanwhile fails to serialize and its retry sees the new pair.
        """
        self.ensure_one()
        # the row is locked by this refresh: written here, not by _mark_used
        self.env.cr.execute(
            SQL(
                "UPDATE oauth2_token SET last_used_at = %s WHERE id = %s",
                fields.Datetime.now(),
                self.id,
            )
        )
        self.invalidate_recordset(["last_used_at"])
        if self.application_id._rotates_refresh_tokens():
            self._revoke_pairs()

    def _revoke_family(self):
        """End every token of these tokens' grants: the pairs issued along the
        refreshes of one authorization, these included. With reusable refresh
        tokens the pairs before the last one still work, so ending one pair
        alone would leave the grant alive (RFC 7009 §2.1)."""
        families = list(set(self.filtered("family").mapped("family")))
        return (
            self | self.search([("family", "in", families), ("revoked", "=", False)])
        )._revoke_pairs()

    def _revoke_pairs(self):
        """End these token pairs at once, and the tokens exchanged from them
        (RFC 8693), which stand in for them; returns those that this ended,
        the others having been revoked before."""
        tokens = self._lock_unrevoked()
        tokens.write({"revoked": True, "revoked_at": fields.Datetime.now()})
        exchanged = (
            self.sudo().search(
                [("subject_token_id", "in", tokens.ids), ("revoked", "=", False)]
            )
            if tokens
            else self.browse()
        )
        if exchanged:
            tokens |= exchanged._revoke_pairs()
        return tokens

    def action_revoke(self):
        """End these tokens and every token of their grants at once, and say
        so in their applications' chatter: Revoke in the token list. Tokens
        are never written through the ORM: whoever may see a token may revoke
        it, and nobody may change it. The protocol's revocations (RFC 7009,
        reuses, password changes) call ``_revoke_family``, which posts
        nothing."""
        self.check_access("read")
        revoked = self.sudo()._revoke_family()
        for application in revoked.application_id:
            application._log_token_revocation(revoked)
        return True

    @api.model
    def _revoke_grants(self, domain):
        """End every token and unused code matching ``domain`` (a domain on
        ``user_id`` and ``application_id``, which both models have), so that
        access taken away does not come back through a code issued before;
        returns the tokens this ended."""
        revoked = (
            self.sudo().search([*domain, ("revoked", "=", False)])._revoke_family()
        )
        self.env["oauth2.authorization.code"]._void_unused(domain)
        self.env["oauth2.device.authorization"]._void_unused(domain)
        return revoked

    @api.model
    def _revoke_after_password_change(self, users):
        """A new password ends the tokens that came from the old one, through
        the password grant, and those standing in for it (``rpc``); tokens the
        user consented to for other scopes stay, unless a setting ends all."""
        of_users = [("user_id", "in", users.ids)]
        if get_oauth2_setting(self.env, "revoke_all_tokens_on_password_change"):
            self._revoke_grants(of_users)
            return
        self.sudo().search([*of_users, ("revoked", "=", False)]).filtered(
            lambda token: (
                token.origin_grant_type == PASSWORD
                or RPC_SCOPE in f"{token.scope} {token.refresh_scope}".split()
            )
        )._revoke_family()
        codes = self.env["oauth2.authorization.code"]
        codes.sudo().search([*of_users, *codes._usable_domain()]).filtered(
            lambda code: RPC_SCOPE in (code.scope or "").split()
        ).write({"used": True})

    def _lock_unrevoked(self):
        """Those of these tokens not revoked yet, locked for this transaction: a
        replayed code or refresh token sent by several requests at once makes
        each of them revoke the same tokens."""
        if not self:
            return self
        return lock_rows(
            self,
            SQL("id IN %s AND revoked IS NOT TRUE", tuple(self.ids)),
            ["revoked"],
        )

    @api.model
    def _cron_delete_expired(self, batch_size=CLEANUP_BATCH_SIZE):
        """The cleanup job: delete one batch of each model's rows that its
        ``_stale_domain`` says are no longer needed; the scheduler calls again
        while some remain."""
        done = remaining = 0
        for model_name in CLEANED_MODELS:
            model = self.env[model_name].sudo()
            # One more than a batch tells whether another call is needed without
            # counting a table that may hold millions of rows.
            found = model.search(
                model._stale_domain(), order="id", limit=batch_size + 1
            )
            found[:batch_size].unlink()
            done += min(len(found), batch_size)
            remaining += len(found[batch_size:])
        report_cron_progress(self.env, done, remaining)

    @api.model
    def _stale_domain(self):
        """Tokens revoked, or expired with their refresh token, before the
        grace period: what the cleanup job deletes."""
        cutoff = cleanup_cutoff(self.env)
        return domain_or(
            [
                [("revoked", "=", True), ("revoked_at", "<", cutoff)],
                self._expired_domain(cutoff),
            ]
        )
