"""Sign-in strength: how the user logged in (``amr``, RFC 8176) and the
authentication context class it meets (``acr``, OpenID Connect Core §2),
the levels a request asks for (§3.1.2.1 ``acr_values``, §5.5.1.1 the ``acr``
claim) and the answer when none can be met; apart from the ORM."""

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from oauthlib.oauth2.rfc6749 import errors

# The levels this provider tells apart, weakest first: any login Odoo accepts
# (a password meets it), and a login with a second factor (Odoo's two-factor
# step, or a passkey, which is one by itself).
ACR_PASSWORD = "urn:orestapi:acr:password"
ACR_MFA = "urn:orestapi:acr:mfa"
ACR_LEVELS = (ACR_PASSWORD, ACR_MFA)

# RFC 8176 §2 values
AMR_PASSWORD = "pwd"
AMR_ONE_TIME_PASSWORD = "otp"
AMR_MULTIPLE_FACTORS = "mfa"
# A passkey proves possession of a key (pop: RFC 8176 says nothing of where
# the key is kept, and passkeys may be synced, so not hwk), after a user
# verification that Odoo requires (user): two factors.
AMR_PROOF_OF_POSSESSION = "pop"
AMR_USER_PRESENCE = "user"
# What Odoo's auth_info calls each way to log in (res.users._check_credentials)
ODOO_AUTH_METHOD_AMR = {
    "password": (AMR_PASSWORD,),
    # auth_ldap: the password checked against the directory
    "ldap": (AMR_PASSWORD,),
    "passkey": (AMR_PROOF_OF_POSSESSION, AMR_USER_PRESENCE, AMR_MULTIPLE_FACTORS),
}


# RFC 9470 §3: the error of a resource that needs a stronger login
INSUFFICIENT_USER_AUTHENTICATION = "insufficient_user_authentication"


class UnmetAuthenticationRequirements(errors.OAuth2Error):
    """OpenID Connect Core 1.0 errata set 2, §3.1.2.6: the authentication
    required (an essential acr, the application's minimum) cannot be met."""

    error = "unmet_authentication_requirements"


def login_amr(odoo_auth_method: str | None) -> list[str]:
    """The amr of a login by Odoo's ``auth_method``; empty for a way this
    module does not know (another module's), which is named by no value."""
    return list(ODOO_AUTH_METHOD_AMR.get(odoo_auth_method or "", ()))


def with_second_factor(amr: Iterable[str]) -> list[str]:
    """``amr`` once a one-time code was verified too."""
    amr = list(amr)
    for value in (AMR_ONE_TIME_PASSWORD, AMR_MULTIPLE_FACTORS):
        if value not in amr:
            amr.append(value)
    return amr


def session_acr(amr: Iterable[str]) -> str:
    """The strongest level a login of ``amr`` meets; a login that recorded
    nothing (a session older than this module) meets the weakest."""
    return ACR_MFA if AMR_MULTIPLE_FACTORS in amr else ACR_PASSWORD


def _rank(acr: str) -> int:
    return ACR_LEVELS.index(acr)


def meets(met: str, required: str | None) -> bool:
    """Whether a login meeting ``met`` meets ``required`` (None: anything)."""
    return required is None or _rank(met) >= _rank(required)


def token_meets(token_acr: str | None, required: str) -> bool:
    """Whether a token whose login met ``token_acr`` (None: no user logged
    in, or before this was recorded) meets the ``required`` level."""
    return (
        token_acr in ACR_LEVELS
        and required in ACR_LEVELS
        and meets(token_acr, required)
    )


def _known(values: Iterable[Any]) -> list[str]:
    return [value for value in values if value in ACR_LEVELS]


def acr_claim_request(claims: Any) -> tuple[list[str], bool] | None:
    """The ``acr`` member of the ``id_token`` member of a ``claims`` parameter
    (§5.5, already parsed as JSON), as ``(values, essential)``: its ``value``
    or ``values``, in order of preference; None when it asks nothing of acr.
    Members of the wrong type count as not given."""
    if not isinstance(claims, Mapping):
        return None
    id_token = claims.get("id_token")
    if not isinstance(id_token, Mapping) or "acr" not in id_token:
        return None
    acr = id_token["acr"]
    if not isinstance(acr, Mapping):
        # "acr": null asks for the claim, with no value (§5.5.1)
        return [], False
    values = acr.get("values")
    if isinstance(acr.get("value"), str):
        values = [acr["value"]]
    elif not isinstance(values, list):
        values = []
    values = [value for value in values if isinstance(value, str)]
    return values, acr.get("essential") is True


class AcrRequest(NamedTuple):
    """What an authorization request asks of the login's level: ``required``,
    the weakest level that must be met (None: none; ``unmeetable``: only
    values this provider does not know), and ``wanted``, the level preferred
    where it can be met (voluntary, §5.5.1.1); ``acceptable``, the values
    the acr claim must be one of."""

    required: str | None
    unmeetable: bool
    wanted: str | None
    acceptable: tuple[str, ...]


def acr_request(
    acr_values: str | None,
    claims: Any,
    default_acr_values: Iterable[str] = (),
    minimum_acr: str | None = None,
) -> AcrRequest:
    """The levels a request asks for: an essential ``acr`` claim of the
    ``claims`` parameter and the application's ``minimum_acr`` must be met;
    ``acr_values`` (space-separated, in order of preference), else a
    voluntary acr claim's values, else the application's
    ``default_acr_values``, are wanted."""
    claim = acr_claim_request(claims)
    required = minimum_acr if minimum_acr in ACR_LEVELS else None
    unmeetable = False
    acceptable = ()
    voluntary = []
    if claim and claim[1] and claim[0]:
        known = _known(claim[0])
        if known:
            # any one of them will do: the weakest is what must be met
            weakest = min(known, key=_rank)
            if required is None or _rank(weakest) > _rank(required):
                required = weakest
            acceptable = tuple(known)
        else:
            unmeetable = True
    elif claim:
        voluntary = claim[0]
    if isinstance(acr_values, str) and acr_values.split():
        voluntary = acr_values.split()
    wanted = next(iter(_known(voluntary or default_acr_values)), None)
    return AcrRequest(required, unmeetable, wanted, acceptable)


def level_to_reach(request: AcrRequest) -> str | None:
    """The level a login should meet for ``request``: the wanted one when
    stronger than the required one."""
    levels = [level for level in (request.required, request.wanted) if level]
    return max(levels, key=_rank) if levels else None


def acr_claim(request: AcrRequest, met: str) -> str:
    """The acr claim of a login meeting ``met``: the strongest of the
    essential values it meets (§5.5.1.1: one of them), else ``met``."""
    among = [value for value in request.acceptable if meets(met, value)]
    return max(among, key=_rank) if among else met
