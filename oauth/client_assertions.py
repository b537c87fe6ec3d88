# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Client authentication with a signed JWT (RFC 7523 §2.2 and §3, OpenID
Connect Core §9): ``private_key_jwt``, signed with a key of the client's
JWKS, and ``client_secret_jwt``, an HMAC keyed with its client secret. Values
in, values out: the caller finds the application, its keys and secret, and
records the ``jti`` as used (the replay store, ``oauth2.jti``)."""

import json
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

import jwt

from .request_objects import (
    CLOCK_SKEW_SECONDS,
    ClientKey,
    InvalidRequestObject,
    signing_key_candidates,
)

# RFC 7523 §2.2
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_SECRET_JWT = "client_secret_jwt"
# The algorithms served for each method (OpenID Connect Core §9): RS256 is
# what every client supports; EdDSA is Ed25519 (RFC 8037), which RFC 9864
# names Ed25519, the name oauth4webapi signs with.
SIGNING_ALGORITHMS = {
    PRIVATE_KEY_JWT: ("RS256", "PS256", "ES256", "EdDSA", "Ed25519"),
    CLIENT_SECRET_JWT: ("HS256",),
}
ALL_SIGNING_ALGORITHMS = tuple(
    algorithm for algorithms in SIGNING_ALGORITHMS.values() for algorithm in algorithms
)
# An assertion is made for one request, as the issue asks ("exp within a few
# minutes"; node-oidc-provider sets no limit): its exp may be at most this far
# ahead of now, whatever its iat (which RFC 7523 leaves optional).
# oauth4webapi and openid-client sign for 60 seconds; Authlib for an hour
# unless told (expires_in).
MAX_LIFETIME_SECONDS = 300
# Longer than any honest assertion (a few claims, a kid, a 4096-bit RSA
# signature); refused before its JSON is parsed.
MAX_ASSERTION_LENGTH = 4096


# PyJWT knows Ed25519 only as EdDSA: the same algorithm under its other name.
_JWS = jwt.PyJWS()
_JWS.register_algorithm("Ed25519", jwt.algorithms.OKPAlgorithm())


class InvalidClientAssertion(Exception):
    """An assertion this server does not accept; the message says why, for
    the log and the client's error_description."""


class VerifiedAssertion(NamedTuple):
    """What a verified assertion says: the ``client_id`` it authenticates,
    its ``jti`` and when it expires (``exp``, seconds since the epoch), for
    the replay store."""

    client_id: str
    jti: str
    exp: int


def asserted_client_id(assertion: str) -> str | None:
    """The client an assertion claims to come from (``sub``, else ``iss``),
    unverified: which application's keys verify it. None when it names none
    or is no JWT."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH:
        return None
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    for name in ("sub", "iss"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _header(assertion, method, required_algorithm):
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH:
        raise InvalidClientAssertion(
            f"A client assertion may be at most {MAX_ASSERTION_LENGTH} characters "
            "long."
        )
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.InvalidTokenError as error:
        raise InvalidClientAssertion("The client assertion is not a JWS.") from error
    algorithm = header.get("alg")
    allowed = SIGNING_ALGORITHMS[method]
    if algorithm not in allowed:
        # "none" among them, and an HMAC keyed with a public key
        raise InvalidClientAssertion(
            f"A {method} assertion is signed with one of {', '.join(allowed)}."
        )
    if required_algorithm and algorithm != required_algorithm:
        raise InvalidClientAssertion(
            f"This application signs its assertions with {required_algorithm}."
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidClientAssertion("The client assertion's kid is not a string.")
    return header


def _has_audience(audience, accepted):
    values = audience if isinstance(audience, list) else [audience]
    return any(isinstance(value, str) and value in accepted for value in values)


def verify_assertion(
    assertion: str,
    assertion_type: str | None,
    method: str,
    client_id: str,
    audiences: Collection[str],
    *,
    client_keys: Callable[[bool], list[ClientKey]] | None = None,
    client_secret: str | None = None,
    required_algorithm: str | None = None,
    now: float | None = None,
) -> VerifiedAssertion:
    """Check the client ``assertion`` of ``assertion_type`` for the
    application ``client_id``, which authenticates with ``method``, in this
    order: the assertion type; a JWS of an algorithm of the method (and the
    application's ``required_algorithm``, if it has one); its signature, by a
    key of ``client_keys(refresh)`` (fetched again once for an unknown key)
    or an HMAC keyed with ``client_secret``; ``iss`` and ``sub`` the client;
    an ``aud`` among ``audiences``; ``exp`` present, not past and at most
    :data:`MAX_LIFETIME_SECONDS` ahead; a ``jti``. Raises
    :class:`InvalidClientAssertion`; the caller still has to record the jti
    as used."""
    if assertion_type != JWT_BEARER:
        raise InvalidClientAssertion(f"client_assertion_type must be {JWT_BEARER}.")
    header = _header(assertion, method, required_algorithm)
    if method == CLIENT_SECRET_JWT:
        if not client_secret:
            raise InvalidClientAssertion(
                "This application has no client secret this server can verify an "
                "HMAC with: an administrator must generate a new one."
            )
        candidates = [ClientKey(None, "oct", client_secret.encode())]
    else:
        candidates = _key_candidates(header, client_keys)
    claims = _verified_claims(assertion, header["alg"], candidates)
    return _checked(claims, client_id, audiences, now)


def _key_candidates(header, client_keys):
    try:
        candidates = signing_key_candidates(header, client_keys(False))
        if not candidates:
            # Core §10.1.1: a client rotates its keys at its jwks_uri, which is
            # fetched again (at most every half minute, JWKSCache)
            candidates = signing_key_candidates(header, client_keys(True))
    except InvalidRequestObject as error:
        raise InvalidClientAssertion(str(error)) from error
    if not candidates:
        raise InvalidClientAssertion(
            "The client assertion is not signed with a key the application "
            "registered."
        )
    return candidates


def _verified_claims(assertion, algorithm, candidates):
    """The claims of ``assertion`` once one of ``candidates`` verifies its
    signature; its claims are checked by :func:`_checked`, each with its own
    words."""
    for candidate in candidates:
        try:
            payload = _JWS.decode(assertion, candidate.key, algorithms=[algorithm])
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError as error:
            raise InvalidClientAssertion(
                f"The client assertion is invalid: {error}"
            ) from error
        try:
            claims = json.loads(payload)
        except ValueError as error:
            raise InvalidClientAssertion(
                "The client assertion's payload is not JSON."
            ) from error
        if not isinstance(claims, dict):
            raise InvalidClientAssertion(
                "The client assertion's payload is not a JSON object."
            )
        return claims
    raise InvalidClientAssertion(
        "The client assertion's signature is not that of a key the application "
        "registered."
    )


def _number(claims, name):
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidClientAssertion(f"The client assertion's {name} is not a number.")
    return value


def _checked(claims: Mapping[str, Any], client_id, audiences, now):
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise InvalidClientAssertion(
            "The client assertion's iss and sub must both be the client_id."
        )
    if not _has_audience(claims.get("aud"), audiences):
        raise InvalidClientAssertion(
            "The client assertion's aud must be this server's issuer or the URL "
            "of the endpoint called."
        )
    now = time.time() if now is None else now
    expires = _number(claims, "exp")
    if expires is None:
        raise InvalidClientAssertion("The client assertion has no exp.")
    if expires + CLOCK_SKEW_SECONDS < now:
        raise InvalidClientAssertion("The client assertion has expired.")
    issued = _number(claims, "iat")
    if issued is not None and issued - CLOCK_SKEW_SECONDS > now:
        raise InvalidClientAssertion("The client assertion is issued in the future.")
    not_before = _number(claims, "nbf")
    if not_before is not None and not_before - CLOCK_SKEW_SECONDS > now:
        raise InvalidClientAssertion("The client assertion is not valid yet.")
    if expires - now > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        raise InvalidClientAssertion(
            "A client assertion may live at most "
            f"{MAX_LIFETIME_SECONDS // 60} minutes."
        )
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise InvalidClientAssertion(
            "The client assertion has no jti, or one longer than 255 characters."
        )
    return VerifiedAssertion(client_id, jti, int(expires) + CLOCK_SKEW_SECONDS)
