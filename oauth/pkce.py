"""PKCE (RFC 7636): what oauthlib leaves unchecked of a challenge and a verifier."""

import re
from typing import Any

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

# RFC 7636 §4.1, §4.2: a code_verifier, and so a plain code_challenge, is 43 to
# 128 unreserved characters; an S256 challenge is a SHA-256 in unpadded
# base64url, 43 characters.
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PKCE_FORMAT = "43 to 128 characters among A-Z, a-z, 0-9, '-', '.', '_' and '~'"
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
S256_FORMAT = "43 characters of unpadded base64url"


def check_code_challenge(request: Request) -> dict[str, Any]:
    """oauthlib checks the challenge method only: a malformed challenge could
    never be matched by a valid verifier, and plain protects nothing once the
    authorization request is seen (RFC 9700 §2.1.1), so it needs the
    application's leave."""
    if request.code_challenge is None:
        return {}
    # RFC 7636 §4.3: a challenge without a method is plain.
    if (request.code_challenge_method or "plain") == "plain" and not (
        request.client.allow_pkce_plain
    ):
        raise errors.InvalidRequestError(
            description="This application accepts only code_challenge_method=S256 "
            "(RFC 9700 §2.1.1).",
            request=request,
        )
    pattern, expected = (PKCE_VALUE, PKCE_FORMAT)
    if request.code_challenge_method == "S256":
        pattern, expected = (S256_CHALLENGE, S256_FORMAT)
    if not pattern.fullmatch(request.code_challenge):
        raise errors.InvalidRequestError(
            description=f"code_challenge must be {expected} (RFC 7636 §4.2).",
            request=request,
        )
    return {}


def check_code_verifier(request: Request) -> None:
    if request.code_verifier is not None and not PKCE_VALUE.fullmatch(
        request.code_verifier
    ):
        raise errors.InvalidRequestError(
            description=f"code_verifier must be {PKCE_FORMAT} (RFC 7636 §4.1).",
            request=request,
        )
