# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The pushed authorization request endpoint (RFC 9126 §2)."""

from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from ..oauth import pushed_requests, routes
from ..oauth.http_adapter import (
    FORM_TYPES,
    earns_basic_challenge,
    form_request_parts,
)
from ..oauth.responses import error_answer, json_answer, token_answer
from .configuration import issuer
from .device_code import authenticate, refuse_duplicates
from .server import oauth2_server, validate_authorization_request
from .validator import with_odoo_state


def pushed_authorization_answer(env, httprequest):
    """RFC 9126 §2.2: a request_uri for the authorization request of an
    authenticated client, once it is checked as the authorization endpoint
    checks it, all but the user (§2.1); §2.3's error answers otherwise."""
    if httprequest.content_length and httprequest.mimetype not in FORM_TYPES:
        return error_answer(
            "invalid_request",
            "Pushed authorization requests are form-encoded "
            "(application/x-www-form-urlencoded).",
        )
    uri, body, headers = form_request_parts(httprequest)
    headers = with_odoo_state(headers, env, remote_addr=httprequest.remote_addr)
    validator = oauth2_server().auth_grant.request_validator
    request = Request(uri, "POST", body, headers)
    try:
        refuse_duplicates(request, ("client_id",))
        # as the token endpoint authenticates clients (§2)
        authenticate(validator, request)
        application = request.client
        parameters = pushed_requests.pushed_parameters(
            list(httprequest.form.items(multi=True)), application.client_id
        )
        parameters, request_object_problem = env[
            "oauth2.application"
        ]._unpack_request_object(parameters)
        validate_authorization_request(
            env,
            f"{issuer(env)}{routes.AUTHORIZE}?{urlencode(parameters)}",
            None,
            None,
            None,
            request_object_problem=request_object_problem,
            pushed=True,
            pushing=True,
        )
    except errors.OAuth2Error as error:
        return token_answer(
            dict(error.headers),
            error.json,
            error.status_code,
            challenge=earns_basic_challenge(httprequest),
        )
    request_uri = env["oauth2.pushed.authorization.request"]._push(
        application, parameters
    )
    headers, body, _status = json_answer(
        {
            "request_uri": request_uri,
            "expires_in": pushed_requests.REQUEST_URI_LIFETIME,
        }
    )
    return headers, body, 201
