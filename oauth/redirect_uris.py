"""Which redirect URIs an application may register (RFC 6749 §3.1.2, RFC 8252)."""

import re
from urllib.parse import urlsplit

# RFC 8252 §7.3: plain http only where the answer never leaves the device.
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
# RFC 3986 §3.1; RFC 8252 §7.1 asks native apps for a reverse domain name, so
# a private-use scheme has a dot, which no scripting or local-file scheme
# (javascript:, data:, vbscript:, file:) has.
PRIVATE_USE_SCHEME = re.compile(r"[a-z][a-z0-9+\-]*(\.[a-z0-9+\-]+)+")


def is_registrable(uri):
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
    if scheme in ("https", "http"):
        if not host or "@" in parts.netloc:
            return False
        return scheme == "https" or host in LOOPBACK_HOSTS
    return bool(PRIVATE_USE_SCHEME.fullmatch(scheme) and (parts.netloc or parts.path))


def is_web_origin(origin):
    """Whether ``origin`` names a web origin an application may trust: scheme,
    host and port of a URI that could be registered, and nothing else."""
    if not is_registrable(origin):
        return False
    parts = urlsplit(origin)
    return parts.scheme.lower() in ("https", "http") and not (parts.path or parts.query)


def destination(uri):
    """What the consent page names as where the user is sent back: the host
    (and port) of a web redirect URI, or the app's scheme for a native one."""
    parts = urlsplit(uri)
    return parts.netloc if parts.scheme.lower() in ("https", "http") else parts.scheme
