"""Generation and one-way storage of client secrets, tokens and codes; and
the one secret that must be kept recoverable, that of a client_secret_jwt
client, encrypted."""

import base64
import hashlib
import hmac
import math
import re
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# 32 random bytes give 256 bits of entropy: RFC 6749 §10.10 and RFC 9700 ask for
# credentials an attacker cannot guess.
SECRET_BYTES = 32
# What generate_secret() returns: unpadded base64url of SECRET_BYTES bytes.
SECRET_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{math.ceil(SECRET_BYTES * 4 / 3)}}}")


def generate_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def looks_generated(value: str | None) -> bool:
    """Whether ``value`` has the shape of a generated secret, token or code."""
    return bool(value and SECRET_SHAPE.fullmatch(value))


def hash_secret(database_secret: str, purpose: str, value: str) -> str:
    """Return the keyed hash under which ``value`` is stored and looked up.

    The values are high-entropy random strings, so a fast keyed hash (HMAC-SHA256
    with the database secret) is enough: there is nothing to brute-force, and a
    leaked table alone does not let anyone recompute a hash. ``purpose`` keeps a
    client secret from ever matching a token of the same text. The message is
    the one ``odoo.tools.misc.hmac`` signs, the hashes stored before the module
    computed them itself.
    """
    message = repr((f"orestapi_oauth2.{purpose}", value))
    return hmac.new(
        database_secret.encode(), message.encode(), hashlib.sha256
    ).hexdigest()


# RFC 5116 / NIST SP 800-38D: a 96-bit random nonce for each encryption.
NONCE_BYTES = 12


def _encryption_key(database_secret):
    # a key of its own, derived from the database secret, so that no other
    # use of that secret (the keyed hashes) ever meets this one
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"orestapi_oauth2.client_secret_jwt",
    ).derive(database_secret.encode())


def encrypt_secret(database_secret: str, owner: str, value: str) -> str:
    """``value`` encrypted with AES-256-GCM under a key derived from the
    database secret, bound to ``owner`` (the application's id), as base64:
    what a client_secret_jwt client's secret is kept as, since verifying its
    HMAC needs the secret itself (OpenID Connect Core §9)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_encryption_key(database_secret)).encrypt(
        nonce, value.encode(), owner.encode()
    )
    return base64.b64encode(nonce + sealed).decode()


def decrypt_secret(database_secret: str, owner: str, stored: str) -> str | None:
    """The secret :func:`encrypt_secret` sealed for ``owner``; None when
    ``stored`` was not sealed for it under this database secret."""
    try:
        raw = base64.b64decode(stored, validate=True)
        opened = AESGCM(_encryption_key(database_secret)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode()
        )
    except (ValueError, InvalidTag):
        return None
    return opened.decode()
