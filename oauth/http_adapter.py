"""From a werkzeug request to the ``(uri, body, headers)`` oauthlib takes."""

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

# RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6: the parameters of a token request are
# form-encoded; werkzeug also parses a multipart form into the same fields.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_request_parts(
    httprequest: "Request", grant_type_names: Mapping[str, str] | None = None
) -> tuple[str, str, dict[str, str]]:
    """``(uri, body, headers)`` of a token request.

    Parameters sent in the query string are moved into the body, because
    older clients send them there and oauthlib refuses them in a POST URL. A
    parameter given in both places stays twice, so oauthlib reports it as
    duplicated instead of one copy silently winning. ``grant_type_names``
    maps other names of grant types to theirs.
    """
    params = list(httprequest.args.items(multi=True))
    params += list(httprequest.form.items(multi=True))
    if grant_type_names:
        params = [
            (
                name,
                grant_type_names.get(value, value) if name == "grant_type" else value,
            )
            for name, value in params
        ]
    return httprequest.base_url, urlencode(params), dict(httprequest.headers)


def posted(httprequest: "Request", name: str) -> str | None:
    """The value of the field ``name`` in the body of a POST, else None: the
    decisions of the module's pages and their CSRF tokens are read there
    alone, since a link can put anything in a query."""
    if httprequest.method != "POST":
        return None
    return httprequest.form.get(name)


def token_request_problem(httprequest: "Request") -> str | None:
    """What makes a token request malformed before any parameter is read
    (RFC 6749 §5.2 invalid_request), or None."""
    if httprequest.content_length and httprequest.mimetype not in FORM_TYPES:
        return (
            "Token requests are form-encoded: send the parameters as "
            "application/x-www-form-urlencoded, not as "
            f"{httprequest.mimetype or 'an untyped body'}."
        )
    if "grant_type" not in httprequest.form and "grant_type" not in httprequest.args:
        return "The request has no grant_type parameter."
    return None


def earns_basic_challenge(httprequest: "Request") -> bool:
    """Whether a failed client authentication is answered with a Basic
    challenge (RFC 6749 §5.2): for a client that sent a Basic Authorization
    header, or no credentials at all; not for one that sent them in the
    body, which would read the challenge as "use Basic instead"."""
    scheme = httprequest.headers.get("Authorization", "").partition(" ")[0]
    if scheme.lower() == "basic":
        return True
    return not any(
        name in params
        for name in ("client_id", "client_secret", "client_assertion")
        for params in (httprequest.args, httprequest.form)
    )


def canonical_uri(httprequest: "Request") -> str:
    """The request URL with its query encoded again from the parsed parameters.

    oauthlib raises a bare ValueError on characters a client may well send
    unencoded; re-encoding keeps every parameter and gives it a valid URI.
    """
    query = urlencode(list(httprequest.args.items(multi=True)))
    return f"{httprequest.base_url}?{query}" if query else httprequest.base_url


def form_request_parts(httprequest: "Request") -> tuple[str, str, dict[str, str]]:
    """``(uri, body, headers)`` as sent: oauthlib refuses parameters in the URL
    of the introspection and revocation endpoints, as RFC 7009 and RFC 7662
    ask."""
    body = urlencode(list(httprequest.form.items(multi=True)))
    return canonical_uri(httprequest), body, dict(httprequest.headers)


def has_nul(*values: str) -> bool:
    """Whether one of ``values`` holds a NUL character, which PostgreSQL cannot
    store: no client_id, username or scope has one, so the request is
    malformed and the database must not be asked about it."""
    return any("\x00" in value for value in values)


def has_nul_character(httprequest: "Request") -> bool:
    """Whether a parameter or the Authorization header holds a NUL character."""
    values = [httprequest.headers.get("Authorization", "")]
    for params in (httprequest.args, httprequest.form):
        for name, value in params.items(multi=True):
            values += [name, value]
    return has_nul(*values)
