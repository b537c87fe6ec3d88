# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Pushed authorization requests (RFC 9126): the ``request_uri`` a client
gets for the authorization request it pushed, and which parameters of a
push are the authorization request's."""

import json
from collections.abc import Sequence

from oauthlib.oauth2.rfc6749 import errors

from .dpop import DPOP_JKT, InvalidProofError
from .secrets import generate_secret, looks_generated

# RFC 9126 §2.2: a URN of this prefix, which the client cannot guess
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
# node-oidc-provider's lifetime of a request_uri, from the push to the
# authorization request that uses it (§2.2 asks for a short one)
REQUEST_URI_LIFETIME = 60
# Once the user's browser brought it, how long the request_uri lasts while
# they log in and consent: as long as the login the authorization endpoint
# asks for (controllers/authorize.py)
INTERACTION_LIFETIME = 600
# The parameters that authenticate the client at the PAR endpoint as at the
# token endpoint (RFC 6749 §2.3, RFC 7523 §2.2): no part of the
# authorization request, and never stored.
CLIENT_AUTHENTICATION_PARAMETERS = frozenset(
    {"client_secret", "client_assertion", "client_assertion_type"}
)
# The most the parameters of one pushed request may weigh as stored JSON: a
# request object (8 KiB at most, request_objects.py) and the rest, with room
# to spare; a browser carries no longer URL anyway.
MAX_PARAMETERS_LENGTH = 16384


class InvalidRequestURI(errors.FatalClientError):
    """RFC 9101 §6.2: a ``request_uri`` that is unknown, expired, used or
    another client's. Fatal: the redirect URI it would hold is unknown."""

    error = "invalid_request_uri"


def new_request_uri() -> tuple[str, str]:
    """``(request_uri, reference)``: a new request_uri, and its random part,
    which is stored only as a hash."""
    reference = generate_secret()
    return REQUEST_URI_PREFIX + reference, reference


def is_pushed_request_uri(value: str | None) -> bool:
    """Whether ``value`` is a request_uri of the kind this server issues for
    pushed requests (any other is a request object by reference)."""
    return bool(value and value.startswith(REQUEST_URI_PREFIX))


def reference_of(request_uri: str) -> str | None:
    """The random part of a ``request_uri`` this server could have issued,
    else None: what it is looked up by."""
    reference = request_uri.removeprefix(REQUEST_URI_PREFIX)
    if reference == request_uri or not looks_generated(reference):
        return None
    return reference


def pushed_parameters(
    form: Sequence[tuple[str, str]], client_id: str
) -> list[tuple[str, str]]:
    """The authorization request's parameters of a push's ``form`` (pairs),
    for the client it authenticated as: its own but the client's
    credentials, with ``client_id`` (§2.1: a client authenticating with a
    Basic header may leave it out). Raises ``InvalidRequestError`` for a
    ``request_uri`` (§2.1) and for parameters too long to keep."""
    names = [name for name, _value in form]
    if "request_uri" in names:
        raise errors.InvalidRequestError(
            description="A pushed authorization request may not hold a "
            "request_uri: push its parameters, or a request object in request."
        )
    parameters = [
        (name, value)
        for name, value in form
        if name not in CLIENT_AUTHENTICATION_PARAMETERS
    ]
    if "client_id" not in names:
        parameters.insert(0, ("client_id", client_id))
    if len(dumps(parameters)) > MAX_PARAMETERS_LENGTH:
        raise errors.InvalidRequestError(
            description="The pushed authorization request is longer than "
            f"{MAX_PARAMETERS_LENGTH} characters."
        )
    return parameters


def dumps(parameters: Sequence[tuple[str, str]]) -> str:
    return json.dumps([list(pair) for pair in parameters], separators=(",", ":"))


def loads(text: str) -> list[tuple[str, str]]:
    return [(name, value) for name, value in json.loads(text)]


def bound_to_proof_key(
    parameters: Sequence[tuple[str, str]], jkt: str
) -> list[tuple[str, str]]:
    """RFC 9449 §10.1: the pushed ``parameters`` of a push that carried a
    DPoP proof of the key ``jkt``, their code bound to that key: a
    ``dpop_jkt`` of the push must name it, and one is added if it has none.
    Raises :class:`~.dpop.InvalidProofError` otherwise."""
    given = [value for name, value in parameters if name == DPOP_JKT]
    if any(value != jkt for value in given):
        raise InvalidProofError(
            description="The dpop_jkt of this request is not the thumbprint of "
            "its DPoP proof's key (RFC 9449 §10.1)."
        )
    if given:
        return list(parameters)
    return [*parameters, (DPOP_JKT, jkt)]


def names_redirect_uri(parameters: Sequence[tuple[str, str]]) -> bool:
    return any(name == "redirect_uri" and value for name, value in parameters)
