"""Request objects by value (RFC 9101, OpenID Connect Core §6.1): the
``request`` parameter of an authorization request, a JWT whose claims are the
request's parameters, signed with a key the client registered (its JWKS) or,
where an administrator allows it for the application, unsigned.

HMAC request objects keyed with the client secret (HS256) are refused: this
server keeps only a keyed hash of each secret, and cannot compute an HMAC
with it. Encrypted request objects (JWE) are not served either."""

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import jwt

from . import outbound
from .constants import OPENID_SCOPE

REQUEST = "request"
REQUEST_URI = "request_uri"
# The registration metadata's value for a client that sends unsigned request
# objects (OpenID Connect Dynamic Client Registration §2).
UNSIGNED = "none"
# What this server verifies with PyJWT on every cryptography Odoo allows.
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256")
# The key type of each algorithm a client's key may sign with: EdDSA and
# Ed25519 (its RFC 9864 name) verify client assertions (client_assertions.py),
# not request objects.
KEY_TYPES = {
    "RS256": "RSA",
    "PS256": "RSA",
    "ES256": "EC",
    "EdDSA": "OKP",
    "Ed25519": "OKP",
}
# A request object is a URL's query parameter: longer ones are refused before
# their JSON is parsed.
MAX_REQUEST_OBJECT_LENGTH = 8192
# RFC 9101 leaves the lifetime open; node-oidc-provider and FAPI take an hour.
MAX_LIFETIME_SECONDS = 3600
# The clocks of the client and this server may differ by this much.
CLOCK_SKEW_SECONDS = 30
# A JWKS of a few keys fits well inside; more is no client's honest need.
MAX_JWKS_LENGTH = 16384
MAX_JWKS_KEYS = 10
# Seconds a JWKS fetched from a client's jwks_uri is kept; and the least
# between two fetches of one URI, however many unknown kids requests name, so
# that requests cannot make this server call a client's host without end.
JWKS_CACHE_SECONDS = 300
JWKS_REFETCH_SECONDS = 30
# The rules of a JWKS (:class:`InvalidJWKS`), which the application's form
# words in the user's language.
JWKS_TOO_LONG = "too_long"
JWKS_NOT_JSON = "not_json"
JWKS_NO_KEYS = "no_keys"
JWKS_TOO_MANY_KEYS = "too_many_keys"
JWKS_PRIVATE_KEY = "private_key"
JWKS_KEY_TYPE = "key_type"
JWKS_NOT_FOR_SIGNATURES = "not_for_signatures"
JWKS_UNREADABLE_KEY = "unreadable_key"
# The members of a JWK that hold a private or symmetric key (RFC 7518 §6).
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# JWT claims that are no parameters of the request (RFC 9101 §4).
JWT_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti", "sub"})


class InvalidRequestObject(Exception):
    """A request object this server does not accept; the message says why,
    for the client's error_description."""


class InvalidJWKS(Exception):
    """A JWKS that is not a set of public signing keys this server can use:
    ``reason`` is one of the ``JWKS_*`` rules it breaks."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class ClientKey(NamedTuple):
    """A public key of a client's JWKS: its ``kid`` (or None), its key type
    (``RSA``, ``EC``, ``OKP``) and the key, for PyJWT."""

    kid: str | None
    key_type: str
    key: Any


def parse_jwks(text: str) -> list[ClientKey]:
    """The public signing keys of the JWKS ``text`` (RFC 7517 §5): RSA, EC
    on P-256 and OKP on Ed25519 (RFC 8037); raises :class:`InvalidJWKS` for
    anything else, a private key above all."""
    if len(text) > MAX_JWKS_LENGTH:
        raise InvalidJWKS(JWKS_TOO_LONG)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidJWKS(JWKS_NOT_JSON) from error
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InvalidJWKS(JWKS_NO_KEYS)
    if len(keys) > MAX_JWKS_KEYS:
        raise InvalidJWKS(JWKS_TOO_MANY_KEYS)
    return [_client_key(jwk) for jwk in keys]


def _client_key(jwk):
    if not isinstance(jwk, dict):
        raise InvalidJWKS(JWKS_NO_KEYS)
    if PRIVATE_MEMBERS & jwk.keys():
        raise InvalidJWKS(JWKS_PRIVATE_KEY)
    key_type = jwk.get("kty")
    if (
        key_type not in ("RSA", "EC", "OKP")
        or (key_type == "EC" and jwk.get("crv") != "P-256")
        or (key_type == "OKP" and jwk.get("crv") != "Ed25519")
    ):
        raise InvalidJWKS(JWKS_KEY_TYPE)
    if jwk.get("use", "sig") != "sig":
        # an encryption key is of no use to verify a signature
        raise InvalidJWKS(JWKS_NOT_FOR_SIGNATURES)
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidJWKS(JWKS_UNREADABLE_KEY)
    try:
        key = jwt.PyJWK(jwk).key
    except (
        jwt.PyJWKError,
        jwt.InvalidKeyError,
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
    ) as error:
        raise InvalidJWKS(JWKS_UNREADABLE_KEY) from error
    return ClientKey(kid, key_type, key)


def fetch_jwks(
    uri: str, allowed: outbound.AllowedNetworks = outbound.NO_ALLOWED_NETWORKS
) -> list[ClientKey]:
    """The keys of the JWKS at ``uri``, fetched through :mod:`.outbound`;
    raises :class:`InvalidRequestObject` when there are none to use."""
    try:
        response = outbound.request(
            "GET",
            uri,
            headers={"Accept": "application/json"},
            allowed=allowed,
            max_bytes=MAX_JWKS_LENGTH + 1,
        )
    except outbound.OutboundError as error:
        raise InvalidRequestObject(
            f"The application's JWKS URI cannot be fetched: {error.kind}."
        ) from error
    if response.status != 200:
        raise InvalidRequestObject(
            f"The application's JWKS URI answered with status {response.status}."
        )
    try:
        return parse_jwks(response.body.decode())
    except (UnicodeDecodeError, InvalidJWKS) as error:
        raise InvalidRequestObject(
            "The application's JWKS URI holds no JWKS this server can use."
        ) from error


class JWKSCache:
    """The keys fetched from each JWKS URI, for a few minutes: shared by the
    threads of a worker, each fetching outside the lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def clear(self) -> None:
        """Forget every JWKS fetched."""
        with self._lock:
            self._entries.clear()

    def keys(
        self,
        cache_key: Any,
        fetch: Callable[[], list[ClientKey]],
        refresh: bool = False,
        now: float | None = None,
    ) -> list[ClientKey]:
        """The keys kept for ``cache_key``, fetched with ``fetch`` when none
        are kept or they are older than :data:`JWKS_CACHE_SECONDS`; with
        ``refresh``, fetched again unless they were fetched in the last
        :data:`JWKS_REFETCH_SECONDS`. A failed fetch (``fetch`` raised
        :class:`InvalidRequestObject`) is not tried again for as long either:
        each request would otherwise wait on an unreachable host."""
        now = time.monotonic() if now is None else now
        with self._lock:
            fetched_at, outcome = self._entries.get(cache_key, (None, None))
        if fetched_at is not None:
            age = now - fetched_at
            if age < JWKS_REFETCH_SECONDS or (
                age < JWKS_CACHE_SECONDS and not refresh and isinstance(outcome, list)
            ):
                if isinstance(outcome, InvalidRequestObject):
                    raise outcome
                return outcome
        try:
            outcome = fetch()
        except InvalidRequestObject as error:
            outcome = error
        with self._lock:
            if len(self._entries) > 1000:
                # URIs of applications long changed: start over
                self._entries = {}
            self._entries[cache_key] = (now, outcome)
        if isinstance(outcome, InvalidRequestObject):
            raise outcome
        return outcome


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of the request object ``token``; raises
    :class:`InvalidRequestObject` when it is none."""
    if not isinstance(token, str) or len(token) > MAX_REQUEST_OBJECT_LENGTH:
        raise InvalidRequestObject(
            f"A request object may be at most {MAX_REQUEST_OBJECT_LENGTH} "
            "characters long."
        )
    if token.count(".") == 4:
        raise InvalidRequestObject("Encrypted request objects are not supported.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise InvalidRequestObject("The request object is not a JWT.") from error
    if not isinstance(header.get("alg"), str):
        raise InvalidRequestObject("The request object's header names no alg.")
    return header


def signing_key_candidates(
    header: Mapping[str, Any], keys: Iterable[ClientKey]
) -> list[ClientKey]:
    """The client's ``keys`` that may have signed a request object of
    ``header``: of its algorithm's key type, and the one its ``kid`` names."""
    key_type = KEY_TYPES[header["alg"]]
    kid = header.get("kid")
    return [
        key
        for key in keys
        if key.key_type == key_type and (kid is None or key.kid == kid)
    ]


def verified_claims(
    token: str,
    header: Mapping[str, Any],
    candidates: Sequence[ClientKey],
    client_id: str,
    issuer: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of the signed request object ``token`` once one of
    ``candidates`` verifies its signature, with the algorithm of ``header``
    that the caller accepted, and its claims are checked: ``iss`` the client,
    ``aud`` this server's ``issuer``, ``exp`` within the hour, ``iat`` and
    ``nbf`` not ahead of time."""
    if not candidates:
        raise InvalidRequestObject(
            "The request object is not signed with a key the application registered."
        )
    for candidate in candidates:
        try:
            claims = jwt.decode(
                token,
                candidate.key,
                algorithms=[header["alg"]],
                audience=issuer,
                issuer=client_id,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp"]},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError as error:
            raise InvalidRequestObject(
                f"The request object is invalid: {error}"
            ) from error
        break
    else:
        raise InvalidRequestObject(
            "The request object's signature is not that of a key the "
            "application registered."
        )
    now = time.time() if now is None else now
    if claims["exp"] - now > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        raise InvalidRequestObject(
            "The request object expires more than an hour from now."
        )
    return claims


def unsigned_claims(token: str) -> dict[str, Any]:
    """The claims of the unsigned (``alg: none``) request object ``token``."""
    try:
        # nothing proves who made it: its dates only keep an old one out
        return jwt.decode(
            token,
            leeway=CLOCK_SKEW_SECONDS,
            options={"verify_signature": False, "verify_exp": True, "verify_nbf": True},
        )
    except jwt.InvalidTokenError as error:
        raise InvalidRequestObject("The request object is not a JWT.") from error


def _parameter_value(name, value):
    # a request parameter is a string; JSON-valued ones (claims) and numbers
    # (max_age) are sent as JSON values
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    raise InvalidRequestObject(f"The request object's {name} is not a string.")


def object_parameters(
    claims: Mapping[str, Any], query: Mapping[str, str]
) -> dict[str, str]:
    """The authorization parameters of a request object's ``claims``, once
    checked against those of the ``query`` that carried it: the same
    ``client_id`` and ``response_type`` where both name one (RFC 9101 §5,
    OpenID Connect Core §6.1), and no request object inside."""
    if REQUEST in claims or REQUEST_URI in claims:
        raise InvalidRequestObject(
            "A request object may not hold request or request_uri."
        )
    for name in ("client_id", "response_type"):
        if name in claims and name in query and claims[name] != query[name]:
            raise InvalidRequestObject(
                f"The request object's {name} is not the request's."
            )
    parameters = {
        name: _parameter_value(name, value)
        for name, value in claims.items()
        if name not in JWT_CLAIMS
    }
    if any("\x00" in name + value for name, value in parameters.items()):
        # as in a query (http_adapter.has_nul_character): PostgreSQL
        # stores no NUL, so no parameter may reach the database with one
        raise InvalidRequestObject("The request object holds a NUL character.")
    return parameters


def merged_parameters(
    query: Sequence[tuple[str, str]], parameters: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The authorization request's parameters, given the request object's
    ``parameters`` and those of the ``query`` that carried it (without
    ``request``).

    An OpenID Connect request (its query names the openid scope, as Core
    §6.1 asks) follows Core §6.3.3: the object's parameters replace the
    query's of the same name, and the query's others stay. Any other
    follows RFC 9101 §5: the object's parameters alone, with the query's
    client_id."""
    query_scope = dict(query).get("scope", "")
    if OPENID_SCOPE in query_scope.split():
        kept = [(name, value) for name, value in query if name not in parameters]
    else:
        kept = [(name, value) for name, value in query if name == "client_id"][:1]
        kept = [] if "client_id" in parameters else kept
    return kept + list(parameters.items())


def unpack(
    query: Sequence[tuple[str, str]],
    client_keys: Callable[[bool], list[ClientKey]] | None,
    required_algorithm: str | None,
    issuer: str,
    now: float | None = None,
) -> list[tuple[str, str]]:
    """The parameters of the authorization request whose ``query`` (a list
    of pairs) holds a request object: checked, verified and merged into the
    query's (:func:`merged_parameters`). ``client_keys(refresh)`` gives
    the client's keys, fetched anew when ``refresh`` (None: the client has no
    application); ``required_algorithm`` is the one the application
    registered (``none`` allows unsigned objects). Raises
    :class:`InvalidRequestObject`."""
    given = [value for name, value in query if name == REQUEST]
    if len(given) != 1:
        raise InvalidRequestObject("The request parameter is repeated.")
    rest = [(name, value) for name, value in query if name != REQUEST]
    client_ids = [value for name, value in rest if name == "client_id"]
    if len(client_ids) > 1:
        # the keys of one client must not verify the request of another
        raise InvalidRequestObject("The client_id parameter is repeated.")
    client_id = client_ids[0] if client_ids else None
    if not client_id or client_keys is None:
        raise InvalidRequestObject(
            "The request object's application is not named by client_id."
        )
    token = given[0]
    header = unverified_header(token)
    algorithm = header["alg"]
    if algorithm == UNSIGNED:
        if required_algorithm != UNSIGNED:
            raise InvalidRequestObject(
                "Unsigned request objects are not accepted from this application."
            )
        claims = unsigned_claims(token)
    else:
        claims = _signed_claims(
            token, header, client_keys, required_algorithm, client_id, issuer, now
        )
    return merged_parameters(rest, object_parameters(claims, dict(rest)))


def _signed_claims(
    token, header, client_keys, required_algorithm, client_id, issuer, now
):
    algorithm = header["alg"]
    if algorithm.startswith("HS"):
        raise InvalidRequestObject(
            "Request objects signed with the client secret (HS256) are not "
            "supported: this server keeps only a hash of the secret. Sign "
            "with a key of the application's JWKS."
        )
    if algorithm not in SIGNING_ALGORITHMS:
        raise InvalidRequestObject(
            "The request object's algorithm is not one of "
            f"{', '.join(SIGNING_ALGORITHMS)}."
        )
    if required_algorithm not in (None, UNSIGNED) and algorithm != required_algorithm:
        raise InvalidRequestObject(
            f"This application signs its request objects with {required_algorithm}."
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidRequestObject("The request object's kid is not a string.")
    candidates = signing_key_candidates(header, client_keys(False))
    if not candidates:
        # Core §10.1.1: a client rotates keys by publishing new ones at its
        # jwks_uri, which is fetched again
        candidates = signing_key_candidates(header, client_keys(True))
    return verified_claims(token, header, candidates, client_id, issuer, now)
