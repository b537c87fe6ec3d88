"""The resource-server side (RFC 6750): checking the access token a request
bears, and token verification; straight to the token, without oauthlib,
which would only read the header."""

import json

from werkzeug.exceptions import HTTPException

from odoo import SUPERUSER_ID
from odoo.http import Response

from ..oauth import acr, metadata
from ..oauth import dpop as dpop_proofs
from ..oauth.responses import JSON_HEADERS, REALM, error_answer, json_answer
from .configuration import cross_origin
from .dpop import check_proof_algorithm, check_request_proof, nonce_headers


class BearerTokenError(HTTPException):
    """The RFC 6750 §3 answer to a request that a bearer-protected resource
    refuses: a JSON body, a ``WWW-Authenticate: Bearer`` challenge and a
    ``WWW-Authenticate: DPoP`` one (RFC 9449 §7.1), the error on that of
    the scheme the request used (``dpop`` for DPoP); with ``dpop_nonce``,
    the nonce a DPoP client's next proof may carry."""

    def __init__(
        self,
        status,
        description,
        error=None,
        scope=None,
        acr_values=None,
        resource_metadata=None,
        dpop=False,
        dpop_nonce=None,
    ):
        self.arguments = {
            "status": status,
            "description": description,
            "error": error,
            "scope": scope,
            "acr_values": acr_values,
            "dpop": dpop,
            "dpop_nonce": dpop_nonce,
        }
        parameters = []
        body = {"error_description": description}
        # §3.1: a request without any token gets a challenge without an error.
        if error:
            # RFC 6750 §3: no quote or backslash inside the quoted values
            quoted = description.replace('"', "'").replace("\\", "/")
            parameters += [f'error="{error}"', f'error_description="{quoted}"']
            body = {"error": error, **body}
        if scope:
            parameters.append(f'scope="{scope}"')
        if acr_values:
            # RFC 9470 §3: the level a new token must be issued at
            parameters.append(f'acr_values="{acr_values}"')
        if resource_metadata:
            # RFC 9728 §5.1: where a client learns how to get a token for it
            parameters += metadata.bearer_challenge_parameters(resource_metadata)
        # the parameters go with the scheme the request used; the other
        # scheme is offered bare
        bearer = [f'realm="{REALM}"', *([] if dpop else parameters)]
        headers = [
            *JSON_HEADERS.items(),
            ("WWW-Authenticate", "Bearer " + ", ".join(bearer)),
            ("WWW-Authenticate", dpop_proofs.challenge(parameters if dpop else ())),
        ]
        if dpop_nonce:
            headers.append((dpop_proofs.NONCE_HEADER, dpop_nonce))
        response = Response(json.dumps(body), status=status, headers=headers)
        self.code = status
        super().__init__(description, response=response)

    def for_resource(self, resource_metadata, scopes):
        """This refusal, its challenge pointing to the metadata of the
        resource that refuses it (RFC 9728 §5.1) and naming the scopes it
        needs (RFC 6750 §3), unless it names others already."""
        arguments = dict(self.arguments, resource_metadata=resource_metadata)
        arguments["scope"] = arguments["scope"] or " ".join(scopes) or None
        return BearerTokenError(**arguments)

    def for_dpop(self, nonce):
        """This refusal of a request that used the DPoP scheme: its error on
        the DPoP challenge, with the server's ``nonce`` (RFC 9449 §7.1, §9)."""
        return BearerTokenError(**dict(self.arguments, dpop=True, dpop_nonce=nonce))


BEARER = "bearer"
# RFC 9449 §7.1: a DPoP-bound token comes in the DPoP scheme
DPOP = dpop_proofs.DPOP_SCHEME.lower()


def _header_token(authorization, scheme=BEARER):
    """The token of an ``Authorization`` header of ``scheme`` (Bearer unless
    told), else None."""
    scheme_and_token = authorization.split()
    if len(scheme_and_token) == 2 and scheme_and_token[0].lower() == scheme:
        return scheme_and_token[1]
    return None


def _check_sender(env, httprequest, token, record, uses_dpop, read_only_route=False):
    """RFC 9449 §7: a token bound to a DPoP key comes in the DPoP scheme with
    a proof of that key for this request, its ``ath`` the token's hash; an
    unbound one as a bearer token. Raises BearerTokenError otherwise."""
    if not uses_dpop:
        if record.dpop_jkt:
            # §7.2: a stolen bound token is worth nothing as a bearer token
            raise BearerTokenError(
                401,
                "This access token is bound to a DPoP key: send it in an "
                "'Authorization: DPoP' header with a DPoP proof.",
                error="invalid_token",
            )
        return
    if not record.dpop_jkt:
        raise BearerTokenError(
            401,
            "This access token is not bound to a DPoP key: send it in an "
            "'Authorization: Bearer' header.",
            error="invalid_token",
        )
    try:
        proof = check_request_proof(
            env, httprequest, access_token=token, read_only_route=read_only_route
        )
        # a profile's algorithms (FAPI 2.0 §5.4.1) hold at its resources too
        check_proof_algorithm(record.application_id, proof.algorithm)
    except dpop_proofs.InvalidProof as refusal:
        raise BearerTokenError(401, str(refusal), error=refusal.error) from None
    except dpop_proofs.InvalidProofError as refusal:
        raise BearerTokenError(401, refusal.description, error=refusal.error) from None
    if proof.jkt != record.dpop_jkt:
        raise BearerTokenError(
            401,
            "The DPoP proof is signed with another key than the one this "
            "access token is bound to.",
            error="invalid_token",
        )


def _live_access_token(env, token, resource=None):
    """The live access token ``token`` for Odoo's APIs, or for the protected
    ``resource`` (an ``oauth2.resource`` record) when given, its use
    recorded, unless its application may obtain none of its scopes any more;
    else an empty recordset. A token issued for another protected resource is
    refused alike: no resource takes it in that resource's place."""
    tokens = env(user=SUPERUSER_ID, su=True)["oauth2.token"]
    record = tokens._find_live_access_token(token)
    if not record or record._lost_every_scope():
        return tokens
    if not (record._is_for_resource(resource) if resource else record._is_for_odoo()):
        return tokens
    record._mark_used()
    return record


def _form_body_token(httprequest):
    """The ``access_token`` of a form-encoded request body (RFC 6750 §2.2:
    single-part, ``application/x-www-form-urlencoded``, a method with a
    body), else None."""
    if httprequest.method in ("GET", "HEAD"):
        return None
    if httprequest.mimetype != "application/x-www-form-urlencoded":
        return None
    tokens = httprequest.form.getlist("access_token")
    if len(tokens) > 1:
        raise BearerTokenError(
            400, "The access token is sent more than once.", error="invalid_request"
        )
    return tokens[0] if tokens else None


def _presented_token(httprequest, form_body):
    """``(token, uses_dpop)``: the access token of the request, in the
    Authorization header (RFC 6750 §2.1; RFC 9449 §7.1 in the DPoP scheme),
    or where ``form_body`` allows it, in a form-encoded body (§2.2), and
    whether it came in the DPoP scheme; raises BearerTokenError when there
    is none, or more than one way."""
    if "access_token" in httprequest.args:
        # RFC 9700 §4.3.2: a token in a URL leaks through logs and history.
        raise BearerTokenError(
            400,
            "Send the access token in the Authorization header, not in the URL.",
            error="invalid_request",
        )
    authorization = httprequest.headers.get("Authorization", "")
    scheme = authorization.partition(" ")[0].lower()
    in_header = scheme in (BEARER, DPOP)
    in_body = _form_body_token(httprequest) if form_body else None
    if in_header and in_body is not None:
        # §2: a client uses one method per request
        raise BearerTokenError(
            400,
            "Send the access token either in the Authorization header or in "
            "the body, not in both.",
            error="invalid_request",
        )
    if in_header:
        return _header_token(authorization, scheme), scheme == DPOP
    if in_body is not None:
        return in_body, False
    raise BearerTokenError(
        401,
        "This resource needs an OAuth2 access token in an "
        "'Authorization: Bearer' header, or 'Authorization: DPoP' with a proof.",
    )


def authenticate_bearer(
    env,
    httprequest,
    scopes,
    form_body=False,
    required_acr=None,
    resource=None,
    read_only_route=False,
):
    """The live access token for Odoo's APIs, or for the protected
    ``resource`` when given, sent in the Authorization header (RFC 6750
    §2.1), or with ``form_body`` in a form-encoded body (§2.2), that carries
    ``scopes`` and, with ``required_acr``, whose user's login met that level;
    raises BearerTokenError otherwise, whose challenge points to the metadata
    of that resource (RFC 9728 §5.1). At a ``read_only_route`` the
    transaction that records a DPoP proof commits without waiting for the
    disk."""
    try:
        return _authenticated_token(
            env, httprequest, scopes, form_body, required_acr, resource, read_only_route
        )
    except BearerTokenError as refusal:
        metadata_url = (
            resource._metadata_url()
            if resource
            else env["oauth2.resource"]._odoo_metadata_url()
        )
        raise refusal.for_resource(metadata_url, scopes) from None


def _authenticated_token(
    env, httprequest, scopes, form_body, required_acr, resource, read_only_route
):
    token, uses_dpop = _presented_token(httprequest, form_body)
    try:
        return _checked_token(
            env,
            httprequest,
            token,
            uses_dpop,
            scopes,
            required_acr,
            resource,
            read_only_route,
        )
    except BearerTokenError as refusal:
        if not uses_dpop:
            raise
        raise refusal.for_dpop(nonce_headers(env)[dpop_proofs.NONCE_HEADER]) from None


def _checked_token(
    env, httprequest, token, uses_dpop, scopes, required_acr, resource, read_only_route
):
    record = _live_access_token(env, token, resource)
    if not record:
        raise BearerTokenError(
            401,
            "The access token is invalid, expired or revoked, or was issued "
            "for another resource than this one.",
            error="invalid_token",
        )
    _check_sender(env, httprequest, token, record, uses_dpop, read_only_route)
    if not record._has_scopes(scopes):
        raise BearerTokenError(
            403,
            "The access token lacks a scope this resource needs.",
            error="insufficient_scope",
            scope=" ".join(scopes),
        )
    if required_acr and not acr.token_meets(record.acr or None, required_acr):
        raise BearerTokenError(
            401,
            "This resource needs a token issued after a stronger login.",
            error=acr.INSUFFICIENT_USER_AUTHENTICATION,
            acr_values=required_acr,
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
    endpoints: the token comes in an Authorization Bearer header, a
    DPoP-bound one in a DPoP header with its proof (RFC 9449 §7.1), or else
    as ``access_token`` in the query or the form (the last one given)."""
    authorization = httprequest.headers.get("Authorization", "")
    scheme = authorization.partition(" ")[0].lower()
    if scheme in (BEARER, DPOP):
        token = _header_token(authorization, scheme)
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
            "invalid_token",
            "The access token is invalid, expired or revoked, or was issued "
            "for another resource than Odoo's APIs.",
        )
    try:
        _check_sender(env, httprequest, token, record, scheme == DPOP)
    except BearerTokenError as refusal:
        return error_answer(
            refusal.arguments["error"],
            refusal.arguments["description"],
            headers=nonce_headers(env) if scheme == DPOP else None,
        )
    return json_answer(record._tokeninfo())
