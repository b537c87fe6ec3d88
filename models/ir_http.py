# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import psycopg2
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    ServiceUnavailable,
    Unauthorized,
)

from odoo import SUPERUSER_ID, api, models
from odoo.http import Response, request

from ..oauth import cors, metadata
from ..oauth.constants import RPC_SCOPE
from ..oauth.responses import REALM, error_answer, unavailable_answer
from ..oauth.routes import JSON_ENDPOINTS
from ..provider.bearer import BearerTokenError, authenticate_bearer
from ..provider.configuration import cross_origin
from .direct_sql import own_cursor

# What a query raises when the connection to the database is lost or cannot be
# made: the server restarts, or the network between them fails.
DATABASE_UNAVAILABLE = (psycopg2.OperationalError, psycopg2.InterfaceError)


class DatabaseUnavailable(ServiceUnavailable):
    """The 503 JSON answer of oauth/responses.py to a request that lost its
    connection to the database."""

    def __init__(self):
        headers, body, status = unavailable_answer()
        super().__init__(response=Response(body, status=status, headers=headers))


class OversizedRequest(RequestEntityTooLarge):
    """The JSON answer of the module's endpoints to a request larger than they
    read (``MAX_REQUEST_SIZE`` of controllers/common.py).

    413 rather than RFC 6749 §5.2's usual 400: §5.2 allows another status
    where one is specified, and RFC 9110 §15.5.14 specifies 413 for exactly
    this, which tells the client that sending the same request again cannot
    succeed. The body is §5.2's, so that a client reads why.
    """

    def __init__(self):
        headers, body, status = error_answer(
            "invalid_request",
            "The request is larger than the server accepts.",
            status=self.code,
        )
        super().__init__(response=Response(body, status=status, headers=headers))


def _is_undecodable_form(exception):
    # Werkzeug 3 (Odoo 19.0's) reports a urlencoded body that does not decode
    # as UTF-8 as too large; Werkzeug 2 (18.0's) decodes it with replacement
    # characters.
    return isinstance(exception, RequestEntityTooLarge) and isinstance(
        exception.__cause__, ValueError
    )


class UndecodableForm(BadRequest):
    """The answer to a urlencoded body that is not UTF-8: RFC 6749 §5.2's
    JSON at the module's endpoints, Odoo's 400 page elsewhere."""

    def __init__(self, json_endpoint):
        description = "The request body is not UTF-8 form data."
        response = None
        if json_endpoint:
            headers, body, status = error_answer("invalid_request", description)
            response = Response(body, status=status, headers=headers)
        super().__init__(description=description, response=response)


# The methods of an auth="oauth2" route that names none.
DEFAULT_BEARER_METHODS = ("GET", "POST")


class OptionsAnswer(HTTPException):
    """The answer to OPTIONS on an auth="oauth2" route, given before
    authentication: a browser's preflight carries no token."""

    code = 204

    def __init__(self, methods):
        httprequest = request.httprequest
        headers, body, status = cors.options_answer(
            httprequest.headers,
            cross_origin(request.env, httprequest.headers, httprequest.base_url),
            methods,
            request.env["oauth2.application"]._allowed_cors_origin,
        )
        super().__init__(response=Response(body, status=status, headers=headers))


class ExternalApiChallenge(Unauthorized):
    """Odoo's 401 to a bearer request of its external API (JSON-2), its
    challenge pointing to the metadata of Odoo's APIs (RFC 9728 §5.1) and
    naming the rpc scope a token needs there (RFC 6750 §3)."""

    def __init__(self, refusal, metadata_url, token_presented):
        super().__init__(refusal.description)
        challenge = [f'realm="{REALM}"']
        if token_presented:
            challenge.append('error="invalid_token"')
        challenge += metadata.bearer_challenge_parameters(metadata_url, [RPC_SCOPE])
        self.challenge = "Bearer " + ", ".join(challenge)

    def get_headers(self, *args, **kwargs):
        headers = [
            (name, value)
            for name, value in super().get_headers(*args, **kwargs)
            if name.lower() != "www-authenticate"
        ]
        return [*headers, ("WWW-Authenticate", self.challenge)]


class IrHttp(models.AbstractModel):
    """``auth="oauth2"``: a route served to the bearer of an access token.

    The route may require scopes with ``oauth2_scopes=["read", ...]`` among its
    ``@http.route`` arguments, a level of the user's login with
    ``oauth2_acr="urn:orestapi:acr:mfa"`` (oauth/acr.py; a weaker token gets
    RFC 9470's ``insufficient_user_authentication``), serve another protected
    resource than Odoo's APIs with ``oauth2_resource="module.xml_id"`` (of an
    ``oauth2.resource``: only tokens issued for it are taken, and its
    metadata is what refusals point to), and take the token from
    a form-encoded body too with ``oauth2_form_body_token=True`` (RFC 6750
    §2.2). The request then runs
    as the token's user, with that user's access rights, and
    ``request.oauth2_token`` is the token's
    ``oauth2.token`` record (its ``application_id`` and ``scope``). POST and
    other unsafe methods need no CSRF token, unless the route asks for one.
    Pages of the origins the token's application trusts may call the route
    from a browser (CORS).
    """

    _inherit = "ir.http"

    def _generate_routing_rules(self, modules, converters):
        for url, endpoint in super()._generate_routing_rules(modules, converters):
            if endpoint.routing.get("oauth2_nodb_only"):
                # Serves an auth="oauth2" route's URL where Odoo has no
                # database and so no auth="oauth2" (controllers/userinfo.py).
                continue
            if endpoint.routing.get("auth") == "oauth2":
                # A browser never sends a bearer token by itself, so forged
                # cross-site requests carry none: Odoo's CSRF token, which
                # protects session cookies, has nothing to protect here.
                endpoint.routing.setdefault("csrf", False)
            yield url, endpoint

    @classmethod
    def _authenticate(cls, endpoint):
        if (
            endpoint.routing["auth"] == "oauth2"
            and request.httprequest.method == "OPTIONS"
        ):
            raise OptionsAnswer(
                endpoint.routing.get("methods") or DEFAULT_BEARER_METHODS
            )
        # The auth method itself is not told which route it guards.
        request.oauth2_required_scopes = endpoint.routing.get("oauth2_scopes", [])
        request.oauth2_required_acr = endpoint.routing.get("oauth2_acr")
        request.oauth2_resource = endpoint.routing.get("oauth2_resource")
        request.oauth2_form_body_token = endpoint.routing.get(
            "oauth2_form_body_token", False
        )
        if request.oauth2_form_body_token and "max_content_length" in endpoint.routing:
            # The body is read for the token before Odoo applies the route's
            # limit (in _pre_dispatch): read within it, or 413. The limit may
            # be a callable of the controller, as Odoo's dispatch allows.
            limit = endpoint.routing["max_content_length"]
            if callable(limit):
                limit = limit(endpoint.func.__self__)
            request.httprequest.max_content_length = limit
        # A route declared read-only writes nothing of its own, so the
        # transaction that records a DPoP proof there need not wait for the
        # disk to commit. One whose callable decides per request,
        # with arguments that differ between Odoo series, counts as writing.
        request.oauth2_read_only_route = endpoint.routing.get("readonly") is True
        # Nor is _handle_error, which may be called from here on.
        request.oauth2_json_endpoint = not JSON_ENDPOINTS.isdisjoint(
            endpoint.routing["routes"]
        )
        return super()._authenticate(endpoint)

    @classmethod
    def _auth_method_oauth2(cls):
        try:
            token = authenticate_bearer(
                request.env,
                request.httprequest,
                getattr(request, "oauth2_required_scopes", []),
                form_body=getattr(request, "oauth2_form_body_token", False),
                required_acr=getattr(request, "oauth2_required_acr", None),
                resource=cls._oauth2_route_resource(),
                read_only_route=getattr(request, "oauth2_read_only_route", False),
            )
        except DATABASE_UNAVAILABLE as exc:
            # Odoo answers any other exception of an auth method with its 403
            # page, as if the token were refused.
            raise DatabaseUnavailable() from exc
        request.update_env(user=token.user_id.id)
        request.oauth2_token = token

    @classmethod
    def _oauth2_route_resource(cls):
        """The protected resource the route serves (``oauth2_resource``, the
        XML id of an ``oauth2.resource``), else None: Odoo's APIs."""
        xmlid = getattr(request, "oauth2_resource", None)
        if not xmlid:
            return None
        resource = request.env.ref(xmlid, raise_if_not_found=False)
        if resource is None:
            # a route naming a resource that is gone takes no token
            raise BearerTokenError(
                401,
                "This resource is not registered on this server.",
                error="invalid_token",
            )
        return resource.sudo()

    @classmethod
    def _auth_method_bearer(cls):
        # Odoo's auth="bearer" (JSON-2 on 19.0) takes the API keys and the
        # access tokens with rpc (res_users_apikeys.py): its refusal tells a
        # client where to learn how to get such a token.
        try:
            return super()._auth_method_bearer()
        except Unauthorized as refusal:
            scheme = request.httprequest.headers.get("Authorization", "")
            raise ExternalApiChallenge(
                refusal,
                request.env["oauth2.resource"]._odoo_metadata_url(),
                token_presented=scheme.partition(" ")[0].lower() == "bearer",
            ) from None

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing["auth"] == "oauth2":
            # The token authenticates every request: no session cookie to hand out.
            request.session.can_save = False
        return result

    @classmethod
    def _post_dispatch(cls, response):
        result = super()._post_dispatch(response)
        if getattr(request, "oauth2_token", None):
            cls._allow_cross_origin_reading(response)
        return result

    @classmethod
    def _post_logout(cls):
        result = super()._post_logout()
        # Odoo gives the session a new ID only when saving it, after this
        # request: it is still the ended session's. Routes such as
        # /web/session/logout run read-only, so the ending is written on a
        # cursor of its own, which commits it and then wakes up the job
        # that notifies the applications.
        ended_session_id = request.session.sid
        with own_cursor(request.env) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            frame_uris = env["oauth2.session"]._end_browser_session(ended_session_id)
        # for the page the logout route answers (controllers/logout.py)
        request.oauth2_frontchannel_logout_uris = frame_uris
        return result

    @classmethod
    def _handle_error(cls, exception):
        if isinstance(exception, OptionsAnswer):
            return exception
        # Also for type="json" routes, whose dispatcher would wrap the answer
        # in a JSON-RPC error with status 200.
        if isinstance(exception, BearerTokenError):
            # a page may read why its token was refused, and refresh it
            cls._allow_cross_origin_reading(exception.response)
            return exception
        if isinstance(exception, DatabaseUnavailable):
            return exception
        if _is_undecodable_form(exception):
            exception = UndecodableForm(getattr(request, "oauth2_json_endpoint", False))
            if exception.response:
                return exception
        if isinstance(exception, RequestEntityTooLarge) and getattr(
            request, "oauth2_json_endpoint", False
        ):
            # Odoo reads the form after routing, so this is still ours to
            # answer in JSON, instead of Werkzeug's HTML page.
            return OversizedRequest()
        if isinstance(exception, DATABASE_UNAVAILABLE) and getattr(
            request, "oauth2_json_endpoint", False
        ):
            # The connection was lost during one of the module's endpoints:
            # the same 503 JSON as when it is lost before the request
            # (controllers/common.py), rather than Odoo's 500 page.
            return DatabaseUnavailable()
        return super()._handle_error(exception)

    @classmethod
    def _allow_cross_origin_reading(cls, response):
        httprequest = request.httprequest
        origin = cross_origin(request.env, httprequest.headers, httprequest.base_url)
        response.headers.update(
            cors.answer_headers(
                origin, request.env["oauth2.application"]._allowed_cors_origin
            )
        )
