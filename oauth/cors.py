"""Cross-origin requests of browser applications: the CORS protocol of the
Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol).

No answer allows credentials: clients authenticate with their client_id,
secret or bearer token, never with Odoo's session cookie.
"""

from collections.abc import Callable, Collection, Mapping
from urllib.parse import urlsplit

# Seconds a browser may reuse a preflight's answer.
PREFLIGHT_MAX_AGE = 600
ALLOWED_REQUEST_HEADERS = "Authorization, Content-Type, DPoP"
# What a script may read of an answer beyond the CORS-safelisted headers: the
# bearer challenge of a refused token, and when to retry; the DPoP nonce for
# a page's next proof (RFC 9449 §8).
EXPOSED_HEADERS = "WWW-Authenticate, Retry-After, DPoP-Nonce"
ANY_ORIGIN = "*"
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The web origin (scheme, host, port) of an http(s) ``url`` as a browser
    serializes it in an Origin header; None for other URLs, such as a native
    app's private-use scheme, which has no web origin."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def cross_origin(
    headers: Mapping[str, str], own_origins: Collection[str | None]
) -> str | None:
    """The Origin of a request sent by a page of another origin than this
    server's ``own_origins``; None for a same-origin request or one not sent
    by a browser."""
    origin = headers.get("Origin")
    if not origin or origin in own_origins:
        return None
    return origin


# A CORS policy: the Access-Control-Allow-Origin value for a page of an
# origin, or None when the origin may not read the answer.
Policy = Callable[[str], str | None]


def response_headers(allowed_origin: str) -> dict[str, str]:
    """The headers that let a page of ``allowed_origin`` (or of any origin,
    ``ANY_ORIGIN``) read an answer."""
    headers = {
        "Access-Control-Allow-Origin": allowed_origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    }
    if allowed_origin != ANY_ORIGIN:
        # caches must not hand one origin's answer to another
        headers["Vary"] = "Origin"
    return headers


def preflight_headers(allowed_origin: str, methods: Collection[str]) -> dict[str, str]:
    """The headers of a preflight's answer that allow ``methods``."""
    return dict(
        response_headers(allowed_origin),
        **{
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        },
    )


def any_origin(_origin: str) -> str:
    """The CORS policy of public documents: readable from every page."""
    return ANY_ORIGIN


def answer_headers(origin: str | None, policy: Policy) -> dict[str, str]:
    """The CORS headers of the answer to a request a page of ``origin``
    sent (:func:`cross_origin`; None for none of another origin): none unless
    ``policy(origin)`` allows it."""
    allowed = origin and policy(origin)
    return response_headers(allowed) if allowed else {}


def options_answer(
    headers: Mapping[str, str],
    origin: str | None,
    methods: Collection[str],
    policy: Policy,
) -> tuple[dict[str, str], str, int]:
    """``(headers, body, status)`` of an OPTIONS request with ``headers``,
    sent by a page of ``origin`` (:func:`cross_origin`) (RFC 9110 §9.3.7):
    the methods served and, to a preflight from an origin ``policy`` allows,
    the CORS permissions. Answered without authentication: a browser sends
    none with a preflight."""
    answer = {"Allow": ", ".join((*methods, "OPTIONS"))}
    allowed = origin and "Access-Control-Request-Method" in headers and policy(origin)
    if allowed:
        answer.update(preflight_headers(allowed, methods))
    return answer, "", 204
