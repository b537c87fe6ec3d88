"""Generation and one-way storage of client secrets, tokens and codes."""

import secrets

from odoo.tools.misc import hmac

# 32 random bytes give 256 bits of entropy: RFC 6749 §10.10 and RFC 9700 ask for
# credentials an attacker cannot guess.
SECRET_BYTES = 32


def generate_secret():
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(env, purpose, value):
    """Return the keyed hash under which ``value`` is stored and looked up.

    The values are high-entropy random strings, so a fast keyed hash (HMAC-SHA256
    with the database secret) is enough: there is nothing to brute-force, and a
    leaked table alone does not let anyone recompute a hash. ``purpose`` keeps a
    client secret from ever matching a token of the same text.
    """
    return hmac(env(su=True), f"orestapi_oauth2.{purpose}", value)
