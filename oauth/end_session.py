"""OpenID Connect RP-Initiated Logout 1.0: the logout request's parameters,
the client its id_token_hint names, and where the user goes afterwards; apart
from the ORM, which verifies the hint and knows the applications."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from typing import Any

from oauthlib.common import add_params_to_uri

# The buttons of the confirmation page (§3: the OP SHOULD ask the user whether
# to log out of the OP as well).
LOG_OUT = "log_out"
STAY = "stay"
DECISIONS = frozenset({LOG_OUT, STAY})


class InvalidLogoutRequest(Exception):
    """A logout request that must not redirect anywhere (§4): the user sees
    why on an error page of this server."""


class MalformedLogoutRequest(InvalidLogoutRequest):
    """A parameter is given twice, or holds a NUL character."""


class InvalidIdTokenHint(InvalidLogoutRequest):
    """The id_token_hint is no id_token this server signed (§2: the OP MUST
    validate that it was the issuer)."""


class ClientMismatch(InvalidLogoutRequest):
    """client_id names another client than the id_token_hint's audience (§2)."""


class UnidentifiedClient(InvalidLogoutRequest):
    """No client is named where one is needed: for a post_logout_redirect_uri,
    which only a client's registration can allow, or among the several
    audiences of an id_token_hint."""


class UnknownClient(InvalidLogoutRequest):
    """The client named is unknown or disabled."""


class UnregisteredPostLogoutRedirectUri(InvalidLogoutRequest):
    """The post_logout_redirect_uri is not one the client registered (§3: the
    OP MUST NOT redirect to it)."""


class UnconfirmedLogout(InvalidLogoutRequest):
    """The confirmation form came without this session's CSRF token, or with
    a decision it does not offer: another site may have posted it."""


@dataclass(frozen=True)
class LogoutRequest:
    """The parameters of §2, each None when absent or blank."""

    id_token_hint: str | None = None
    client_id: str | None = None
    post_logout_redirect_uri: str | None = None
    state: str | None = None
    ui_locales: str | None = None

    @classmethod
    def from_values(cls, values):
        """The request of ``values``, a werkzeug MultiDict of the query and
        the form (§2 allows GET and POST). A repeated parameter is refused:
        which of its values the checks read and which the redirect uses must
        never differ."""
        parameters = {}
        for field in fields(cls):
            given = values.getlist(field.name)
            if len(given) > 1:
                raise MalformedLogoutRequest(field.name)
            value = given[0].strip() if given else ""
            if "\x00" in value:
                raise MalformedLogoutRequest(field.name)
            parameters[field.name] = value or None
        return cls(**parameters)

    def as_form(self):
        """The parameters given, for the confirmation form to post again."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) is not None
        }


@dataclass(frozen=True)
class EndSession:
    """A checked logout request: the client's ``application`` (a record,
    empty when none is named), the ``subject`` its id_token_hint names (None
    without one), and the ``location`` to send the user to afterwards (None:
    this server's logged-out page)."""

    application: object
    subject: str | None
    location: str | None

    def names(self, user_subject):
        """Whether the id_token_hint names the user whose ``sub`` for the
        application is ``user_subject``: then the request is theirs."""
        return self.subject is not None and self.subject == user_subject


def audiences(claims: Mapping[str, Any]) -> list[str]:
    """The ``aud`` of verified id_token claims as a list: OpenID Connect Core
    §2 allows a string or an array of strings."""
    audience = claims.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list):
        return [name for name in audience if isinstance(name, str)]
    return []


def hinted_client_id(claims: Mapping[str, Any], client_id: str | None = None) -> str:
    """The client_id of the client the id_token_hint of ``claims`` was issued
    to: ``client_id`` when given, which must be among its audiences; else its
    only audience, or among several the authorized party (Core §2, ``azp``)."""
    named = audiences(claims)
    if client_id is not None:
        if client_id not in named:
            raise ClientMismatch(client_id)
        return client_id
    if len(named) == 1:
        return named[0]
    authorized_party = claims.get("azp")
    if authorized_party in named:
        return authorized_party
    raise UnidentifiedClient()


def checked_post_logout_redirect_uri(uri: str, registered: Collection[str]) -> str:
    """``uri`` if it is exactly one of the ``registered`` post-logout
    redirect URIs (§3, as RFC 6749 §3.1.2.3 compares redirect URIs: no
    normalization that could let another address through)."""
    if uri not in registered:
        raise UnregisteredPostLogoutRedirectUri(uri)
    return uri


def post_logout_location(uri: str, state: str | None = None) -> str:
    """Where the user goes after logging out: ``uri`` with ``state`` in its
    query (§3), which keeps the query the client registered."""
    return add_params_to_uri(uri, [("state", state)]) if state else uri
