# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the FAPI 2.0 Security Profile (final, February 2025) asks of an
authorization server beyond the features it combines (PAR, PKCE, DPoP,
private_key_jwt): values in and out, for ``models/oauth2_application_fapi.py``."""

from collections.abc import Collection

import jwt

from .client_assertions import InvalidClientAssertion

# §5.3.2.1: an authorization code lives at most 60 seconds.
MAX_AUTHORIZATION_CODE_LIFETIME = 60
# §5.4.1: PS256, ES256 or EdDSA with Ed25519 (RFC 9864 names it Ed25519);
# RS256 is not among them.
SIGNING_ALGORITHMS = ("PS256", "ES256", "EdDSA", "Ed25519")
# Of the algorithms this server signs with (jose.SIGNING_ALGORITHMS), the
# one §5.4.1 allows for its id_tokens, JWT access tokens and logout tokens.
SERVER_SIGNING_ALGORITHM = "ES256"


def check_client_assertion(assertion: str, issuer: str) -> None:
    """§5.3.2.1: a client assertion's ``aud`` is the issuer identifier, as a
    string (not the token or PAR endpoint, nor a list), and §5.4.1 its
    algorithm one of ``SIGNING_ALGORITHMS``. Read before the signature is
    checked, as it only refuses more: the assertion is still verified as any
    other afterwards."""
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except (jwt.InvalidTokenError, TypeError) as error:
        raise InvalidClientAssertion("The client assertion is not a JWS.") from error
    if header.get("alg") not in SIGNING_ALGORITHMS:
        raise InvalidClientAssertion(
            "A FAPI 2.0 client signs its assertions with one of "
            f"{', '.join(SIGNING_ALGORITHMS)}."
        )
    if claims.get("aud") != issuer:
        raise InvalidClientAssertion(
            "A FAPI 2.0 client assertion's aud is the issuer identifier, "
            f"{issuer}, as a single string."
        )


def profile_conflicts(settings: dict, signing_algorithms: Collection[str]) -> list:
    """What in an application's ``settings`` (its field values) contradicts
    the profile, as the settings to change, one sentence each."""
    wanted = [
        (settings["client_type"] == "confidential", "Client Type: confidential"),
        (
            settings["token_endpoint_auth_method"] == "private_key_jwt",
            "Token Endpoint Authentication: private_key_jwt",
        ),
        (
            not settings["token_endpoint_auth_signing_alg"]
            or settings["token_endpoint_auth_signing_alg"] in signing_algorithms,
            "Client Assertion Algorithm: empty or one of "
            + ", ".join(signing_algorithms),
        ),
        (
            settings["require_pushed_authorization_requests"],
            "Require Pushed Authorization Requests: on",
        ),
        (settings["dpop_bound_access_tokens"], "Require DPoP: on"),
        (
            settings["id_token_signed_response_alg"] == SERVER_SIGNING_ALGORITHM,
            f"ID Token Signing Algorithm: {SERVER_SIGNING_ALGORITHM}",
        ),
        (not settings["grant_implicit"], "Implicit: off"),
        (not settings["grant_password"], "Password: off"),
        (not settings["allow_pkce_plain"], "Allow PKCE plain: off"),
        (
            settings["access_token_lifetime"] > 0,
            "Access token lifetime: set (not 0)",
        ),
    ]
    return [change for holds, change in wanted if not holds]
