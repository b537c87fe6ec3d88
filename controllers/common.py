# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What every JSON endpoint of the module does before and after its work."""

from odoo.http import request

from ..oauth import cors
from ..oauth.http_adapter import has_nul_character
from ..oauth.responses import error_answer, method_not_allowed

# The options of every JSON endpoint's route. auth="none" and every method:
# without a database, or with a method the route does not serve, the client
# still gets an OAuth2 JSON error rather than Odoo's HTML pages. No session:
# clients authenticate every request.
JSON_ENDPOINT = {"type": "http", "auth": "none", "csrf": False, "save_session": False}


def respond(headers, body, status=200):
    return request.make_response(body, headers=list(headers.items()), status=status)


def applications_policy():
    """The CORS policy of the endpoints that browser applications call: the
    origins the active applications trust (none without a database)."""
    if not request.db:
        return None
    return request.env["oauth2.application"]._allowed_cors_origin


def refusal(allowed_methods, cors_policy=None):
    """The answer to a request that the endpoint does not serve itself: no
    database selected, OPTIONS, a method not in ``allowed_methods``, or a NUL
    character; None when the endpoint may go on."""
    if not request.db:
        return error_answer(
            "invalid_request",
            "No database is selected for this host; configure Odoo's dbfilter.",
        )
    httprequest = request.httprequest
    if httprequest.method == "OPTIONS":
        return cors.options_answer(
            allowed_methods,
            httprequest.headers,
            [httprequest.base_url],
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
    if cors_policy and request.httprequest.method != "OPTIONS":
        httprequest = request.httprequest
        headers = dict(
            headers,
            **cors.answer_headers(
                httprequest.headers, [httprequest.base_url], cors_policy
            ),
        )
    return respond(headers, body, status)
