"""Generation and one-way storage of client secrets, tokens and codes."""

import hashlib
import hmac
import math
import re
import secrets

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
