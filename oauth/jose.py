"""The signed JWTs of the OpenID Provider (RFC 7515, RFC 7517, RFC 7518,
RFC 7638), with PyJWT on the ``cryptography`` that Odoo pins; apart from the
ORM, which stores the keys."""

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

RS256 = "RS256"
ES256 = "ES256"
# RS256 first: the algorithm OpenID Connect Core §15.1 makes every provider
# support, and the only one some relying parties accept.
SIGNING_ALGORITHMS = (RS256, ES256)
# NIST SP 800-57: 2048-bit RSA is good until 2030; larger keys slow every
# signature for nothing a relying party checks.
RSA_KEY_SIZE = 2048
# The media types of the JWTs this server signs (the "typ" header, RFC 7515
# §4.1.9): each says what the token is for, so that none passes for another
# where both are signed with the same keys for the same audience. id_tokens
# keep PyJWT's "JWT", which relying parties expect or ignore.
ID_TOKEN_TYPE = "JWT"
# RFC 9068 §2.1
ACCESS_TOKEN_TYPE = "at+jwt"
# OpenID Connect Back-Channel Logout 1.0 §2.4
LOGOUT_TOKEN_TYPE = "logout+jwt"
# A compact JWS: three base64url parts, the first a JSON object ("{" -> eyJ)
COMPACT_JWS = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# Longer than any JWT of this server; a resource server's header limits would
# refuse it anyway.
MAX_JWS_LENGTH = 8192
# The public members of each key type (RFC 7638 §3.2), in the order RFC 7638
# hashes them: also all that the JWKS may publish of a key.
PUBLIC_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    # RFC 8037 §2: the Ed25519 keys of DPoP proofs; this server signs with none
    "OKP": ("crv", "kty", "x"),
}
# The keys of SIGNING_ALGORITHMS: RSA, and EC on P-256.
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class InvalidSignedToken(Exception):
    """A JWT that is not one of ours: malformed, signed with no key we
    publish, with another algorithm than its key's, or with a bad signature."""


def generate_private_key(algorithm: str) -> str:
    """A new private key for ``algorithm``, as unencrypted PKCS#8 PEM."""
    if algorithm == RS256:
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    elif algorithm == ES256:
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"Unsupported signing algorithm {algorithm}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


# Any: the key the PEM holds, of whatever type; cryptography has no one name
# for their union across the versions Odoo allows (none in 3.4, then
# PRIVATE_KEY_TYPES, then PrivateKeyTypes).
def load_private_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


def public_jwk(private_key: PrivateKey, algorithm: str) -> dict[str, str]:
    """The public members of ``private_key`` as a JWK (RFC 7517 §4), with its
    ``kid``, ``alg`` and ``use``."""
    algorithm_class = (
        jwt.algorithms.RSAAlgorithm
        if algorithm == RS256
        else jwt.algorithms.ECAlgorithm
    )
    # a JSON string: PyJWT before 2.7 has no as_dict
    full = json.loads(algorithm_class.to_jwk(private_key.public_key()))
    members = {name: full[name] for name in PUBLIC_MEMBERS[full["kty"]]}
    return {**members, "kid": thumbprint(members), "alg": algorithm, "use": "sig"}


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 §3: the base64url SHA-256 of the key's required members,
    sorted, without whitespace; stable for a key, so a fitting ``kid``."""
    required = {name: jwk[name] for name in PUBLIC_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def looks_like_jws(value: str | None) -> bool:
    """Whether ``value`` has the shape of a compact JWS, such as a JWT access
    token: what tells it apart from the opaque tokens."""
    return bool(value and len(value) <= MAX_JWS_LENGTH and COMPACT_JWS.fullmatch(value))


def sign(
    claims: dict[str, Any],
    private_key: PrivateKey | str,
    algorithm: str,
    kid: str,
    token_type: str = ID_TOKEN_TYPE,
) -> str:
    """The compact JWS of ``claims``, its header naming the key and the
    token's type."""
    return jwt.encode(
        claims,
        private_key,
        algorithm=algorithm,
        headers={"kid": kid, "typ": token_type},
    )


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT this server has just signed, unverified: never for
    a token a request presents."""
    return jwt.decode(token, options={"verify_signature": False})


def _has_type(header, token_type):
    # RFC 7515 §4.1.9: "application/" may be left out, case-insensitively;
    # an id_token without "typ" is one all the same.
    declared = header.get("typ", ID_TOKEN_TYPE)
    if not isinstance(declared, str):
        return False
    declared = declared.lower().removeprefix("application/")
    return declared == token_type.lower()


def verify(
    token: str,
    public_keys: Mapping[str, tuple[str, PublicKey]],
    issuer: str,
    audience: str | None = None,
    verify_expiry: bool = True,
    token_type: str = ID_TOKEN_TYPE,
) -> dict[str, Any]:
    """The claims of ``token`` once its signature is verified with the key its
    header names among ``public_keys`` (``kid`` -> ``(algorithm, key)``), and
    its type and issuer checked; also its audience when given, and its expiry
    unless told not to (an id_token_hint may have expired, OpenID Connect
    Core §3.1.2.1).

    The algorithm comes from our key, never from the token: ``alg: none`` or
    an HMAC keyed with our public key cannot pass. The type keeps an access
    token or a logout token from passing for an id_token, and the other way
    round (RFC 8725 §3.11).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise InvalidSignedToken("The token is not a JWS.") from error
    if not _has_type(header, token_type):
        raise InvalidSignedToken(f"The token is not of type {token_type}.")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in public_keys:
        raise InvalidSignedToken("The token is not signed with a key of this server.")
    algorithm, key = public_keys[kid]
    if header.get("alg") != algorithm:
        raise InvalidSignedToken("The token's algorithm is not its key's.")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            options={
                "verify_exp": verify_expiry,
                "verify_aud": audience is not None,
                "require": ["iss", "sub", "iat"],
            },
        )
    except jwt.InvalidTokenError as error:
        raise InvalidSignedToken(str(error)) from error
