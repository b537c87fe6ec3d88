# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import re
import time
from urllib.parse import urlencode

from oauthlib.oauth2.rfc6749 import errors

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..oauth import acr, oidc, routes
from ..oauth.constants import OPENID_SCOPE
from ..oauth.http_adapter import posted
from ..oauth.page_headers import NO_FRAMING, NOT_KEPT
from ..oauth.pushed_requests import InvalidRequestURI, is_pushed_request_uri
from ..oauth.redirect_uris import destination
from ..oauth.response_modes import FORM_POST, form_post_page
from ..oauth.responses import error_location, with_issuer
from ..provider.checks import ACR_STEP_UP
from ..provider.configuration import issuer
from ..provider.server import authorization_response, validate_authorization_request
from ..provider.validator import set_by_server
from .common import posted_from_this_session
from .logout import after_logout

# The decision of the page asking a logged-in user to log in again
REAUTHENTICATE = "reauthenticate"
# The decisions of the page asking a logged-in user which account to use
# (prompt=select_account)
CONTINUE_AS_USER = "continue"
SWITCH_ACCOUNT = "switch_account"
# The decision of the page asking for the second factor, and its code's field
SECOND_FACTOR = "second_factor"
SECOND_FACTOR_CODE = "totp_token"
# How long a login asked for an authorization request lets it go on
REAUTHENTICATION_SECONDS = 600
# The fields this endpoint's own pages post, which are no part of the
# authorization request: read only from the body of such a POST, and never
# handed on from a query, where any link could have put them.
DECISION = "decision"
PAGE_FIELDS = frozenset({DECISION, "csrf_token", SECOND_FACTOR_CODE})
# Where the HTTP request keeps its authorization parameters once a request
# object is unpacked into them
UNPACKED = "oauth2_unpacked_parameters"
# Where the HTTP request keeps the pushed request its request_uri names
# (RFC 9126 §4), False when it names none
PUSHED = "oauth2_pushed_request"
# The session's record of the pushed request for which the user chose to
# continue with their account (prompt=select_account): the pages post the
# request_uri back, not a request without select_account.
PUSHED_ACCOUNT_CHOSEN = "oauth2_pushed_account_chosen"


class OAuth2AuthorizationEndpoint(http.Controller):
    # CSRF is checked here, for the decisions of the pages this endpoint
    # shows: a relying party may POST the authorization request itself
    # (OpenID Connect Core §3.1.2.1), which carries no CSRF token.
    @http.route(
        routes.AUTHORIZE,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
    )
    def authorize(self, **_params):
        """GET asks the user (or answers at once when consent is on file); the
        pages POST the user's decision to the same URL, query string included.

        A decision counts only in the body of a POST with this session's CSRF
        token: any page can make a browser follow a link, and a decision in
        a query would consent, or log out, for the user.

        The request is checked before anyone logs in, so that a client learns
        of its mistakes without a login page, and ``prompt=none`` is answered
        without one (OpenID Connect Core §3.1.2.1).
        """
        decision = posted(request.httprequest, DECISION)
        if decision is not None and not posted_from_this_session():
            return self._error_page(errors.InvalidRequestError())
        try:
            pushed = self._pushed()
        except InvalidRequestURI as error:
            return self._error_page(error)
        user = request.env.user
        session_user = None if user._is_public() else user
        auth_time = self._auth_time(session_user)
        sid = session_user and request.env["oauth2.session"]._sid_of(
            request.session.sid
        )
        amr = session_user and request.session.get(oidc.SESSION_AMR) or ()
        uri = self._request_uri()
        try:
            scopes, oauth_request = validate_authorization_request(
                request.env,
                self._authorization_uri(),
                session_user,
                auth_time,
                sid,
                amr,
                request_object_problem=self._unpacked()[1],
                pushed=bool(pushed),
            )
        except errors.FatalClientError as error:
            # never redirect to a URI that is not registered (RFC 6749 §4.1.2.1)
            return self._error_page(error)
        except errors.OAuth2Error as error:
            if not error.redirect_uri:
                # oauthlib raises some errors without their request
                return self._error_page(error)
            return self._respond_error(error)
        if decision == "deny":
            return self._respond_error(errors.AccessDeniedError(request=oauth_request))
        if self._must_log_in(oauth_request, session_user, auth_time):
            if session_user and decision != REAUTHENTICATE:
                # Ending the session takes the user's word: a page of another
                # site could otherwise log them out with a link.
                return self._reauthentication_page(oauth_request, uri)
            return self._log_in(oauth_request, session_user)
        if self._must_select_account(oauth_request, auth_time):
            if decision == SWITCH_ACCOUNT:
                return self._log_in(oauth_request, session_user, another=True)
            return self._select_account_page(oauth_request, uri)
        if decision in (REAUTHENTICATE, SWITCH_ACCOUNT):
            # sent twice: the login it asked for has happened
            decision = None
        if set_by_server(oauth_request, ACR_STEP_UP):
            if decision == SECOND_FACTOR:
                return self._check_second_factor(oauth_request, uri)
            return self._second_factor_page(oauth_request, uri)
        application = oauth_request.client
        if decision == "allow":
            request.env["oauth2.consent"]._grant(user, application, scopes)
        elif oidc.PROMPT_CONSENT in oidc.prompts(oauth_request) or request.env[
            "oauth2.consent"
        ]._is_needed(user, application, scopes):
            return self._consent_page(oauth_request, scopes, uri)
        return self._issue(oauth_request, user)

    @staticmethod
    def _auth_time(session_user):
        """When the session's user logged in, in seconds: the time every
        login records, or for a session older than this module, the user's
        last login."""
        if not session_user:
            return None
        return request.session.get(oidc.SESSION_AUTH_TIME) or oidc.as_seconds(
            session_user.sudo().login_date
        )

    def _request_parameters(self):
        """The authorization request's parameters, with those of its request
        object, if any, in place of the object (RFC 9101): what is validated,
        and what the pages post back and the login returns to, so that the
        object is verified once. Once the user chose to continue with their
        account, the request goes on without select_account in its prompt,
        which is answered: the pages that follow post the request so, and ask
        no more. A pushed request's are those pushed (RFC 9126 §4)."""
        parameters = self._unpacked()[0]
        if self._continued_as_user():
            parameters = oidc.without_prompt(parameters, oidc.PROMPT_SELECT_ACCOUNT)
        return parameters

    def _continued_as_user(self):
        """Whether the user chose to continue with their account: in the
        body of this POST, or, for a pushed request, whose pages post its
        request_uri back, in one before it."""
        continued = posted(request.httprequest, DECISION) == CONTINUE_AS_USER
        pushed = self._pushed()
        if not pushed:
            return continued
        if continued:
            request.session[PUSHED_ACCOUNT_CHOSEN] = pushed.id
        return request.session.get(PUSHED_ACCOUNT_CHOSEN) == pushed.id

    def _pushed(self):
        """The pushed request whose request_uri the request names with its
        client_id (RFC 9126 §4), opened once per HTTP request, else None;
        raises :class:`InvalidRequestURI` when it names one that cannot be
        used."""
        pushed = getattr(request, PUSHED, None)
        if pushed is None:
            given = self._given_parameters()
            request_uris = [value for name, value in given if name == "request_uri"]
            client_ids = [value for name, value in given if name == "client_id"]
            pushed = False
            if any(map(is_pushed_request_uri, request_uris)):
                if len(request_uris) > 1 or len(client_ids) != 1:
                    raise InvalidRequestURI(
                        description="A pushed request is named by one request_uri "
                        "and one client_id."
                    )
                pushed = request.env["oauth2.pushed.authorization.request"]._open(
                    request_uris[0], client_ids[0]
                )
            setattr(request, PUSHED, pushed)
        return pushed or None

    def _consume_pushed(self):
        """Use up the pushed request this authorization request answers
        (RFC 9126 §4: once): whether it may be answered, which it may not
        when another request used it up meanwhile."""
        pushed = self._pushed()
        return not pushed or pushed._consume()

    def _unpacked(self):
        """``(parameters, problem)`` of the request's given parameters once
        the application unpacked its request object, once per HTTP request;
        a pushed request's are those pushed, its request object unpacked
        then."""
        unpacked = getattr(request, UNPACKED, None)
        if unpacked is None:
            pushed = self._pushed()
            if pushed:
                unpacked = pushed._parameters(), None
            else:
                unpacked = request.env["oauth2.application"]._unpack_request_object(
                    self._given_parameters()
                )
            setattr(request, UNPACKED, unpacked)
        return unpacked

    @staticmethod
    def _given_parameters():
        """The authorization request's parameters as sent: those of the
        query, or those of the form when the client POSTed the request
        itself; never the fields of this endpoint's pages."""
        httprequest = request.httprequest
        if httprequest.method == "POST" and PAGE_FIELDS.isdisjoint(httprequest.form):
            given = httprequest.form
        else:
            given = httprequest.args
        return [
            (name, value)
            for name, value in given.items(multi=True)
            if name not in PAGE_FIELDS
        ]

    def _authorization_uri(self):
        """The request as oauthlib reads it: its parameters in the query,
        encoded again, since oauthlib refuses some characters clients send
        unencoded."""
        return f"{request.httprequest.base_url}?{urlencode(self._request_parameters())}"

    def _page_parameters(self):
        """The parameters the pages post back and the login returns to: the
        request's, or a pushed request's client_id and request_uri, which
        name it until it is answered."""
        if not self._pushed():
            return self._request_parameters()
        return [
            (name, value)
            for name, value in self._given_parameters()
            if name in ("client_id", "request_uri")
        ]

    def _request_uri(self):
        """Where the pages post the user's decisions: this endpoint, with
        the parameters of :meth:`_page_parameters` in the query."""
        return f"{request.httprequest.base_url}?{urlencode(self._page_parameters())}"

    def _request_digest(self):
        # The authorization request a login was asked for, whatever host it
        # comes back through and however its query is encoded.
        query = urlencode(sorted(self._request_parameters()))
        return hashlib.sha256(query.encode()).hexdigest()

    def _asked_login(self):
        """The login this endpoint asked for this very request, if recent."""
        asked = request.session.get(oidc.SESSION_REAUTHENTICATION) or {}
        if asked.get("request") != self._request_digest():
            return None
        if time.time() - asked.get("at", 0) > REAUTHENTICATION_SECONDS:
            return None
        return asked

    def _must_log_in(self, oauth_request, session_user, auth_time):
        """Whether the user must log in first: nobody is logged in, or an
        OpenID Connect request asks for a new login (prompt=login, or
        max_age), unless the login this endpoint asked for that same request
        has just happened."""
        if not session_user:
            return True
        if OPENID_SCOPE not in oauth_request.scopes:
            return False
        asks = oidc.PROMPT_LOGIN in oidc.prompts(
            oauth_request
        ) or oidc.authenticated_too_long_ago(oauth_request, auth_time)
        return asks and not self._logged_in_as_asked(auth_time)

    def _must_select_account(self, oauth_request, auth_time):
        """Whether the logged-in user must say which account to use first
        (prompt=select_account of an OpenID Connect request, §3.1.2.1),
        unless they have just logged in for this very request, choosing it."""
        return (
            OPENID_SCOPE in oauth_request.scopes
            and oidc.PROMPT_SELECT_ACCOUNT in oidc.prompts(oauth_request)
            and not self._logged_in_as_asked(auth_time)
        )

    def _logged_in_as_asked(self, auth_time):
        """Whether the login this endpoint asked for this request happened."""
        asked = self._asked_login()
        return bool(asked and auth_time and auth_time >= asked["at"])

    def _log_in(self, oauth_request, session_user, another=False):
        """Odoo's login page, back to this request afterwards: the session
        ends first when a new login was asked for, since Odoo sends a
        logged-in user straight on. The login field holds the request's
        login_hint, else the user's login unless they asked to use
        ``another`` account."""
        login_hint = oauth_request.login_hint or (
            session_user and not another and session_user.login
        )
        if session_user:
            request.session.logout(keep_db=True)
        request.session[oidc.SESSION_REAUTHENTICATION] = {
            "request": self._request_digest(),
            "at": int(time.time()),
        }
        query = urlencode(self._page_parameters())
        return_to = f"{request.httprequest.path}?{query}"
        return after_logout(request.redirect(oidc.login_url(return_to, login_hint)))

    def _select_account_page(self, oauth_request, uri):
        response = request.render(
            "orestapi_oauth2.oauth2_select_account_page",
            {
                "application": oauth_request.client,
                "action_url": uri,
                "continue_as_user": CONTINUE_AS_USER,
                "switch_account": SWITCH_ACCOUNT,
            },
        )
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _reauthentication_page(self, oauth_request, uri):
        response = request.render(
            "orestapi_oauth2.oauth2_reauthenticate_page",
            {"application": oauth_request.client, "action_url": uri},
        )
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _second_factor_page(self, oauth_request, uri, error=None):
        response = request.render(
            "orestapi_oauth2.oauth2_second_factor_page",
            {"application": oauth_request.client, "action_url": uri, "error": error},
        )
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _check_second_factor(self, oauth_request, uri):
        """The code the second factor page posted: when right, the session's
        login has a second factor, and the request goes on, asked again
        (GET) so that it is checked with it; else the page again, saying
        why."""
        code = re.sub(r"\s", "", posted(request.httprequest, SECOND_FACTOR_CODE) or "")
        if not re.fullmatch(r"[0-9]{6}", code):
            error = request.env._("Invalid authentication code format.")
            return self._second_factor_page(oauth_request, uri, error)
        try:
            request.env.user._oauth2_check_second_factor(int(code))
        except AccessDenied as denied:
            return self._second_factor_page(oauth_request, uri, str(denied))
        request.session[oidc.SESSION_AMR] = acr.with_second_factor(
            request.session.get(oidc.SESSION_AMR) or ()
        )
        response = request.redirect(uri, code=303)
        response.headers.update(NOT_KEPT)
        return response

    def _issue(self, oauth_request, user):
        """The authorization response granting what ``user`` approved, once
        its pushed request, if any, is used up."""
        if not self._consume_pushed():
            return self._error_page(InvalidRequestURI())
        headers, _body, _status = authorization_response(oauth_request, user)
        return self._respond(headers["Location"], oauth_request)

    def _respond_error(self, error):
        """The authorization response refusing the request for ``error``,
        which uses up its pushed request too."""
        if not self._consume_pushed():
            return self._error_page(InvalidRequestURI())
        return self._respond(error_location(error), error)

    def _respond(self, location, answered):
        """The authorization response at ``location``, for ``answered``
        (the oauthlib request or error): a redirect naming the issuer, or
        with response_mode=form_post, a page posting it."""
        if self._asked_login():
            request.session.pop(oidc.SESSION_REAUTHENTICATION)
        location = with_issuer(location, issuer(request.env))
        if answered.response_mode == FORM_POST:
            headers, body = form_post_page(location, answered.redirect_uri)
            return request.make_response(body, headers=list(headers.items()))
        response = request.redirect(location, local=False)
        response.headers.update(NOT_KEPT)
        return response

    def _consent_page(self, oauth_request, scopes, uri):
        application = oauth_request.client
        lang = oidc.odoo_lang(
            oauth_request.ui_locales,
            [code for code, _name in request.env["res.lang"].get_installed()],
        )
        if lang:
            request.update_context(lang=lang)
        response = request.render(
            "orestapi_oauth2.oauth2_consent_page",
            {
                "application": application,
                "scopes": request.env["oauth2.scope"]._by_names(scopes),
                "action_url": uri,
                "destination": destination(oauth_request.redirect_uri),
            },
        )
        response.headers.update(NO_FRAMING, **NOT_KEPT)
        return response

    def _error_page(self, error):
        not_registered = request.env._(
            "The return address is not registered for this application."
        )
        messages = {
            errors.MissingClientIdError: request.env._(
                "The request does not say which application asks."
            ),
            errors.InvalidClientIdError: request.env._(
                "This application is unknown or disabled."
            ),
            errors.MissingRedirectURIError: request.env._(
                "The request does not say where to return, and the application has "
                "no single registered address."
            ),
            oidc.RedirectURIRequired: request.env._(
                "An OpenID Connect request must say where to return "
                "(redirect_uri), even when the application has a single address."
            ),
            errors.InvalidRedirectURIError: not_registered,
            errors.MismatchingRedirectURIError: not_registered,
            InvalidRequestURI: request.env._(
                "This authorization request is unknown, has expired or was already "
                "answered; return to the application and start again."
            ),
        }
        # Otherwise a parameter is repeated or cannot be parsed.
        message = messages.get(
            type(error), request.env._("The authorization request is malformed.")
        )
        response = request.render(
            "orestapi_oauth2.oauth2_error_page", {"message": message}, status=400
        )
        response.headers.update(NO_FRAMING)
        return response
