# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The pushed authorization request endpoint (RFC 9126 §2)."""

from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from ..oauth import dpop, pushed_requests, routes
from ..oauth.http_adapter import (
    FORM_TYPES,
    earns_basic_challenge,
    form_request_parts,
)
from ..oauth.responses import error_answer, json_answer, token_answer
from .configuration import issuer
from .device_code import authenticate, refuse_duplicates
from .dpop import check_proof_algorithm, check_request_proof, nonce_headers
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
    proof = None
    if dpop.DPOP_HEADER in httprequest.headers:
        # RFC 9449 §10.1: a proof binds the code to its key; checked before
        # the client, as at the token endpoint
        try:
            proof = check_request_proof(env, httprequest)
        except dpop.InvalidProof as refusal:
            return error_answer(refusal.error, str(refusal), headers=nonce_headers(env))
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
        if application._requires_redirect_uri_in_push() and not (
            pushed_requests.names_redirect_uri(parameters)
        ):
            raise errors.InvalidRequestError(
                description="This application must name its redirect_uri in "
                "its pushed authorization requests (FAPI 2.0 §5.3.2.2)."
            )
        if proof:
            check_proof_algorithm(application, proof.algorithm)
            parameters = pushed_requests.bound_to_proof_key(parameters, proof.jkt)
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
        headers, body, status = token_answer(
            dict(error.headers),
            error.json,
            error.status_code,
            challenge=earns_basic_challenge(httprequest),
        )
        if proof:
            headers.update(nonce_headers(env))
        return headers, body, status
    request_uri = env["oauth2.pushed.authorization.request"]._push(
        application, parameters
    )
    headers, body, _status = json_answer(
        {
            "request_uri": request_uri,
            "expires_in": pushed_requests.REQUEST_URI_LIFETIME,
        }
    )
    if proof:
        # RFC 9449 §8: the nonce the client's next proof may carry
        headers.update(nonce_headers(env))
    return headers, body, 201
