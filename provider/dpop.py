# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""DPoP proofs (RFC 9449) as the token endpoint and the protected resources
check them: the database's nonce key and setting, the URLs a request was
sent to, and the replay store, around the checks of ``oauth/dpop.py``."""

import time

from ..oauth import dpop
from ..oauth.constants import DPOP_REQUIRE_NONCE_PARAM
from .configuration import hash_secret, issuer

# The purpose under which the key of the server's nonces is derived from the
# database secret.
DPOP_NONCE_KEY = "dpop_nonce_key"


def _nonce_key(env):
    return hash_secret(env, DPOP_NONCE_KEY, "")


def nonce_required(env):
    """Whether every proof must carry the server's nonce (RFC 9449 §8): off
    unless the system parameter says ``1`` or ``true``, as node-oidc-provider
    requires none by default."""
    value = env["ir.config_parameter"].sudo().get_param(DPOP_REQUIRE_NONCE_PARAM)
    return (value or "").strip().lower() in ("1", "true")


def nonce_headers(env):
    """The ``DPoP-Nonce`` header of an answer to a DPoP request: the nonce
    its next proof may carry."""
    return {dpop.NONCE_HEADER: dpop.server_nonce(_nonce_key(env), time.time())}


def request_urls(env, httprequest):
    """The URLs a request may have been sent to, without query: its path
    under the Issuer URL and under ``web.base.url``, both configured. Never
    the URL the request's Host (or X-Forwarded-Host) header makes: its
    sender chooses it, and a proof made for another server would pass
    (RFC 9449 §11.1)."""
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
    return {
        origin.rstrip("/") + httprequest.path
        for origin in (issuer(env), base_url)
        if origin
    }


def check_request_proof(env, httprequest, access_token=None, read_only_route=False):
    """The :class:`~..oauth.dpop.Proof` of the DPoP header of
    ``httprequest``, with ``access_token`` its ``ath`` at a resource, once
    checked (``oauth/dpop.py``) and recorded as seen (committed without
    waiting for the disk at a ``read_only_route``); raises
    :class:`~..oauth.dpop.InvalidProof` for a bad or replayed proof, and
    :class:`~..oauth.dpop.NonceRequired` for a nonce missing or stale."""
    now = time.time()
    proof = dpop.check_proof(
        httprequest.headers.getlist(dpop.DPOP_HEADER),
        httprequest.method,
        request_urls(env, httprequest),
        now,
        access_token=access_token,
        nonces=dpop.valid_nonces(_nonce_key(env), now),
        nonce_required=nonce_required(env),
    )
    # no proof is accepted past its window: no copy can pass for new later
    expires_at = proof.issued_at + dpop.PROOF_LIFETIME
    if not env["oauth2.jti"]._use_once(
        dpop.JTI_PURPOSE,
        proof.jkt,
        proof.jti,
        expires_at,
        asynchronous_commit=read_only_route,
    ):
        raise dpop.InvalidProof("This DPoP proof was used before.")
    return proof


def check_proof_algorithm(application, algorithm):
    """Raises :class:`~..oauth.dpop.InvalidProofError` when an accepted proof
    is signed with an ``algorithm`` that ``application`` may not use (FAPI
    2.0 §5.4.1 narrows them)."""
    allowed = application._dpop_algorithms()
    if algorithm not in allowed:
        raise dpop.InvalidProofError(
            description="This application's DPoP proofs are signed with one of "
            + ", ".join(allowed)
            + "."
        )
