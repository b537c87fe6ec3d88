"""How an authorization response reaches the client: in the query, in the
fragment (OAuth 2.0 Multiple Response Type Encoding Practices §2.1), or
posted by the browser (OAuth 2.0 Form Post Response Mode)."""

import base64
import hashlib
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from .page_headers import NO_FRAMING, NOT_KEPT, csp_source

CODE = "code"
# the response type that issues an access token from the authorization endpoint
TOKEN = "token"
# The response types that return tokens in the redirect: the implicit grant
# and OpenID Connect's implicit flow (Core §3.2), then OpenID Connect's hybrid
# flow (Core §3.3), which returns a code beside them.
IMPLICIT_RESPONSE_TYPES = ("token", "id_token", "id_token token")
HYBRID_RESPONSE_TYPES = ("code id_token", "code token", "code id_token token")
# The response types served, the code grant's first.
RESPONSE_TYPES = (CODE, *IMPLICIT_RESPONSE_TYPES, *HYBRID_RESPONSE_TYPES)
QUERY = "query"
FRAGMENT = "fragment"
FORM_POST = "form_post"
RESPONSE_MODES = (QUERY, FRAGMENT, FORM_POST)

# The form post's one script, allowed by its hash: the page runs nothing else.
SUBMIT_SCRIPT = "document.forms[0].submit();"
SUBMIT_SCRIPT_HASH = base64.b64encode(
    hashlib.sha256(SUBMIT_SCRIPT.encode()).digest()
).decode()


def response_mode(request: Request | errors.OAuth2Error) -> str:
    """The mode of the request's response: the one it asks for, else the
    default of its response type (§2.1): fragment for those that return a
    token, else query (a code, or the error of a response type not served)."""
    if request.response_mode in RESPONSE_MODES:
        return request.response_mode
    returns_token = request.response_type in RESPONSE_TYPES[1:]
    return FRAGMENT if returns_token else QUERY


def check_response_mode(request: Request) -> dict[str, Any]:
    """oauthlib's post-authorization check: a known response mode, and never
    a token in the query (Multiple Response Type Encoding Practices §5),
    where it would stay in logs and history."""
    mode = request.response_mode
    if mode is None:
        return {}
    if mode not in RESPONSE_MODES:
        raise errors.InvalidRequestError(
            description="response_mode must be query, fragment or form_post.",
            request=request,
        )
    if mode == QUERY and request.response_type != CODE:
        raise errors.InvalidRequestError(
            description="A token cannot be returned in the query: use "
            "response_mode=fragment or form_post.",
            request=request,
        )
    return {}


def split_location(
    location: str, redirect_uri: str
) -> tuple[str, list[tuple[str, str]]]:
    """``(redirect_uri, params)`` of a redirect that carries the response in
    its query or fragment: the parameters the response added."""
    parts = urlsplit(location)
    if parts.fragment:
        params = parse_qsl(parts.fragment, keep_blank_values=True)
    else:
        # the response's parameters follow those of the registered URI
        own = len(parse_qsl(urlsplit(redirect_uri).query, keep_blank_values=True))
        params = parse_qsl(parts.query, keep_blank_values=True)[own:]
    return redirect_uri, params


def form_post_page(location: str, redirect_uri: str) -> tuple[dict[str, str], str]:
    """``(headers, body)`` of the page that posts the response to the
    client (Form Post Response Mode §2): it runs one script, allowed by its
    hash, and posts nowhere but to the redirect URI; without scripts its
    button does the same."""
    action, params = split_location(location, redirect_uri)
    fields = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}"/>'
        for name, value in params
    )
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"/>'
        "<title>Submit this form</title></head><body>"
        f'<form method="post" action="{escape(action)}">{fields}'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        f"<script>{SUBMIT_SCRIPT}</script></body></html>"
    )
    target = csp_source(action)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        # its own policy, which forbids framing as NO_FRAMING's does
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'sha256-{SUBMIT_SCRIPT_HASH}'; "
            f"form-action {target}; frame-ancestors 'none'"
        ),
        "X-Frame-Options": NO_FRAMING["X-Frame-Options"],
        **NOT_KEPT,
    }
    return headers, body
