"""The signed JWTs of the OpenID Provider (RFC 7515, RFC 7517, RFC 7518,
RFC 7638), with PyJWT on the ``cryptography`` that Odoo pins; apart from the
ORM, which stores the keys."""

import base64
import hashlib
import json

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
# The public members of each key type (RFC 7638 §3.2), in the order RFC 7638
# hashes them: also all that the JWKS may publish of a key.
PUBLIC_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}


class InvalidSignedToken(Exception):
    """A JWT that is not one of ours: malformed, signed with no key we
    publish, with another algorithm than its key's, or with a bad signature."""


def generate_private_key(algorithm):
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


def load_private_key(pem):
    return serialization.load_pem_private_key(pem.encode(), password=None)


def public_jwk(private_key, algorithm):
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


def thumbprint(jwk):
    """RFC 7638 §3: the base64url SHA-256 of the key's required members,
    sorted, without whitespace; stable for a key, so a fitting ``kid``."""
    required = {name: jwk[name] for name in PUBLIC_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(claims, private_key, algorithm, kid):
    """The compact JWS of ``claims``, its header naming the key."""
    return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid})


def verify(token, public_keys, issuer, audience=None, verify_expiry=True):
    """The claims of ``token`` once its signature is verified with the key its
    header names among ``public_keys`` (``kid`` -> ``(algorithm, key)``), and
    its issuer checked; also its audience when given, and its expiry unless
    told not to (an id_token_hint may have expired, OpenID Connect Core §3.1.2.1).

    The algorithm comes from our key, never from the token: ``alg: none`` or
    an HMAC keyed with our public key cannot pass.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise InvalidSignedToken("The token is not a JWS.") from error
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
