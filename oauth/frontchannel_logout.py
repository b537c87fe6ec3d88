"""OpenID Connect Front-Channel Logout 1.0: the address each relying party's
frame loads when a browser session ends, and the headers of the page that
loads those frames before sending the user on."""

import base64
import hashlib
from collections.abc import Iterable
from urllib.parse import quote

from oauthlib.common import add_params_to_uri

from .page_headers import NO_FRAMING, NOT_KEPT, csp_source

# The id of the page's link to where the user goes next, which its script
# follows once the frames have loaded.
CONTINUE_ID = "o_oauth2_continue"
# How long the page waits for the frames, in milliseconds: a relying party
# that does not answer must not keep the user on this page (node-oidc-provider
# waits 2.5 s).
FRAMES_TIMEOUT_MS = 3000
# The page's one script, allowed by its hash: it runs in the head, so that it
# hears every frame's load event (load does not bubble, hence the capture),
# and goes on once all have loaded, or at the timeout, once.
FRAMES_SCRIPT = (
    "var gone=false,left=null;"
    "function go(){if(gone)return;gone=true;"
    f'window.location.replace(document.getElementById("{CONTINUE_ID}").href)}}'
    'document.addEventListener("load",function(e){'
    'if(e.target.tagName!=="IFRAME")return;'
    'if(left===null)left=document.getElementsByTagName("iframe").length;'
    "if(--left===0)go()},true);"
    f"setTimeout(go,{FRAMES_TIMEOUT_MS});"
)
FRAMES_SCRIPT_HASH = base64.b64encode(
    hashlib.sha256(FRAMES_SCRIPT.encode()).digest()
).decode()


def frame_uri(logout_uri: str, issuer: str, sid: str, session_required: bool) -> str:
    """The address a relying party's frame loads (§2): its
    ``frontchannel_logout_uri``, with ``iss`` and ``sid`` added to its query
    when it asked for them (``frontchannel_logout_session_required``), which
    name the session that ended, as the sid of its id_tokens does."""
    if not session_required:
        return logout_uri
    return add_params_to_uri(logout_uri, [("iss", issuer), ("sid", sid)])


def continue_location(location: str) -> str:
    """The page's link to ``location``, where the logout sends the user next,
    percent-encoded as a URI: browsers drop tabs and newlines from a link
    and read a backslash as a slash, so that a local ``/<tab>/evil.example``
    or ``/\\evil.example``, as Odoo's logout may leave its redirect, would
    otherwise lead to another site."""
    return quote(location, safe=":/?#[]@!$&'()*+,;=%~")


def page_headers(frame_uris: Iterable[str]) -> dict[str, str]:
    """The headers of the page that loads ``frame_uris``: it runs its one
    script, frames those relying parties' origins only, is framed by no one,
    and is neither cached nor named in a Referer."""
    frame_sources = " ".join(sorted({csp_source(uri) for uri in frame_uris}))
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'sha256-{FRAMES_SCRIPT_HASH}'; "
            f"frame-src {frame_sources}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        ),
        "X-Frame-Options": NO_FRAMING["X-Frame-Options"],
        **NOT_KEPT,
    }
