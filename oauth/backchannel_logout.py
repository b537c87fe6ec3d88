"""OpenID Connect Back-Channel Logout 1.0: the logout token and its delivery
to a relying party, apart from the ORM, which queues the deliveries."""

import time
from datetime import timedelta
from typing import Any

from . import outbound
from .secrets import generate_secret

# §2.4: the one event a logout token carries
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# §2.4 asks for a short expiry: the token is signed anew for every attempt.
LOGOUT_TOKEN_LIFETIME = 120
# The wait before each new attempt: one relying party down for a deploy is
# reached within minutes, one down for most of a day still within the last
# attempt; then the notification is given up as failed.
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Answers that say the relying party could take the same token later (RFC
# 9110 §15.5.9, RFC 8470 §5.2, RFC 6585 §4); any other 4xx refuses it.
TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})


# Failures that no later attempt changes until someone changes the URI or
# the allowed networks, and that cost no wait.
FINAL_OUTBOUND_FAILURES = frozenset(
    {outbound.ADDRESS_NOT_ALLOWED, outbound.INVALID_URL}
)


class Delivery:
    """What one attempt to deliver a logout token came to: ``delivered``, or
    ``error`` says why not (a status or the kind of network failure, never
    what the relying party answered), ``final`` whether trying again is
    useless, and ``unreachable`` whether the relying party did not answer,
    which may have taken the whole deadline."""

    def __init__(self, delivered, error=None, final=False, unreachable=False):
        self.delivered = delivered
        self.error = error
        self.final = final
        self.unreachable = unreachable


def logout_token_claims(
    issuer: str, client_id: str, subject: str, sid: str
) -> dict[str, Any]:
    """§2.4: the claims of a logout token for ``client_id``, naming the user
    by ``subject`` and the ended session by ``sid``; never a nonce, which
    would let it pass for an id_token."""
    now = int(time.time())
    return {
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": generate_secret(),
        "sub": subject,
        "sid": sid,
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }


def deliver(
    uri: str,
    logout_token: str,
    allowed_networks: outbound.AllowedNetworks = outbound.NO_ALLOWED_NETWORKS,
) -> Delivery:
    """§2.5: POST ``logout_token`` to the relying party's back-channel logout
    URI, through the one way out of :mod:`outbound` (its address rules, with
    ``allowed_networks`` excepted, deadline and size cap, and no redirect,
    whose target nobody registered)."""
    try:
        response = outbound.post_form(
            uri, {"logout_token": logout_token}, allowed=allowed_networks
        )
    except outbound.OutboundError as error:
        final = error.kind in FINAL_OUTBOUND_FAILURES
        return Delivery(False, str(error), final=final, unreachable=not final)
    status = response.status
    # §2.8: 200, or 204 from frameworks that answer an empty body so
    if 200 <= status < 300:
        return Delivery(True)
    final = 400 <= status < 500 and status not in TRANSIENT_CLIENT_ERRORS
    return Delivery(False, f"HTTP {status}", final=final)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after ``attempts`` failed attempts, or None when that was the
    last one."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]
