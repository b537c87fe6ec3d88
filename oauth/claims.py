"""OpenID Connect Core §5.5: the ``claims`` request parameter, which asks for
individual claims in the id_token and in the userinfo answer.

What this provider makes of it:

* a claim Odoo holds (``oidc.SCOPE_CLAIMS``) that is asked for by name is
  released when the user approved its scope: the scopes of the claims asked
  for join the request's own on the consent page, which lists them, and in
  the consent kept (:func:`scopes_of_claims`); a claim whose scope the
  application may not obtain is never released;
* ``essential``, ``value`` and ``values`` are hints: the user's own value is
  released, or nothing when Odoo holds none (§5.5.1: no error), except a
  ``sub`` asked for with a ``value``, which must be the user's
  (:func:`requested_subject`);
* the document is kept with the code and the tokens, so that the id_tokens
  and the userinfo answers of the grant honour it; other claims (``acr``)
  are read from it with :func:`claim_request`.
"""

import json
from collections.abc import Collection, Mapping
from typing import Any

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from .constants import OPENID_SCOPE
from .oidc import SCOPE_CLAIMS

# The parameter, and its members (§5.5) that this provider reads
CLAIMS = "claims"
ID_TOKEN = "id_token"
USERINFO = "userinfo"
MEMBERS = (ID_TOKEN, USERINFO)
# Like the other parameters the code stores, a bound: a claims document that
# names every claim of §5.1 with values is under 2 KiB.
MAX_CLAIMS_LENGTH = 4096
# The scope of each claim Odoo holds; sub is every OpenID request's.
SCOPE_OF_CLAIM = {
    claim: scope
    for scope, claims in SCOPE_CLAIMS.items()
    if scope != OPENID_SCOPE
    for claim in claims
}


def _refuse_constant(constant: str) -> None:
    # Python's json reads NaN and Infinity, which JSON has not
    raise ValueError(constant)


def _claim_request_problem(claim_request: Any) -> str | None:
    """What is wrong with one claim's request (§5.5.1), or None."""
    if claim_request is None:
        return None
    if not isinstance(claim_request, dict):
        return "must be null or a JSON object"
    if not isinstance(claim_request.get("essential", False), bool):
        return "has an essential that is not true or false"
    if not isinstance(claim_request.get("values", []), list):
        return "has values that are not an array"
    return None


def parse_claims(text: str) -> dict[str, Any]:
    """The claims document of the ``claims`` parameter ``text``: a JSON object
    whose ``id_token`` and ``userinfo`` members, when present, are objects
    whose members are each null or an object (§5.5). Raises ValueError saying
    what is wrong otherwise. Other members are kept, unread."""
    if len(text) > MAX_CLAIMS_LENGTH:
        raise ValueError(f"claims may be at most {MAX_CLAIMS_LENGTH} characters long.")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise ValueError("claims is not valid JSON.") from error
    if not isinstance(document, dict):
        raise ValueError("claims must be a JSON object.")
    for member in MEMBERS:
        if member not in document:
            continue
        requests = document[member]
        if not isinstance(requests, dict):
            raise ValueError(f"claims.{member} must be a JSON object.")
        for claim_request in requests.values():
            problem = _claim_request_problem(claim_request)
            if problem:
                # the claim's name is the client's: not repeated in the error
                raise ValueError(f"A claim of claims.{member} {problem}.")
    return document


def check_claims_parameter(request: Request) -> dict:
    """oauthlib's pre-authorization check of ``claims``: parsed into a dict
    on the request (where oauthlib's OpenID grants leave it as it is), or
    ``invalid_request`` at the redirect URI for an OpenID request. A request
    without the ``openid`` scope does not use ``claims`` (OpenID Connect's):
    a malformed one is dropped there, not refused."""
    sent = request.claims
    if isinstance(sent, dict):
        return {}
    if not sent:
        request.claims = None
        return {}
    try:
        if CLAIMS in request.duplicate_params:
            raise ValueError("claims is sent more than once.")
        request.claims = parse_claims(sent)
    except ValueError as error:
        request.claims = None
        if OPENID_SCOPE in (request.scopes or ()):
            raise errors.InvalidRequestError(
                description=str(error), request=request
            ) from error
    return {}


def requested(request: Request) -> dict[str, Any] | None:
    """The claims document that :func:`check_claims_parameter` left on the
    authorization request, or None."""
    # set on the request itself: oauthlib's request otherwise answers with
    # the parameter, the client's text
    claims = vars(request).get(CLAIMS)
    return claims if isinstance(claims, dict) else None


def dumps(document: Mapping[str, Any] | None) -> str | None:
    """A claims document as the code and the tokens store it: its
    ``id_token`` and ``userinfo`` members, as JSON text in ASCII (a NUL stays
    escaped, which PostgreSQL would refuse), or None without any."""
    kept = {
        member: document[member] for member in MEMBERS if member in (document or {})
    }
    return json.dumps(kept, sort_keys=True) if kept else None


def loads(stored: str | None) -> dict[str, Any]:
    """The claims document stored by :func:`dumps`; empty without one."""
    return json.loads(stored) if stored else {}


def claim_request(
    document: Mapping[str, Any] | None, member: str, name: str
) -> dict[str, Any] | None:
    """The request (§5.5.1) for claim ``name`` in ``member`` (``id_token`` or
    ``userinfo``) of ``document``: ``{}`` when asked for with null, its
    object (``essential``, ``value``, ``values``) otherwise, None when not
    asked for."""
    requests = (document or {}).get(member)
    if not isinstance(requests, dict) or name not in requests:
        return None
    return requests[name] or {}


def requested_subject(document: Mapping[str, Any] | None) -> Any:
    """The ``value`` asked for ``sub`` in the id_token (§5.5.1), or None: the
    server must then answer for that user or not at all."""
    sub = claim_request(document, ID_TOKEN, "sub") or {}
    return sub.get("value")


def scopes_of_claims(
    document: Mapping[str, Any] | None, members: Collection[str] = MEMBERS
) -> list[str]:
    """The scopes of the claims Odoo holds that ``document`` asks for by
    name, in ``members``: what the user approves for them."""
    scopes = []
    for member in members:
        requests = (document or {}).get(member)
        for name in requests if isinstance(requests, dict) else ():
            scope = SCOPE_OF_CLAIM.get(name)
            if scope and scope not in scopes:
                scopes.append(scope)
    return scopes


def approved_only(
    document: Mapping[str, Any] | None, approved_scopes: Collection[str]
) -> dict[str, Any]:
    """``document`` without the claims asked for by name whose scope is not
    among ``approved_scopes``, those the user approved for the request: what
    the code and its tokens keep, so that an application later allowed a
    scope gets none of its claims from this consent."""
    kept = {}
    for member in MEMBERS:
        requests = (document or {}).get(member)
        if not isinstance(requests, dict):
            continue
        # a claim of no scope (acr, sub, one Odoo does not hold) is no
        # user data: kept for what reads it
        kept[member] = {
            name: request
            for name, request in requests.items()
            if SCOPE_OF_CLAIM.get(name) in (None, *approved_scopes)
        }
    return kept


def released_claims(
    held: Mapping[str, Any],
    scopes: Collection[str],
    document: Mapping[str, Any] | None,
    member: str,
) -> dict[str, Any]:
    """The claims of ``held`` (the user's, for ``scopes`` and the approved
    scopes of the claims asked for) that the ``member`` answer carries:
    ``sub``, the claims of ``scopes`` (§5.4), and those ``document`` asks
    for by name in ``member``."""
    released = {
        "sub",
        *(claim for scope in scopes for claim in SCOPE_CLAIMS.get(scope, ())),
    }
    asked = (document or {}).get(member)
    if isinstance(asked, dict):
        released.update(asked)
    return {name: value for name, value in held.items() if name in released}
