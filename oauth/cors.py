"""Cross-origin requests of browser applications: the CORS protocol of the
Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol).

No answer allows credentials: clients authenticate with their client_id,
secret or bearer token, never with Odoo's session cookie.
"""

from urllib.parse import urlsplit

from .metadata import issuer

# Seconds a browser may reuse a preflight's answer.
PREFLIGHT_MAX_AGE = 600
ALLOWED_REQUEST_HEADERS = "Authorization, Content-Type"
# What a script may read of an answer beyond the CORS-safelisted headers: the
# bearer challenge of a refused token, and when to retry.
EXPOSED_HEADERS = "WWW-Authenticate, Retry-After"
ANY_ORIGIN = "*"
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url):
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


def _own_origins(env, request_url):
    """The origins of this server's own pages: that of the URL a request came
    to, and those it is known by behind a proxy that does not pass the host
    on (the Issuer URL, ``web.base.url``)."""
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url")
    return {origin_of(url) for url in (request_url, issuer(env), base_url or "")}


def cross_origin(env, headers, request_url):
    """The Origin of a request to ``request_url`` sent by a page of another
    origin than this server's; None for a same-origin request or one not sent
    by a browser."""
    origin = headers.get("Origin")
    if not origin or origin in _own_origins(env, request_url):
        return None
    return origin


def response_headers(allowed_origin):
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


def preflight_headers(allowed_origin, methods):
    """The headers of a preflight's answer that allow ``methods``."""
    return dict(
        response_headers(allowed_origin),
        **{
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        },
    )


def any_origin(_origin):
    """The CORS policy of public documents: readable from every page."""
    return ANY_ORIGIN


def answer_headers(env, httprequest, policy):
    """The CORS headers of the answer to ``httprequest``: none unless a page
    of another origin sent it and ``policy(origin)`` allows it (returns the
    Access-Control-Allow-Origin value, or None)."""
    origin = cross_origin(env, httprequest.headers, httprequest.base_url)
    allowed = origin and policy(origin)
    return response_headers(allowed) if allowed else {}


def options_answer(env, httprequest, methods, policy):
    """``(headers, body, status)`` of an OPTIONS request (RFC 9110 §9.3.7):
    the methods served and, to a preflight from an origin ``policy`` allows,
    the CORS permissions. Answered without authentication: a browser sends
    none with a preflight."""
    headers = httprequest.headers
    answer = {"Allow": ", ".join((*methods, "OPTIONS"))}
    origin = cross_origin(env, headers, httprequest.base_url)
    allowed = origin and "Access-Control-Request-Method" in headers and policy(origin)
    if allowed:
        answer.update(preflight_headers(allowed, methods))
    return answer, "", 204
