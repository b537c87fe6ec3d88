# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The registration endpoint (RFC 7591 §3) and the clients' management of
their registration (RFC 7592 §2): the answers, from the request's values,
the settings and the models.

No CORS: a browser page of another origin reads none of the answers, so
that a site cannot make its visitors' browsers register clients for it
from their addresses, past the limit per address. A browser application
registers through its own server, or is registered by an administrator."""

import json

from odoo import SUPERUSER_ID

from ..oauth.client_metadata import (
    INVALID_CLIENT_METADATA,
    MAX_BODY_BYTES,
    ClientMetadataError,
    parse_json,
)
from ..oauth.constants import REGISTRATION_OFF, REGISTRATION_TOKEN
from ..oauth.responses import JSON_HEADERS, REALM, error_answer
from .bearer import _header_token
from .configuration import client_registration_mode

JSON_TYPES = ("application/json",)


def _json(payload, status=200):
    return dict(JSON_HEADERS), json.dumps(payload), status


def _metadata_error(error):
    return error_answer(error.error, error.description)


def _invalid_token(description):
    """RFC 6750 §3.1 (as RFC 7591 §3 and RFC 7592 §3 ask): 401 with a
    Bearer challenge."""
    quoted = description.replace('"', "'")
    return error_answer(
        "invalid_token",
        description,
        status=401,
        headers={
            "WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token", '
            f'error_description="{quoted}"'
        },
    )


def _off_answer():
    # As if the endpoint did not exist, which the metadata says too: it
    # names no registration_endpoint.
    return error_answer(
        "invalid_request",
        "Dynamic client registration is not enabled on this server.",
        status=404,
    )


def _body_metadata(httprequest):
    """The JSON object of the request; raises ``ClientMetadataError``."""
    if httprequest.mimetype not in JSON_TYPES:
        raise ClientMetadataError(
            INVALID_CLIENT_METADATA,
            "Send the client metadata as JSON (Content-Type: application/json).",
        )
    return parse_json(httprequest.get_data(cache=False)[: MAX_BODY_BYTES + 1])


def _bearer(httprequest):
    return _header_token(httprequest.headers.get("Authorization") or "")


def registration_answer(env, httprequest):
    """``(headers, body, status)`` of a registration request (RFC 7591)."""
    # auth="none": no user; what the registration writes, the server does
    env = env(user=SUPERUSER_ID, su=True)
    mode = client_registration_mode(env)
    if mode == REGISTRATION_OFF:
        return _off_answer()
    remote_addr = httprequest.remote_addr
    retry_after = env["oauth2.registration.attempt"]._retry_after(remote_addr)
    if retry_after:
        return error_answer(
            "slow_down",
            "Too many registrations from this address; retry after the number "
            "of seconds in Retry-After.",
            status=429,
            headers={"Retry-After": str(retry_after)},
        )
    tokens = env["oauth2.registration.token"]
    initial_token = tokens.browse()
    if mode == REGISTRATION_TOKEN:
        initial_token = tokens._consume(_bearer(httprequest))
        if not initial_token:
            return _invalid_token(
                "Registration needs a valid initial access token in an "
                "'Authorization: Bearer' header."
            )
    try:
        answer = env["oauth2.application"]._register_client(
            _body_metadata(httprequest), remote_addr, initial_token
        )
    except ClientMetadataError as error:
        # a refused registration does not use up the token
        if initial_token:
            initial_token.use_count -= 1
        return _metadata_error(error)
    return _json(answer, status=201)


def management_answer(env, httprequest, client_id):
    """``(headers, body, status)`` of a request to a client's configuration
    endpoint (RFC 7592 §2): GET reads, PUT replaces, DELETE ends the
    registration."""
    env = env(user=SUPERUSER_ID, su=True)
    if client_registration_mode(env) == REGISTRATION_OFF:
        return _off_answer()
    applications = env["oauth2.application"]
    application = applications._find_registration(client_id, _bearer(httprequest))
    if not application:
        # RFC 7592 §3: the same answer whether the client does not exist or
        # the token is not its own, so that nothing tells them apart
        return _invalid_token(
            "The registration access token is not valid for this client."
        )
    method = httprequest.method
    if method == "DELETE":
        application._delete_registration()
        return dict(JSON_HEADERS), "", 204
    if method == "PUT":
        try:
            answer = application._update_registration(_body_metadata(httprequest))
        except ClientMetadataError as error:
            return _metadata_error(error)
        return _json(answer)
    return _json(application._registration_answer())
