"""OpenID Connect Core 1.0 and Discovery 1.0: the scopes and claims, the
authentication request's own parameters, the id_token's claims and the
provider's metadata. oauthlib runs the grants; what it leaves to the provider
(auth_time, max_age, keys, claims) is here, apart from the ORM."""

import re
import time
from collections.abc import Collection, Mapping
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urlencode

from oauthlib.common import Request, urldecode
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid.connect.core.exceptions import RequestURINotSupported

from . import routes
from .acr import ACR_LEVELS
from .constants import (
    ADDRESS_SCOPE,
    EMAIL_SCOPE,
    OFFLINE_ACCESS_SCOPE,
    OPENID_SCOPE,
    PHONE_SCOPE,
    PROFILE_SCOPE,
)
from .jose import SIGNING_ALGORITHMS
from .request_objects import SIGNING_ALGORITHMS as REQUEST_OBJECT_ALGORITHMS
from .request_objects import UNSIGNED

# §5.4: the claims each scope grants, as far as Odoo holds them. No picture:
# Odoo serves avatars only to signed-in users, so a relying party could not
# show it.
SCOPE_CLAIMS = {
    OPENID_SCOPE: ("sub",),
    PROFILE_SCOPE: ("name", "preferred_username", "zoneinfo", "locale", "updated_at"),
    EMAIL_SCOPE: ("email", "email_verified"),
    PHONE_SCOPE: ("phone_number",),
    ADDRESS_SCOPE: ("address",),
}
# The id_token's own claims (§2), which Discovery lists with the scopes' ones.
ID_TOKEN_CLAIMS = (
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "c_hash",
    "sid",
    "acr",
    "amr",
)
# Where the browser session keeps the time its user last logged in: set by
# every login (res.users._update_last_login).
SESSION_AUTH_TIME = "oauth2_auth_time"
# And how (RFC 8176 amr values): set by the same login, completed by Odoo's
# two-factor step or this provider's (acr.py).
SESSION_AMR = "oauth2_amr"
# Where it keeps the re-authentication that this provider asked for, so that
# the authorization request it came from goes on afterwards instead of asking
# again (prompt=login and max_age=0 would otherwise loop).
SESSION_REAUTHENTICATION = "oauth2_reauthentication"

# prompt values (§3.1.2.1)
PROMPT_NONE = "none"
PROMPT_LOGIN = "login"
PROMPT_CONSENT = "consent"
PROMPT_SELECT_ACCOUNT = "select_account"
PROMPTS = frozenset({PROMPT_NONE, PROMPT_LOGIN, PROMPT_CONSENT, PROMPT_SELECT_ACCOUNT})
# max_age in seconds: up to 10 digits (three centuries), ASCII digits only
MAX_AGE = re.compile(r"[0-9]{1,10}")
# A nonce only needs to be unguessable (Core §15.5.2); the code stores it.
MAX_NONCE_LENGTH = 512


def bcp47(odoo_lang: str | Literal[False] | None) -> str | None:
    """The BCP 47 tag of an Odoo language code: en_US -> en-US, sr@latin ->
    sr-Latn."""
    if not odoo_lang:
        return None
    lang, _sep, script = odoo_lang.partition("@")
    tag = lang.replace("_", "-")
    if script == "latin":
        language, _dash, region = tag.partition("-")
        tag = "-".join(part for part in (language, "Latn", region) if part)
    return tag


def odoo_lang(ui_locales: str | None, installed: Collection[str]) -> str | None:
    """The first of the space-separated BCP 47 ``ui_locales`` that one of the
    ``installed`` Odoo language codes serves, by full tag then by language."""
    by_tag = {bcp47(code).lower(): code for code in installed}
    by_language = {}
    for code in installed:
        by_language.setdefault(code.split("_")[0].split("@")[0].lower(), code)
    for locale in (ui_locales or "").split():
        locale = locale.lower()
        code = by_tag.get(locale) or by_language.get(locale.split("-")[0])
        if code:
            return code
    return None


def address_claim(
    formatted: str | None, **parts: str | Literal[False] | None
) -> dict[str, str]:
    """§5.1.1's address object; parts without a value are left out."""
    names = {
        "street": "street_address",
        "city": "locality",
        "region": "region",
        "postal_code": "postal_code",
        "country": "country",
    }
    address = {"formatted": (formatted or "").strip() or None}
    street = "\n".join(
        line for line in (parts.pop("street"), parts.pop("street2")) if line
    )
    parts["street"] = street
    address.update((names[name], value or None) for name, value in parts.items())
    return {name: value for name, value in address.items() if value}


def as_datetime(seconds: float | None) -> datetime | Literal[False]:
    """A moment in seconds since the epoch as the ORM stores it (naive UTC);
    False for None."""
    if seconds is None:
        return False
    return datetime.fromtimestamp(int(seconds), timezone.utc).replace(tzinfo=None)


def as_seconds(moment: datetime | Literal[False]) -> int | None:
    """An ORM datetime (naive UTC) in seconds since the epoch; None for
    False."""
    return int(moment.replace(tzinfo=timezone.utc).timestamp()) if moment else None


def prompts(request: Request) -> set[str]:
    """The prompt values of an oauthlib request, as a set."""
    return set((request.prompt or "").split())


def without_prompt(
    parameters: list[tuple[str, str]], value: str
) -> list[tuple[str, str]]:
    """The request's ``parameters`` with ``value`` taken out of its prompt;
    the prompt left out when nothing is left of it."""
    answered = []
    for name, given in parameters:
        if name == "prompt":
            given = " ".join(v for v in given.split() if v != value)
            if not given:
                continue
        answered.append((name, given))
    return answered


def max_age(request: Request) -> int | None:
    """The request's max_age in seconds, or None; oauthlib does not read it.
    A malformed value counts as none here: :func:`parameter_problem` refuses
    it."""
    value = str(request.max_age or "")
    return int(value) if MAX_AGE.fullmatch(value) else None


def parameter_problem(request: Request) -> str | None:
    """What is wrong with the OpenID Connect parameters of an authorization
    request, or None."""
    if prompts(request) - PROMPTS:
        return (
            "prompt holds a value other than none, login, consent and select_account."
        )
    if request.max_age not in (None, "") and max_age(request) is None:
        return "max_age must be a number of seconds."
    if len(request.nonce or "") > MAX_NONCE_LENGTH:
        return f"nonce may be at most {MAX_NONCE_LENGTH} characters long."
    if "\x00" in (request.nonce or ""):
        # the code stores the nonce, and PostgreSQL stores no NUL
        return "nonce holds a NUL character."
    return None


class RedirectURIRequired(errors.MissingRedirectURIError):
    """An OpenID Connect request that names no redirect_uri: refused on a page
    of the server, never sent to the client's registered URI."""

    description = "An OpenID Connect request must name its redirect_uri."


def check_redirect_uri_named(request: Request) -> dict:
    """§3.1.2.1: ``redirect_uri`` is REQUIRED in an authentication request,
    even from a client that registered a single one, which a plain OAuth2
    request may leave out (RFC 6749 §3.1.2.3)."""
    if OPENID_SCOPE in (request.scopes or ()) and request.using_default_redirect_uri:
        raise RedirectURIRequired(request=request)
    return {}


def check_offline_access(request: Request) -> dict:
    """§11: ``offline_access`` counts only in a request that says
    ``prompt=consent``, so that the user is asked, and whose response type
    returns a code, since the refresh token comes from the token endpoint;
    otherwise it is ignored, as node-oidc-provider does: the request goes on
    as if it had not asked for it (the application's default scopes, if it
    asked for nothing else). Run before the scopes are checked, so that
    ``prompt=none`` is not refused for consent to a scope left out."""
    scopes = request.scopes or []
    if OFFLINE_ACCESS_SCOPE not in scopes:
        return {}
    returns_code = "code" in (request.response_type or "").split()
    if not (returns_code and PROMPT_CONSENT in prompts(request)):
        kept = [scope for scope in scopes if scope != OFFLINE_ACCESS_SCOPE]
        request.scopes = kept
        # oauthlib falls back on the scope parameter, then on the defaults
        request.scope = " ".join(kept) or None
    return {}


def check_authentication_request(request: Request) -> dict[str, Any]:
    """oauthlib's post-authorization check of what it leaves unchecked: an
    id_token only for the openid scope, and well-formed prompt and max_age."""
    scopes = request.scopes or []
    id_token = "id_token" in (request.response_type or "").split()
    if id_token and OPENID_SCOPE not in scopes:
        raise errors.InvalidScopeError(
            description="An id_token is issued only for the openid scope.",
            request=request,
        )
    problem = OPENID_SCOPE in scopes and parameter_problem(request)
    if problem:
        raise errors.InvalidRequestError(description=problem, request=request)
    # §6: request objects by reference are not served, and must not be
    # silently ignored; the authorization endpoint unpacked any by value
    sent = dict(urldecode(request.uri_query))
    if "request_uri" in sent:
        raise RequestURINotSupported(request=request)
    return {}


def authenticated_too_long_ago(
    request: Request, auth_time: float | None, now: float | None = None
) -> bool:
    """Whether the user's last login, at ``auth_time`` (seconds), is older
    than the request's max_age allows."""
    limit = max_age(request)
    if limit is None:
        return False
    return auth_time is None or (now or time.time()) - auth_time > limit


def id_token_claims(
    partial: Mapping[str, Any],
    issuer: str,
    lifetime: int,
    auth_time: float | None,
    user_claims: Mapping[str, Any],
    sid: str | None = None,
    acr: str | None = None,
    amr: Collection[str] = (),
) -> dict[str, Any]:
    """The claims of an id_token: oauthlib's ``partial`` (aud, iat, nonce,
    at_hash, c_hash: SHA-256, the hash of both our algorithms) completed with the
    user's claims, ``sub`` among them, and the provider's: ``acr`` and
    ``amr`` say how the user logged in (acr.py)."""
    claims = dict(user_claims, **partial)
    claims.update(iss=issuer, exp=partial["iat"] + lifetime)
    if auth_time is not None:
        claims["auth_time"] = int(auth_time)
    if sid:
        claims["sid"] = sid
    claims.update(login_claims(acr, amr))
    return claims


def login_claims(acr: str | None, amr: Collection[str]) -> dict[str, Any]:
    """``acr`` and ``amr`` (§2) of a token whose user logged in so, each
    left out when unknown."""
    claims = {}
    if acr:
        claims["acr"] = acr
    if amr:
        claims["amr"] = list(amr)
    return claims


def login_url(return_to: str, login_hint: str | None = None) -> str:
    """Odoo's login page, coming back to ``return_to``; the login field holds
    ``login_hint`` (§3.1.2.1) if given."""
    params = {"redirect": return_to}
    if login_hint:
        params["login"] = login_hint
    return "/web/login?" + urlencode(params)


def provider_metadata(issuer: str) -> dict[str, Any]:
    """What OpenID Connect Discovery 1.0 §3 adds to RFC 8414's metadata."""
    return {
        "jwks_uri": issuer + routes.JWKS,
        "end_session_endpoint": issuer + routes.END_SESSION,
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "claims_supported": sorted(
            {*ID_TOKEN_CLAIMS, *(claim for c in SCOPE_CLAIMS.values() for claim in c)}
        ),
        "acr_values_supported": list(ACR_LEVELS),
        "claims_parameter_supported": True,
        # RFC 9101 by value; by reference (request_uri) waits for pushed
        # authorization requests
        "request_parameter_supported": True,
        "request_uri_parameter_supported": False,
        "request_object_signing_alg_values_supported": [
            *REQUEST_OBJECT_ALGORITHMS,
            UNSIGNED,
        ],
        "prompt_values_supported": sorted(PROMPTS),
        # Back-Channel Logout 1.0 §2.1: logout tokens, which carry the sid
        # that id_tokens of a browser session carry too
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        # Front-Channel Logout 1.0 §3: frames loaded as a session ends, with
        # iss and sid in their query for the applications that ask for them
        "frontchannel_logout_supported": True,
        "frontchannel_logout_session_supported": True,
    }
