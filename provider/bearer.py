"""The resource-server side (RFC 6750): checking the access token a request
bears, and token verification; straight to the token, without oauthlib,
which would only read the header."""

import json

from werkzeug.exceptions import HTTPException

from odoo import SUPERUSER_ID
from odoo.http import Response

from ..oauth.responses import JSON_HEADERS, REALM, error_answer, json_answer
from .configuration import cross_origin


class BearerTokenError(HTTPException):
    """The RFC 6750 §3 answer to a request that a bearer-protected resource
    refuses: a JSON body and a ``WWW-Authenticate: Bearer`` challenge."""

    def __init__(self, status, description, error=None, scope=None):
        challenge = [f'realm="{REALM}"']
        body = {"error_description": description}
        # §3.1: a request without any token gets a challenge without an error.
        if error:
            # RFC 6750 §3: no quote or backslash inside the quoted values
            quoted = description.replace('"', "'").replace("\\", "/")
            challenge += [f'error="{error}"', f'error_description="{quoted}"']
            body = {"error": error, **body}
        if scope:
            challenge.append(f'scope="{scope}"')
        response = Response(
            json.dumps(body),
            status=status,
            headers=dict(
                JSON_HEADERS, **{"WWW-Authenticate": "Bearer " + ", ".join(challenge)}
            ),
        )
        self.code = status
        super().__init__(description, response=response)


def _header_token(authorization):
    """The token of an ``Authorization: Bearer`` header, else None."""
    scheme_and_token = authorization.split()
    if len(scheme_and_token) == 2 and scheme_and_token[0].lower() == "bearer":
        return scheme_and_token[1]
    return None


def _live_access_token(env, token):
    """The live access token ``token``, its use recorded, unless its
    application may obtain none of its scopes any more; else an empty
    recordset."""
    tokens = env(user=SUPERUSER_ID, su=True)["oauth2.token"]
    record = tokens._find_live_access_token(token)
    if not record or record._lost_every_scope():
        return tokens
    record._mark_used()
    return record


def authenticate_bearer(env, httprequest, scopes):
    """The live access token sent in the Authorization header (RFC 6750 §2.1)
    that carries ``scopes``; raises BearerTokenError otherwise."""
    if "access_token" in httprequest.args:
        # RFC 9700 §4.3.2: a token in a URL leaks through logs and history.
        raise BearerTokenError(
            400,
            "Send the access token in the Authorization header, not in the URL.",
            error="invalid_request",
        )
    authorization = httprequest.headers.get("Authorization", "")
    if authorization.partition(" ")[0].lower() != "bearer":
        raise BearerTokenError(
            401,
            "This resource needs an OAuth2 access token in an "
            "'Authorization: Bearer' header.",
        )
    record = _live_access_token(env, _header_token(authorization))
    if not record:
        raise BearerTokenError(
            401,
            "The access token is invalid, expired or revoked.",
            error="invalid_token",
        )
    if not record._has_scopes(scopes):
        raise BearerTokenError(
            403,
            "The access token lacks a scope this resource needs.",
            error="insufficient_scope",
            scope=" ".join(scopes),
        )
    origin = cross_origin(env, httprequest.headers, httprequest.base_url)
    if origin and origin not in record.application_id._cors_origins():
        raise BearerTokenError(
            400,
            f"This application's tokens may not be used by pages of {origin}; an "
            "administrator can add the origin to its Allowed Origins.",
            error="invalid_request",
        )
    return record


def tokeninfo_answer(env, httprequest):
    """Token verification in the style of Google's and Amazon's token-info
    endpoints: the token comes in an Authorization Bearer header, or else as
    ``access_token`` in the query or the form (the last one given)."""
    authorization = httprequest.headers.get("Authorization", "")
    if authorization.partition(" ")[0].lower() == "bearer":
        token = _header_token(authorization)
    else:
        given = [
            value
            for params in (httprequest.args, httprequest.form)
            for value in params.getlist("access_token")
        ]
        token = given[-1] if given else None
    record = _live_access_token(env, token)
    if not record:
        return error_answer(
            "invalid_token", "The access token is invalid, expired or revoked."
        )
    return json_answer(record._tokeninfo())
