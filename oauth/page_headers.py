"""The headers of the module's HTML pages and of the redirects that carry
a response."""

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
