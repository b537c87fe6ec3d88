# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

import jwt

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.models import fix_import_export_id_paths
from odoo.tools import SQL

from ..oauth import jose
from ..provider.configuration import issuer
from ..series import Constraint
from .direct_sql import lock_rows
from .res_config_settings import get_oauth2_setting

SIGNING = "signing"
PUBLISHED = "published"
RETIRED = "retired"
# Relying parties cache the JWKS: a key retires this much after the last
# token it signed expired, for clocks that run a little behind.
RETIREMENT_MARGIN = timedelta(minutes=5)


class OAuth2SigningKey(models.Model):
    """A key pair of the OpenID Provider, which signs its id_tokens, JWT
    access tokens and logout tokens. One key per algorithm signs; keys it
    replaced lose their private half at once, and stay published in the JWKS
    until every token they signed has expired, then retire."""

    _name = "oauth2.signing.key"
    _description = "OAuth2 Signing Key"
    _order = "create_date desc, id desc"
    _rec_name = "kid"

    kid = fields.Char(
        string="Key ID",
        required=True,
        readonly=True,
        copy=False,
        help="The RFC 7638 thumbprint of the public key: the kid of the tokens "
        "it signs.",
    )
    algorithm = fields.Selection(
        [(name, name) for name in jose.SIGNING_ALGORITHMS],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            (SIGNING, "Signing"),
            (PUBLISHED, "Published until its tokens expire"),
            (RETIRED, "Retired"),
        ],
        required=True,
        readonly=True,
        default=SIGNING,
        index=True,
    )
    private_key = fields.Text(
        readonly=True,
        copy=False,
        exportable=False,
        groups="base.group_system",
        help="PKCS#8 PEM; erased as soon as another key replaces it.",
    )
    public_jwk = fields.Json(string="Public Key", readonly=True, copy=False)
    retire_at = fields.Datetime(
        readonly=True,
        help="When this replaced key leaves the JWKS: every token it signed has "
        "expired by then.",
    )

    _kid_unique = Constraint("unique(kid)", "Key IDs must be unique.")

    def init(self):
        # One signing key per algorithm, whatever runs concurrently: a second
        # one would sign tokens that no rotation retires.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (algorithm) "
                "WHERE state = %s",
                SQL.identifier(f"{self._table}_one_signing_per_algorithm"),
                SQL.identifier(self._table),
                SIGNING,
            )
        )

    # Workers keep the signing and the published keys (_signing_material,
    # _published): a change must show at once, in every worker.
    @api.model_create_multi
    def create(self, vals_list):
        keys = super().create(vals_list)
        self.env.registry.clear_cache()
        return keys

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        # The web client offers the fields it is told of in its custom
        # filters, groupings (whose labels show the value) and export list:
        # none may offer the private key.
        descriptions = super().fields_get(allfields, attributes)
        descriptions.pop("private_key", None)
        return descriptions

    def export_data(self, fields_to_export):
        # Odoo's export dialog leaves out the fields that are not exportable;
        # the method behind it, which any RPC client may call, does not.
        refused = [
            path
            for path in fields_to_export
            if not getattr(
                self._fields.get(fix_import_export_id_paths(path)[0]),
                "exportable",
                True,
            )
        ]
        if refused:
            raise AccessError(
                self.env._(
                    "These fields cannot be exported: %(fields)s",
                    fields=", ".join(refused),
                )
            )
        return super().export_data(fields_to_export)

    @api.model
    def _generate(self, algorithm):
        """A new signing key for ``algorithm``; the one it replaces stays
        published until the tokens it signed have expired."""
        keys = self.sudo()
        # Two rotations at once queue up here; the later one is retried and
        # replaces the key the first made.
        replaced = lock_rows(
            keys,
            SQL("algorithm = %s AND state = %s", algorithm, SIGNING),
            ["algorithm", "state"],
        )
        replaced.write(
            {
                "state": PUBLISHED,
                # it never signs again: nothing can use its private half
                "private_key": False,
                "retire_at": fields.Datetime.now()
                + timedelta(seconds=self._longest_token_lifetime())
                + RETIREMENT_MARGIN,
            }
        )
        # before the new key's row, which the index allows only once the old
        # one no longer signs
        replaced.flush_recordset(["state"])
        pem = jose.generate_private_key(algorithm)
        jwk = jose.public_jwk(jose.load_private_key(pem), algorithm)
        return keys.create(
            {
                "kid": jwk["kid"],
                "algorithm": algorithm,
                "private_key": pem,
                "public_jwk": jwk,
            }
        )

    @api.model
    def _ensure_signing_keys(self):
        """A signing key for every algorithm: generated on install, so that
        no administrator has to."""
        signing = set(self.sudo().search([("state", "=", SIGNING)]).mapped("algorithm"))
        for algorithm in jose.SIGNING_ALGORITHMS:
            if algorithm not in signing:
                self._generate(algorithm)

    @tools.ormcache("algorithm")
    def _signing_material(self, algorithm):
        """``(kid, private key)`` of the key signing with ``algorithm``,
        loaded once per worker: loading an RSA key costs more than signing."""
        key = self.sudo().search(
            [("algorithm", "=", algorithm), ("state", "=", SIGNING)], limit=1
        )
        if not key:
            key = self._generate(algorithm)
        return key.kid, jose.load_private_key(key.private_key)

    @tools.ormcache()
    def _published(self):
        """The published keys: ``(jwks, {kid: (algorithm, public key)})``,
        made once per worker from their public JWKs alone."""
        keys = self.sudo().search([("state", "!=", RETIRED)])
        jwks = {"keys": [key.public_jwk for key in keys]}
        public_keys = {
            key.kid: (key.algorithm, jwt.PyJWK(key.public_jwk).key) for key in keys
        }
        return jwks, public_keys

    @api.model
    def _jwks(self):
        """RFC 7517 §5: the JWK Set of the published keys, public members only."""
        return self._published()[0]

    @api.model
    def _sign(self, claims, algorithm=jose.RS256, token_type=jose.ID_TOKEN_TYPE):
        kid, private_key = self._signing_material(algorithm)
        return jose.sign(claims, private_key, algorithm, kid, token_type)

    @api.model
    def _verify(
        self, token, audience=None, verify_expiry=True, token_type=jose.ID_TOKEN_TYPE
    ):
        """The claims of a JWT of ``token_type`` this server signed, with any
        published key; raises :class:`~..oauth.jose.InvalidSignedToken`
        otherwise."""
        return jose.verify(
            token,
            self._published()[1],
            issuer(self.env),
            audience=audience,
            verify_expiry=verify_expiry,
            token_type=token_type,
        )

    @api.model
    def _longest_token_lifetime(self):
        """Seconds: the longest a JWT signed now may be used, an id_token or
        an access token of any application, so that a replaced key verifies
        each until it expires."""
        applications = self.env["oauth2.application"].with_context(active_test=False)
        longest_own = applications.sudo().search(
            [], order="access_token_lifetime desc", limit=1
        )
        return max(
            get_oauth2_setting(self.env, "id_token_lifetime"),
            get_oauth2_setting(self.env, "access_token_lifetime"),
            longest_own.access_token_lifetime,
        )

    def action_rotate(self):
        """Replace every signing key now; the old ones stay published until
        the tokens they signed have expired."""
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only a Settings administrator may rotate the keys.")
            )
        for algorithm in jose.SIGNING_ALGORITHMS:
            self._generate(algorithm)
        return True

    @api.model
    def _cron_rotate_keys(self):
        """Retire the replaced keys whose tokens have all expired, and rotate
        the signing keys older than the rotation period, if one is set."""
        keys = self.sudo()
        now = fields.Datetime.now()
        keys.search([("state", "=", PUBLISHED), ("retire_at", "<=", now)]).write(
            {"state": RETIRED, "private_key": False}
        )
        period_days = get_oauth2_setting(self.env, "key_rotation_days")
        if period_days:
            due = keys.search(
                [
                    ("state", "=", SIGNING),
                    ("create_date", "<=", now - timedelta(days=period_days)),
                ]
            )
            for algorithm in set(due.mapped("algorithm")):
                self._generate(algorithm)
        self._ensure_signing_keys()
