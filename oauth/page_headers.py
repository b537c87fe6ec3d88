"""The headers of the module's HTML pages and of the redirects that carry
a response."""

from urllib.parse import urlsplit

# No page of this server may be framed by another site, where a click on one
# of its buttons could be taken (RFC 6749 §10.13).
NO_FRAMING = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
# The pages and redirects that carry a code, a token or an id_token_hint:
# neither kept in a cache nor named to the next site in a Referer (RFC 9700
# §4.2.4).
NOT_KEPT = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def csp_source(uri: str) -> str:
    """The Content-Security-Policy source that allows ``uri``: its scheme,
    host and port. A CSP source names a host, never an IPv6 literal, and a
    native app's private-use scheme has no host: the scheme is then the
    source."""
    parts = urlsplit(uri)
    if parts.scheme in ("https", "http") and "[" not in parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"
