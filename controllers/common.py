# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What every JSON endpoint of the module does before and after its work."""

import psycopg2

from odoo import http, sql_db
from odoo.http import request

from ..oauth import cors
from ..oauth.http_adapter import has_nul_character, posted
from ..oauth.responses import error_answer, method_not_allowed, unavailable_answer
from ..provider.configuration import cross_origin

# The largest request body the JSON endpoints read: far more than any OAuth
# request needs (a few KB), where Odoo would read up to 128 MiB, a multipart
# form wholly into memory. Larger ones get a JSON 413 (models/ir_http.py).
MAX_REQUEST_SIZE = 1024 * 1024
# The options of every JSON endpoint's route. auth="none" and every method:
# without a database, or with a method the route does not serve, the client
# still gets an OAuth2 JSON error rather than Odoo's HTML pages. No session:
# clients authenticate every request.
JSON_ENDPOINT = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    "max_content_length": MAX_REQUEST_SIZE,
}


def posted_from_this_session():
    """Whether the body of this POST carries the session's CSRF token: it
    comes from a page this server showed the user, not from another site.
    The module's pages read their decisions from such a body alone."""
    csrf_token = posted(request.httprequest, "csrf_token") or ""
    return csrf_token.isascii() and request.validate_csrf(csrf_token)


def respond(headers, body, status=200):
    return request.make_response(body, headers=list(headers.items()), status=status)


def applications_policy():
    """The CORS policy of the endpoints that browser applications call: the
    origins the active applications trust (none without a database)."""
    if not request.db:
        return None
    return request.env["oauth2.application"]._allowed_cors_origin


def database_unavailable() -> bool:
    """Whether a request came without a database because the database server
    could not be reached, or the database Odoo picked could not be opened,
    rather than because none is selected for this host.

    Odoo serves both from its no-database routes alike (``request.db`` empty):
    a failed connection only leaves its list of databases empty, and a registry
    it cannot open is dropped. This costs a connection, so it is only asked on
    that rare path.
    """
    try:
        # What Odoo's /web/health?db_server_status=1 asks.
        sql_db.db_connect("postgres").cursor().close()
    except psycopg2.Error:
        return True
    # The server answers now, yet Odoo picked a database for this host and
    # could not open it: it went away during the request, or is coming back.
    return len(http.db_list(force=True)) == 1


def refusal(allowed_methods, cors_policy=None):
    """The answer to a request that the endpoint does not serve itself: no
    database selected or reachable, OPTIONS, a method not in
    ``allowed_methods``, or a NUL character; None when the endpoint may go
    on."""
    if not request.db:
        if database_unavailable():
            return unavailable_answer()
        return error_answer(
            "invalid_request",
            "No database is selected for this host; configure Odoo's dbfilter.",
        )
    httprequest = request.httprequest
    if httprequest.method == "OPTIONS":
        return cors.options_answer(
            httprequest.headers,
            cross_origin(request.env, httprequest.headers, httprequest.base_url),
            allowed_methods,
            cors_policy or (lambda _origin: None),
        )
    refused = method_not_allowed(httprequest.method, allowed_methods)
    if refused:
        return refused
    if has_nul_character(httprequest):
        return error_answer(
            "invalid_request", "A parameter or header holds a NUL character."
        )
    return None


def guarded(allowed_methods, answer, cors_policy=None):
    """The response of a JSON endpoint: the refusal if any, else ``answer()``'s
    ``(headers, body, status)``, readable by the pages ``cors_policy`` allows
    (no page of another origin when None)."""
    headers, body, status = refusal(allowed_methods, cors_policy) or answer()
    httprequest = request.httprequest
    if cors_policy and httprequest.method != "OPTIONS":
        origin = cross_origin(request.env, httprequest.headers, httprequest.base_url)
        headers = dict(headers, **cors.answer_headers(origin, cors_policy))
    return respond(headers, body, status)
