# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""DPoP proofs (RFC 9449): their checks, in the order §4.3 lists them, and
the server's nonces (§8); on values alone, the replay store being the
caller's."""

import base64
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Collection, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

import jwt
from oauthlib.oauth2.rfc6749 import errors

from .jose import MAX_JWS_LENGTH, thumbprint

# The HTTP header of a proof (§4.1) and of the server's nonce (§8.1).
DPOP_HEADER = "DPoP"
NONCE_HEADER = "DPoP-Nonce"
# The authorization scheme of a DPoP-bound access token (§7.1).
DPOP_SCHEME = "DPoP"
PROOF_TYPE = "dpop+jwt"
# Asymmetric algorithms only (§4.2): never "none" nor an HMAC, which a
# public key in the header could not check.
ALGORITHMS = ("ES256", "PS256", "RS256", "EdDSA")
# The key types each algorithm signs with, and the curve where it has one.
KEY_TYPES = {
    "ES256": ("EC", "P-256"),
    "PS256": ("RSA", None),
    "RS256": ("RSA", None),
    "EdDSA": ("OKP", "Ed25519"),
}
# NIST SP 800-57: RSA below 2048 bits no longer protects anything.
MIN_RSA_BITS = 2048
# The members of a JWK that only a private key has (RFC 7518 §6.2.2, §6.3.2,
# RFC 8037 §2, and "k" of a symmetric key).
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# node-oidc-provider's window: a proof is accepted for 300 seconds after its
# iat, and with the same tolerance before it, for clocks running ahead.
PROOF_LIFETIME = 300
# A proof's jti need only be unique per key; longer would only fill the store.
MAX_JTI_LENGTH = 256
# A nonce is good for the window it was made in and the next one.
NONCE_WINDOW = 300
# A client signs its proofs with one key: each worker keeps the last keys it
# parsed (for an EC key, checking that its point is on the curve).
PARSED_KEYS_KEPT = 1024
# what the replay store keeps proofs' jtis under (models/oauth2_jti.py)
JTI_PURPOSE = "dpop_proof"
USE_DPOP_NONCE = "use_dpop_nonce"
INVALID_DPOP_PROOF = "invalid_dpop_proof"
# §10: the authorization request parameter binding the code to a key
DPOP_JKT = "dpop_jkt"
DEFAULT_PORTS = {"http": 80, "https": 443}
# a base64url SHA-256, unpadded
THUMBPRINT = re.compile(r"[A-Za-z0-9_-]{43}")


class InvalidProof(Exception):
    """A DPoP proof that this request cannot accept (§4.3):
    ``invalid_dpop_proof``."""

    error = INVALID_DPOP_PROOF


class InvalidProofError(errors.OAuth2Error):
    """A request refused for its proof once oauthlib has it: the proof of a
    key other than the one the request names, or signed with an algorithm
    its client may not use."""

    error = INVALID_DPOP_PROOF


class NonceRequired(InvalidProof):
    """A proof without the server's current nonce, where one is required, or
    with a nonce that is no longer (or never was) the server's (§8):
    ``use_dpop_nonce``; the client retries with the nonce the answer
    carries."""

    error = USE_DPOP_NONCE


class Proof(NamedTuple):
    """What a checked proof gives: the thumbprint of its key (RFC 7638), its
    jti, its iat, in seconds, and its alg."""

    jkt: str
    jti: str
    issued_at: int
    algorithm: str


def access_token_hash(access_token: str) -> str:
    """§4.2 ``ath``: the base64url SHA-256 of the access token."""
    digest = hashlib.sha256(access_token.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _normalized_url(url: str):
    """``(scheme, host, port, path)`` of ``url``, which RFC 9449 §4.3 point 9
    compares without query and fragment (RFC 3986 §6 normalization: scheme
    and host in lower case, the default port made explicit, "/" for an
    empty path); None for a URL that is not http(s)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return (scheme, parts.hostname, port or DEFAULT_PORTS[scheme], parts.path or "/")


def _one_proof(header_values: Sequence[str]) -> str:
    if not header_values:
        raise InvalidProof("The request has no DPoP proof.")
    if len(header_values) > 1:
        raise InvalidProof("The request has more than one DPoP header.")
    proof = header_values[0].strip()
    if len(proof) > MAX_JWS_LENGTH:
        raise InvalidProof("The DPoP proof is too long.")
    return proof


def _checked_header(proof: str) -> dict:
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.InvalidTokenError as error:
        raise InvalidProof("The DPoP proof is not a JWS.") from error
    if header.get("typ") != PROOF_TYPE:
        raise InvalidProof(f"The DPoP proof's typ is not {PROOF_TYPE}.")
    if header.get("alg") not in ALGORITHMS:
        raise InvalidProof(
            "The DPoP proof's alg is not one of " + " ".join(ALGORITHMS) + "."
        )
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise InvalidProof("The DPoP proof's header has no jwk.")
    if PRIVATE_MEMBERS & jwk.keys():
        raise InvalidProof("The DPoP proof's jwk holds a private key.")
    key_type, curve = KEY_TYPES[header["alg"]]
    if jwk.get("kty") != key_type or (curve and jwk.get("crv") != curve):
        raise InvalidProof("The DPoP proof's jwk is not a key of its alg.")
    return header


@functools.lru_cache(maxsize=PARSED_KEYS_KEPT)
def _parsed_key(jwk_json: str, algorithm: str):
    try:
        return jwt.PyJWK(json.loads(jwk_json), algorithm=algorithm).key
    # PyJWT raises InvalidKeyError, outside PyJWKError, for malformed members
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidProof("The DPoP proof's jwk is not a valid public key.") from error


def _public_key(header: dict):
    key = _parsed_key(json.dumps(header["jwk"], sort_keys=True), header["alg"])
    if header["jwk"]["kty"] == "RSA" and key.key_size < MIN_RSA_BITS:
        raise InvalidProof(f"The DPoP proof's RSA key is under {MIN_RSA_BITS} bits.")
    return key


def _verified_claims(proof: str, header: dict) -> dict:
    try:
        claims = jwt.decode(
            proof,
            _public_key(header),
            algorithms=[header["alg"]],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["jti", "htm", "htu", "iat"],
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidProof(f"The DPoP proof is invalid: {error}") from error
    if not isinstance(claims, dict):
        raise InvalidProof("The DPoP proof's payload is not a JSON object.")
    return claims


def _same_ascii(value, expected: str) -> bool:
    """Whether the claim ``value`` is the ASCII string ``expected``, compared
    in constant time (which refuses a non-ASCII str with a TypeError)."""
    return (
        isinstance(value, str)
        and value.isascii()
        and hmac.compare_digest(value, expected)
    )


def check_proof(
    header_values: Sequence[str],
    method: str,
    urls: Collection[str],
    now: float,
    access_token: str | None = None,
    nonces: Collection[str] = (),
    nonce_required: bool = False,
) -> Proof:
    """The :class:`Proof` of the one DPoP header among ``header_values``,
    checked as §4.3 lists (its type, algorithm, public key and signature,
    ``htm`` = ``method``, ``htu`` one of ``urls``, ``iat`` within
    :data:`PROOF_LIFETIME` of ``now``, a ``jti``), with ``access_token`` its
    ``ath`` (§7), and, when it carries a nonce or ``nonce_required``, a nonce
    among ``nonces``; raises :class:`InvalidProof` or
    :class:`NonceRequired`. Whether its jti was seen before is the caller's
    to ask, once the proof is known to be good."""
    proof = _one_proof(header_values)
    header = _checked_header(proof)
    claims = _verified_claims(proof, header)
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise InvalidProof("The DPoP proof's jti is missing or too long.")
    if claims["htm"] != method:
        raise InvalidProof("The DPoP proof is for another HTTP method.")
    htu = claims["htu"]
    target = _normalized_url(htu) if isinstance(htu, str) else None
    if not target or target not in {_normalized_url(url) for url in urls}:
        raise InvalidProof("The DPoP proof is for another URL.")
    issued_at = claims["iat"]
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        raise InvalidProof("The DPoP proof's iat is not a number of seconds.")
    # compared, not subtracted: an int too large for a float overflows
    if not now - PROOF_LIFETIME <= issued_at <= now + PROOF_LIFETIME:
        raise InvalidProof("The DPoP proof was issued too long ago or in the future.")
    if access_token is not None:
        ath = claims.get("ath")
        if not _same_ascii(ath, access_token_hash(access_token)):
            raise InvalidProof("The DPoP proof's ath is not the access token's hash.")
    elif "ath" in claims:
        raise InvalidProof("A DPoP proof for the token endpoint carries no ath.")
    nonce = claims.get("nonce")
    if nonce is None and nonce_required:
        raise NonceRequired("This server requires a DPoP nonce in the proof.")
    if nonce is not None and not any(_same_ascii(nonce, valid) for valid in nonces):
        raise NonceRequired("The DPoP proof's nonce is not the server's current one.")
    return Proof(thumbprint(header["jwk"]), jti, issued_at, header["alg"])


def proof_algorithm(proof: str) -> str:
    """The ``alg`` of a proof :func:`check_proof` accepted."""
    return jwt.get_unverified_header(proof.strip())["alg"]


def server_nonce(key: str, now: float, windows_ago: int = 0) -> str:
    """The server's nonce (§8) of the window ``now`` falls in, or of the one
    ``windows_ago`` before: an HMAC of the window's number with ``key``, so
    that no nonce is stored and every worker makes the same."""
    window = int(now // NONCE_WINDOW) - windows_ago
    digest = hmac.new(
        key.encode(), json.dumps(["dpop-nonce", window]).encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def valid_nonces(key: str, now: float) -> tuple[str, str]:
    """The nonces a proof may carry now: the current window's and the one
    before, so that a nonce handed out just before a window turns still
    works."""
    return server_nonce(key, now), server_nonce(key, now, windows_ago=1)


def challenge(parameters: Sequence[str] = ()) -> str:
    """A ``WWW-Authenticate: DPoP`` challenge (§7.1) of the auth-params
    ``parameters`` (an error, the resource's metadata), naming the
    algorithms accepted."""
    algorithms = 'algs="{}"'.format(" ".join(ALGORITHMS))
    return f"{DPOP_SCHEME} " + ", ".join([*parameters, algorithms])


def is_thumbprint(value: str | None) -> bool:
    """Whether ``value`` has the shape of a JWK SHA-256 thumbprint: what the
    ``dpop_jkt`` authorization request parameter holds (§10)."""
    return isinstance(value, str) and bool(THUMBPRINT.fullmatch(value))
