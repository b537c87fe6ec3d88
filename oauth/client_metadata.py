# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Client metadata (RFC 7591 §2): checked and turned into the values of an
application, and back. Shared by Dynamic Client Registration (RFC 7591,
RFC 7592) and Client ID Metadata Documents: values in, values out, no
database. Every refusal is a :class:`ClientMetadataError` carrying the error
code of RFC 7591 §3.2.2."""

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .client_assertions import (
    CLIENT_SECRET_JWT,
    PRIVATE_KEY_JWT,
    SIGNING_ALGORITHMS,
)
from .constants import (
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    IMPLICIT,
    PASSWORD,
    REFRESH_TOKEN,
)
from .redirect_uris import WEB_SCHEMES, is_registrable

# RFC 7591 §3.2.2 error codes
INVALID_REDIRECT_URI = "invalid_redirect_uri"
INVALID_CLIENT_METADATA = "invalid_client_metadata"
INVALID_SOFTWARE_STATEMENT = "invalid_software_statement"
UNAPPROVED_SOFTWARE_STATEMENT = "unapproved_software_statement"

# token_endpoint_auth_method (RFC 7591 §2): the methods this server supports.
CLIENT_SECRET_BASIC = "client_secret_basic"
CLIENT_SECRET_POST = "client_secret_post"
NONE = "none"
AUTH_METHODS = (
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    CLIENT_SECRET_JWT,
    PRIVATE_KEY_JWT,
    NONE,
)
# The methods of a client that holds a secret this server issues.
SECRET_AUTH_METHODS = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, CLIENT_SECRET_JWT)
# RFC 7591 §2: the default when a client names none.
DEFAULT_AUTH_METHOD = CLIENT_SECRET_BASIC

# grant_types (RFC 7591 §2) -> the application's field that allows each
GRANT_TYPE_FIELDS = {
    AUTHORIZATION_CODE: "grant_authorization_code",
    IMPLICIT: "grant_implicit",
    PASSWORD: "grant_password",
    CLIENT_CREDENTIALS: "grant_client_credentials",
    REFRESH_TOKEN: "issue_refresh_token",
}
# response_types -> the grant types they need (RFC 7591 §2.1, and OpenID
# Connect's implicit and hybrid flows)
RESPONSE_TYPE_GRANTS = {
    "code": {AUTHORIZATION_CODE},
    "token": {IMPLICIT},
    "id_token": {IMPLICIT},
    "id_token token": {IMPLICIT},
    "code id_token": {AUTHORIZATION_CODE, IMPLICIT},
    "code token": {AUTHORIZATION_CODE, IMPLICIT},
    "code id_token token": {AUTHORIZATION_CODE, IMPLICIT},
}
# RFC 7591 §2: what a client that names none gets.
DEFAULT_GRANT_TYPES = (AUTHORIZATION_CODE,)
DEFAULT_RESPONSE_TYPES = ("code",)

# Limits that keep a registration small: nothing an honest client needs more
# of, and a table of self-registered clients that cannot be filled with junk.
MAX_BODY_BYTES = 64 * 1024
MAX_URI_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 255
MAX_REDIRECT_URIS = 20
MAX_CONTACTS = 10
MAX_SCOPES = 50
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")

# Human-readable URIs the consent page may link to (RFC 7591 §2).
LINK_MEMBERS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
# Plain strings stored as they are.
TEXT_MEMBERS = {
    "client_name": MAX_NAME_LENGTH,
    "software_id": MAX_TEXT_LENGTH,
    "software_version": MAX_TEXT_LENGTH,
}
# Booleans, each the application field of its name: RFC 9126 §6
BOOLEAN_MEMBERS = ("require_pushed_authorization_requests",)
# Members the server issues (RFC 7591 §3.2.1, RFC 7592 §2.2): a client that
# sends them is confused or trying to choose its own credentials.
SERVER_ISSUED = (
    "registration_access_token",
    "registration_client_uri",
    "client_id_issued_at",
    "client_secret_expires_at",
)


class ClientMetadataError(Exception):
    """Client metadata that cannot be registered: ``error`` is an RFC 7591
    §3.2.2 code, ``description`` says why, in English, for the client's
    developer."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass
class ClientMetadata:
    """What valid client metadata asks for: the application's ``values``
    (field name -> value), the ``scopes`` it requests (names, in order,
    unchecked against the server's scopes), and the ``client_id`` and
    ``client_secret`` it names, if any, for the caller to compare."""

    values: dict[str, Any]
    scopes: list[str] = field(default_factory=list)
    client_id: str | None = None
    client_secret: str | None = None


def _refuse(description, error=INVALID_CLIENT_METADATA):
    raise ClientMetadataError(error, description)


def parse_json(body: bytes | str) -> dict[str, Any]:
    """The JSON object of a request body or a fetched document; refuses an
    oversized, non-UTF-8, non-JSON body or one that is not an object."""
    if len(body) > MAX_BODY_BYTES:
        _refuse(f"The client metadata is larger than {MAX_BODY_BYTES} bytes.")
    try:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        document = json.loads(body)
    # RecursionError: arrays or objects nested deeper than Python recurses
    except (UnicodeDecodeError, ValueError, RecursionError):
        _refuse("The client metadata is not a JSON document.")
    if not isinstance(document, dict):
        _refuse("The client metadata must be a JSON object.")
    return document


def _string(metadata, name, max_length):
    value = metadata.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        _refuse(f"{name} must be a string.")
    value = value.strip()
    if len(value) > max_length:
        _refuse(f"{name} may be at most {max_length} characters long.")
    if not value.isprintable():
        _refuse(f"{name} holds control characters.")
    return value or None


def _boolean(metadata, name):
    value = metadata.get(name, False)
    if not isinstance(value, bool):
        _refuse(f"{name} must be true or false.")
    return value


def _string_list(metadata, name, max_items, max_length):
    value = metadata.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _refuse(f"{name} must be an array of strings.")
    if len(value) > max_items:
        _refuse(f"{name} may list at most {max_items} values.")
    for item in value:
        if len(item) > max_length:
            _refuse(f"A value of {name} is longer than {max_length} characters.")
        if not item.isprintable():
            _refuse(f"A value of {name} holds control characters.")
    # in order, without repeats
    return list(dict.fromkeys(value))


def _is_web_uri(uri):
    return is_registrable(uri) and urlsplit(uri).scheme.lower() in WEB_SCHEMES


def _redirect_uris(metadata, name):
    uris = _string_list(metadata, name, MAX_REDIRECT_URIS, MAX_URI_LENGTH)
    for uri in uris or ():
        if not is_registrable(uri):
            _refuse(
                f"{uri!r} cannot be a redirect URI: give an absolute https URI, "
                "an http URI on a loopback host (127.0.0.1, [::1] or localhost) "
                "or a private-use scheme such as com.example.app:/callback; "
                "never a fragment, a user name, or a scheme such as javascript:.",
                INVALID_REDIRECT_URI,
            )
    return uris


def _scopes(metadata):
    scope = _string(metadata, "scope", 4096)
    names = (scope or "").split()
    if len(names) > MAX_SCOPES:
        _refuse(f"scope may name at most {MAX_SCOPES} scopes.")
    for name in names:
        if not SCOPE_TOKEN.fullmatch(name):
            _refuse("scope holds characters a scope name cannot have.")
    return list(dict.fromkeys(names))


def _grants(metadata, allowed_grant_types):
    grant_types = _string_list(metadata, "grant_types", 10, 200)
    response_types = _string_list(metadata, "response_types", 10, 200)
    grant_types = grant_types or list(DEFAULT_GRANT_TYPES)
    if response_types is None:
        # RFC 7591 §2: code by default; none when the client asks for no
        # grant that redirects
        response_types = (
            list(DEFAULT_RESPONSE_TYPES) if AUTHORIZATION_CODE in grant_types else []
        )
    refused = [grant for grant in grant_types if grant not in allowed_grant_types]
    if refused:
        _refuse(
            f"This server does not register clients for the grant types "
            f"{', '.join(refused)}; it allows "
            f"{', '.join(sorted(allowed_grant_types)) or 'none'}."
        )
    for response_type in response_types:
        needed = RESPONSE_TYPE_GRANTS.get(" ".join(sorted(response_type.split())))
        if needed is None:
            _refuse(f"The response type {response_type!r} is not supported.")
        if not needed <= set(grant_types):
            _refuse(
                f"The response type {response_type!r} needs the grant types "
                f"{', '.join(sorted(needed))} (RFC 7591 §2.1)."
            )
    redirecting = {AUTHORIZATION_CODE, IMPLICIT} & set(grant_types)
    used = set().union(
        *(
            RESPONSE_TYPE_GRANTS[" ".join(sorted(response_type.split()))]
            for response_type in response_types
        )
    )
    for grant in sorted(redirecting - used):
        _refuse(
            f"The grant type {grant} needs a response type that uses it "
            "(RFC 7591 §2.1)."
        )
    if set(grant_types) == {REFRESH_TOKEN}:
        _refuse("refresh_token alone obtains no token: add a grant that does.")
    return grant_types, response_types


def _signing_alg(metadata, auth_method):
    algorithm = _string(metadata, "token_endpoint_auth_signing_alg", 20)
    if algorithm is None:
        return None
    allowed = SIGNING_ALGORITHMS.get(auth_method, ())
    if algorithm not in allowed:
        _refuse(
            f"token_endpoint_auth_signing_alg {algorithm!r} is not one of "
            f"{auth_method}'s here: {', '.join(allowed) or 'none'}."
        )
    return algorithm


def _keys(metadata):
    """``(jwks, jwks_uri)``: the JWKS as JSON text, or its URI (RFC 7591
    §2: never both); whether they hold usable keys, the application's rules
    tell."""
    jwks = metadata.get("jwks")
    jwks_uri = _string(metadata, "jwks_uri", MAX_URI_LENGTH)
    if jwks is not None and jwks_uri:
        _refuse("jwks and jwks_uri cannot both be given (RFC 7591 §2).")
    if jwks is None:
        return None, jwks_uri
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        _refuse('jwks must be a JSON object whose "keys" is an array.')
    return json.dumps(jwks, separators=(",", ":")), None


def parse_client_metadata(
    metadata: Mapping[str, Any],
    allowed_grant_types: Collection[str] = (AUTHORIZATION_CODE, REFRESH_TOKEN),
    allowed_auth_methods: Collection[str] = AUTH_METHODS,
    client_secret_allowed: bool = False,
) -> ClientMetadata:
    """Check RFC 7591 client ``metadata`` (a parsed JSON object) and return
    what it asks for as a :class:`ClientMetadata`.

    Only grants among ``allowed_grant_types`` and token endpoint
    authentication methods among ``allowed_auth_methods`` are accepted
    (a metadata document, say, allows no shared secret). ``client_secret``
    is refused unless ``client_secret_allowed`` (RFC 7592 §2.2, where the
    caller compares it); the members the server issues always. Unknown
    members are ignored (RFC 7591 §2)."""
    if not isinstance(metadata, Mapping):
        _refuse("The client metadata must be a JSON object.")
    for name in SERVER_ISSUED:
        if name in metadata:
            _refuse(f"{name} is issued by the server; a client does not send it.")
    client_secret = metadata.get("client_secret")
    if client_secret is not None and not client_secret_allowed:
        _refuse("A client does not choose its client_secret; the server issues it.")
    if client_secret is not None and not isinstance(client_secret, str):
        _refuse("client_secret must be a string.")
    client_id = metadata.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        _refuse("client_id must be a string.")
    if "software_statement" in metadata:
        # RFC 7591 §2.3: a statement signed by a party this server would
        # have to trust; none is configured, so none can be approved.
        _refuse(
            "This server trusts no software statement issuer.",
            UNAPPROVED_SOFTWARE_STATEMENT,
        )

    auth_method = _string(metadata, "token_endpoint_auth_method", 100)
    auth_method = auth_method or DEFAULT_AUTH_METHOD
    if auth_method not in allowed_auth_methods:
        _refuse(
            f"The token endpoint authentication method {auth_method!r} is not "
            f"supported here; use one of {', '.join(allowed_auth_methods)}."
        )
    if auth_method == NONE and client_secret:
        _refuse("A client that authenticates with none has no client_secret.")
    signing_alg = _signing_alg(metadata, auth_method)
    jwks, jwks_uri = _keys(metadata)
    if auth_method == PRIVATE_KEY_JWT and not (jwks or jwks_uri):
        _refuse("private_key_jwt needs the client's public keys: jwks or jwks_uri.")

    grant_types, _response_types = _grants(metadata, allowed_grant_types)
    redirect_uris = _redirect_uris(metadata, "redirect_uris")
    if {AUTHORIZATION_CODE, IMPLICIT} & set(grant_types) and not redirect_uris:
        _refuse(
            "redirect_uris must list at least one URI for the grant types that "
            "redirect.",
            INVALID_REDIRECT_URI,
        )
    post_logout_redirect_uris = _redirect_uris(metadata, "post_logout_redirect_uris")

    dpop_bound = metadata.get("dpop_bound_access_tokens", False)
    if not isinstance(dpop_bound, bool):
        _refuse("dpop_bound_access_tokens must be true or false.")
    values = {
        "client_type": "public" if auth_method == NONE else "confidential",
        # RFC 9449 §5.2
        "dpop_bound_access_tokens": dpop_bound,
        "token_endpoint_auth_method": auth_method,
        "token_endpoint_auth_signing_alg": signing_alg or False,
        "jwks": jwks or False,
        "jwks_uri": jwks_uri or False,
        "redirect_uris": "\n".join(redirect_uris or ()) or False,
        "post_logout_redirect_uris": "\n".join(post_logout_redirect_uris or ())
        or False,
    }
    for grant, field_name in GRANT_TYPE_FIELDS.items():
        values[field_name] = grant in grant_types
    for name in LINK_MEMBERS:
        uri = _string(metadata, name, MAX_URI_LENGTH)
        if uri and not _is_web_uri(uri):
            _refuse(
                f"{name} must be an absolute https URI (http only on a loopback "
                "host), without a fragment or a user name."
            )
        values[name] = uri or False
    for name, max_length in TEXT_MEMBERS.items():
        values[name] = _string(metadata, name, max_length) or False
    for name in BOOLEAN_MEMBERS:
        values[name] = _boolean(metadata, name)
    contacts = _string_list(metadata, "contacts", MAX_CONTACTS, MAX_TEXT_LENGTH)
    values["contacts"] = "\n".join(contact.strip() for contact in contacts or ())
    values["contacts"] = values["contacts"] or False
    # the application's name: client_name (RFC 7591 §2), which the consent
    # page shows; the caller names a client that gives none
    values["name"] = values.pop("client_name")
    return ClientMetadata(
        values=values,
        scopes=_scopes(metadata),
        client_id=client_id,
        client_secret=client_secret,
    )


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def client_metadata_of(values: Mapping[str, Any], scopes: Iterable[str]) -> dict:
    """The RFC 7591 §2 metadata of an application of ``values`` (as
    :func:`parse_client_metadata` returns them, or read from the record)
    granted ``scopes``: what the registration endpoints answer."""
    grant_types = [
        grant for grant, name in GRANT_TYPE_FIELDS.items() if values.get(name)
    ]
    metadata = {
        "client_name": values.get("name") or None,
        "redirect_uris": _lines(values.get("redirect_uris")),
        "token_endpoint_auth_method": values.get("token_endpoint_auth_method"),
        "grant_types": grant_types,
        "response_types": ["code"] if AUTHORIZATION_CODE in grant_types else [],
        "scope": " ".join(scopes),
    }
    if values.get("dpop_bound_access_tokens"):
        # RFC 9449 §5.2: false when left out
        metadata["dpop_bound_access_tokens"] = True
    post_logout = _lines(values.get("post_logout_redirect_uris"))
    if post_logout:
        metadata["post_logout_redirect_uris"] = post_logout
    if values.get("token_endpoint_auth_signing_alg"):
        metadata["token_endpoint_auth_signing_alg"] = values[
            "token_endpoint_auth_signing_alg"
        ]
    if values.get("jwks_uri"):
        metadata["jwks_uri"] = values["jwks_uri"]
    elif values.get("jwks"):
        metadata["jwks"] = json.loads(values["jwks"])
    for name in LINK_MEMBERS + ("software_id", "software_version"):
        if values.get(name):
            metadata[name] = values[name]
    contacts = _lines(values.get("contacts"))
    if contacts:
        metadata["contacts"] = contacts
    for name in BOOLEAN_MEMBERS:
        metadata[name] = bool(values.get(name))
    return {name: value for name, value in metadata.items() if value is not None}
