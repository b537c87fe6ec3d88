"""Which URIs an application may register (RFC 6749 §3.1.2, RFC 8252).

Each rule answers with the rule a value breaks, or None: one of the refusal
codes below, which the models turn into a message in the user's language."""

import re
from collections.abc import Collection
from urllib.parse import urlsplit

from .cors import origin_of

# RFC 8252 §7.3: plain http only where the answer never leaves the device.
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
# RFC 3986 §3.1; RFC 8252 §7.1 asks native apps for a reverse domain name, so
# a private-use scheme has a dot, which no scripting or local-file scheme
# (javascript:, data:, vbscript:, file:) has.
PRIVATE_USE_SCHEME = re.compile(r"[a-z][a-z0-9+\-]*(\.[a-z0-9+\-]+)+")
WEB_SCHEMES = ("https", "http")

# The refusal codes: which rule a value breaks.
NOT_REDIRECT_URI = "not_redirect_uri"
NOT_POST_LOGOUT_REDIRECT_URI = "not_post_logout_redirect_uri"
NOT_BACKCHANNEL_LOGOUT_URI = "not_backchannel_logout_uri"
NOT_FRONTCHANNEL_LOGOUT_URI = "not_frontchannel_logout_uri"
FRONTCHANNEL_LOGOUT_URI_ELSEWHERE = "frontchannel_logout_uri_elsewhere"
NOT_WEB_ORIGIN = "not_web_origin"
NOT_JWKS_URI = "not_jwks_uri"


def is_registrable(uri: str) -> bool:
    """Whether ``uri`` may be registered as a redirect URI: absolute ``https``,
    ``http`` on a loopback host, or a native app's private-use scheme; never
    with a fragment (§3.1.2), a user name (which can disguise the host), white
    space, control characters or characters outside ASCII, which can make a
    host look like another on the consent page (RFC 3986 §3.2.2 asks for
    punycode or percent-encoding)."""
    if "#" in uri or not (uri.isascii() and uri.isprintable()) or " " in uri:
        return False
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        # reading the port raises ValueError on one out of range
        port = parts.port
    except ValueError:
        return False
    if port == 0:
        return False
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES:
        if not host or "@" in parts.netloc:
            return False
        return scheme == "https" or host in LOOPBACK_HOSTS
    return bool(PRIVATE_USE_SCHEME.fullmatch(scheme) and (parts.netloc or parts.path))


def _loopback_parts(uri: str) -> tuple[str, str, str] | None:
    """``(host, path, query)`` of an ``http`` redirect URI on a loopback
    host, which :func:`is_registrable`, else None: what must match whatever
    its port."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "http" or parts.hostname not in LOOPBACK_HOSTS:
        return None
    return parts.hostname, parts.path, parts.query


def is_registered(uri: str, registered: Collection[str]) -> bool:
    """Whether ``uri`` is one of the ``registered`` redirect URIs: the same
    string, or, for an ``http`` loopback URI, the same but for the port. RFC
    8252 §7.3: a native app binds whatever port is free when it asks, so the
    authorization server allows any port on a loopback redirect URI. The
    host must match: ``localhost`` names the loopback interface through a
    name lookup, not as ``127.0.0.1`` does (§8.3)."""
    if uri in registered:
        return True
    if not is_registrable(uri):
        return False
    loopback = _loopback_parts(uri)
    return loopback is not None and any(
        _loopback_parts(candidate) == loopback
        for candidate in registered
        if is_registrable(candidate)
    )


def _is_web(uri: str) -> bool:
    return urlsplit(uri).scheme.lower() in WEB_SCHEMES


def redirect_uri_refusal(uri: str) -> str | None:
    """``NOT_REDIRECT_URI`` unless ``uri`` :func:`is_registrable`."""
    return None if is_registrable(uri) else NOT_REDIRECT_URI


def post_logout_redirect_uri_refusal(uri: str) -> str | None:
    """``NOT_POST_LOGOUT_REDIRECT_URI`` unless ``uri`` :func:`is_registrable`:
    a logout request redirects before any user is asked, so the rules of
    redirect URIs keep it from being an open redirector or a way to run a
    script."""
    return None if is_registrable(uri) else NOT_POST_LOGOUT_REDIRECT_URI


def backchannel_logout_uri_refusal(uri: str) -> str | None:
    """``NOT_BACKCHANNEL_LOGOUT_URI`` unless ``uri`` is a web URI that
    :func:`is_registrable` (Back-Channel Logout 1.0 §2.2: absolute, without a
    fragment), so that no logout token crosses a network in the clear."""
    if is_registrable(uri) and _is_web(uri):
        return None
    return NOT_BACKCHANNEL_LOGOUT_URI


def frontchannel_logout_uri_refusal(
    uri: str, redirect_uris: Collection[str]
) -> str | None:
    """``NOT_FRONTCHANNEL_LOGOUT_URI`` unless ``uri`` is a web URI that
    :func:`is_registrable`, since the browser loads it in a frame;
    ``FRONTCHANNEL_LOGOUT_URI_ELSEWHERE`` unless its scheme, host and port
    are those of one of the ``redirect_uris`` (Front-Channel Logout 1.0 §2:
    MUST), so that the frame loads nothing but the application's own site."""
    if not (is_registrable(uri) and _is_web(uri)):
        return NOT_FRONTCHANNEL_LOGOUT_URI
    if origin_of(uri) not in {origin_of(redirect) for redirect in redirect_uris}:
        return FRONTCHANNEL_LOGOUT_URI_ELSEWHERE
    return None


def jwks_uri_refusal(uri: str) -> str | None:
    """``NOT_JWKS_URI`` unless ``uri`` is a web URI that :func:`is_registrable`:
    the keys it serves must come over TLS, but from a loopback host."""
    if is_registrable(uri) and _is_web(uri):
        return None
    return NOT_JWKS_URI


def web_origin_refusal(origin: str) -> str | None:
    """``NOT_WEB_ORIGIN`` unless ``origin`` names a web origin an application
    may trust: the scheme, host and port of a web URI that
    :func:`is_registrable`, and nothing else."""
    if is_registrable(origin) and _is_web(origin):
        parts = urlsplit(origin)
        if not (parts.path or parts.query):
            return None
    return NOT_WEB_ORIGIN


def destination(uri: str) -> str:
    """What the consent page names as where the user is sent back: the host
    (and port) of a web redirect URI, or the app's scheme for a native one."""
    parts = urlsplit(uri)
    return parts.netloc if parts.scheme.lower() in WEB_SCHEMES else parts.scheme
