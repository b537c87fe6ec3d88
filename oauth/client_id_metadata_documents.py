# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document,
the registration the Model Context Protocol prefers): a client whose
``client_id`` is an https URL publishes its RFC 7591 metadata at that URL,
and this server fetches it, through :mod:`.outbound` only, instead of an
administrator registering the client.

Values in, values out: which client IDs are such URLs, which hosts an
administrator accepts, how long a document is kept, and what a fetched
document makes of an application (checked by :mod:`.client_metadata`)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from . import outbound
from .client_metadata import (
    NONE,
    ClientMetadata,
    ClientMetadataError,
    parse_client_metadata,
    parse_json,
)
from .constants import AUTHORIZATION_CODE, REFRESH_TOKEN
from .request_objects import PRIVATE_MEMBERS

# A client ID is shown on the consent page and kept in every token's row:
# an honest one is a short URL (the draft recommends it).
MAX_CLIENT_ID_LENGTH = 1024
# The draft's recommended maximum (Security Considerations): a larger
# document is refused, not read to its end.
MAX_DOCUMENT_BYTES = 5 * 1024
# Seconds a document is kept (its Cache-Control max-age, RFC 9111), within
# bounds: at least a minute, so that requests cannot make this server call a
# client's host on each of them; at most a day, so that a client's changes
# (its redirect URIs above all) are seen within one.
MIN_CACHE_SECONDS = 60
MAX_CACHE_SECONDS = 24 * 3600
# ... and without a max-age: an hour.
DEFAULT_CACHE_SECONDS = 3600
# What such a client may use: the code grant (PKCE, as a public client) and
# refresh tokens; no secret can be agreed with a document (the draft's
# Credential and Key Material Restrictions).
ALLOWED_GRANT_TYPES = (AUTHORIZATION_CODE, REFRESH_TOKEN)
# Scopes such clients may obtain when an administrator set none: signing in
# with OpenID Connect, and nothing of the API.
DEFAULT_SCOPES = "openid profile email"
# RFC 6838 media types of a JSON document: application/json and, as the draft
# allows, application/<something>+json.
JSON_MEDIA_TYPE = "application/json"
JSON_SUFFIX = "+json"


class InvalidMetadataDocument(Exception):
    """A document this server does not accept, or could not fetch; the
    message says why, in English, for the application's record and the
    server's log."""


class AcceptedHosts(NamedTuple):
    """The hosts an administrator accepts client IDs on: ``hosts`` exactly,
    and ``domains``' subdomains (``*.example.com``); empty, every host of
    the internet. ``invalid`` keeps the entries that were neither."""

    hosts: frozenset = frozenset()
    domains: tuple = ()
    invalid: tuple = ()

    def accepts(self, client_id: str) -> bool:
        """Whether the host of the Client Identifier URL ``client_id`` is
        accepted."""
        host = (urlsplit(client_id).hostname or "").rstrip(".")
        if not (self.hosts or self.domains):
            return True
        return host in self.hosts or any(
            host.endswith("." + domain) for domain in self.domains
        )


def parse_accepted_hosts(text: str | None) -> AcceptedHosts:
    """The :class:`AcceptedHosts` of a comma- or space-separated list of host
    names, each exact or ``*.`` followed by a domain, whose subdomains it
    accepts."""
    hosts, domains, invalid = set(), [], []
    for entry in (text or "").replace(",", " ").split():
        name = entry.lower().rstrip(".")
        wildcard = name.startswith("*.")
        if wildcard:
            name = name[2:]
        if not outbound.HOST_NAME.fullmatch(name) or name.replace(".", "").isdigit():
            invalid.append(entry)
        elif wildcard:
            domains.append(name)
        else:
            hosts.add(name)
    return AcceptedHosts(frozenset(hosts), tuple(domains), tuple(invalid))


def is_client_id_url(client_id: Any) -> bool:
    """Whether ``client_id`` is a Client Identifier URL (the draft's §2): an
    https URL with a host and a path, without user name, fragment nor dot
    segments, in printable ASCII and of a sensible length. Its query, which
    the draft only discourages, is allowed."""
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        return False
    if not (client_id.isascii() and client_id.isprintable()):
        return False
    if any(character in client_id for character in " #\\"):
        return False
    try:
        parts = urlsplit(client_id)
        host = parts.hostname
        # reading the port raises ValueError on one out of range
        port = parts.port
    except ValueError:
        return False
    # compared as strings (§2): HTTPS:// names another client than https://
    if not client_id.startswith("https://"):
        return False
    if not host or "@" in parts.netloc or port == 0:
        return False
    if not parts.path.startswith("/"):
        return False
    # a dot segment, even percent-encoded, makes two URLs of one document
    return not any(unquote(segment) in (".", "..") for segment in parts.path.split("/"))


def host_of(client_id: str) -> str:
    """The host (and port, if the URL names one) of the Client Identifier URL
    ``client_id``, which the consent page shows (the draft's OAuth Phishing
    Attacks)."""
    return urlsplit(client_id).netloc.lower()


def cache_seconds(cache_control: Iterable[str]) -> int:
    """How long a document answered with the ``Cache-Control`` header values
    ``cache_control`` is kept, in seconds: its ``max-age``, and the least
    allowed for no-store and no-cache (the row of its application is kept
    anyway), within :data:`MIN_CACHE_SECONDS` and :data:`MAX_CACHE_SECONDS`."""
    directives = {}
    for value in cache_control:
        for directive in value.split(","):
            name, _equals, argument = directive.strip().partition("=")
            directives.setdefault(name.strip().lower(), argument.strip().strip('"'))
    if "no-store" in directives or "no-cache" in directives:
        seconds = MIN_CACHE_SECONDS
    elif directives.get("max-age", "").isdigit():
        seconds = int(directives["max-age"])
    else:
        seconds = DEFAULT_CACHE_SECONDS
    return min(max(seconds, MIN_CACHE_SECONDS), MAX_CACHE_SECONDS)


def _is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith(JSON_SUFFIX)
    )


def document_metadata(document: Mapping[str, Any], client_id: str) -> ClientMetadata:
    """The :class:`~.client_metadata.ClientMetadata` of the parsed
    ``document`` fetched from ``client_id``, once it names that URL as its
    ``client_id`` and holds no secret nor private key (the draft's §3); its
    client authenticates with none, the only method without a shared secret
    this server serves (one that names none means none: it can have no
    secret). Raises :class:`InvalidMetadataDocument`."""
    if document.get("client_id") != client_id:
        raise InvalidMetadataDocument(
            "Its client_id is not the URL it was fetched from."
        )
    if "client_secret" in document or "client_secret_expires_at" in document:
        raise InvalidMetadataDocument(
            "It holds a client_secret: a Client ID Metadata Document shares "
            "no secret."
        )
    jwks = document.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if isinstance(keys, list) and any(
        isinstance(key, Mapping) and PRIVATE_MEMBERS & key.keys() for key in keys
    ):
        raise InvalidMetadataDocument("Its jwks holds private key material.")
    method = document.get("token_endpoint_auth_method", NONE)
    if method != NONE:
        raise InvalidMetadataDocument(
            f"It authenticates with {method!r}: a client of a Client ID "
            "Metadata Document authenticates with none here (no secret can be "
            "shared with it)."
        )
    try:
        return parse_client_metadata(
            {**document, "token_endpoint_auth_method": NONE},
            allowed_grant_types=ALLOWED_GRANT_TYPES,
            allowed_auth_methods=(NONE,),
        )
    except ClientMetadataError as error:
        raise InvalidMetadataDocument(error.description) from error


class FetchedDocument(NamedTuple):
    """A valid document: its ``metadata`` and the ``seconds`` it is kept."""

    metadata: ClientMetadata
    seconds: int


def fetch_document(
    client_id: str,
    allowed: outbound.AllowedNetworks = outbound.NO_ALLOWED_NETWORKS,
    deadline: float = outbound.DEFAULT_DEADLINE,
) -> FetchedDocument:
    """The document at the Client Identifier URL ``client_id``, fetched
    through :mod:`.outbound` (its address rules, one deadline, at most
    :data:`MAX_DOCUMENT_BYTES`, no redirect followed: the draft's §4 and its
    SSRF considerations) and checked; raises :class:`InvalidMetadataDocument`
    for any failure, which is not kept (the draft's §4.2)."""
    try:
        response = outbound.request(
            "GET",
            client_id,
            headers={"Accept": JSON_MEDIA_TYPE},
            allowed=allowed,
            deadline=deadline,
            max_bytes=MAX_DOCUMENT_BYTES + 1,
        )
    except outbound.OutboundError as error:
        raise InvalidMetadataDocument(f"It cannot be fetched: {error}.") from error
    if response.status != 200:
        # a redirect included: the document is at the URL or nowhere
        raise InvalidMetadataDocument(
            f"Its URL answered with status {response.status}, not 200."
        )
    if len(response.body) > MAX_DOCUMENT_BYTES:
        raise InvalidMetadataDocument(f"It is larger than {MAX_DOCUMENT_BYTES} bytes.")
    if not _is_json_media_type(response.headers.get("Content-Type")):
        raise InvalidMetadataDocument("It is not served as JSON (its Content-Type).")
    try:
        document = parse_json(response.body)
    except ClientMetadataError as error:
        raise InvalidMetadataDocument(error.description) from error
    return FetchedDocument(
        document_metadata(document, client_id),
        cache_seconds(response.headers.get_all("Cache-Control") or ()),
    )


def application_values(
    client_id: str, metadata: ClientMetadata, allowed_scopes: Sequence[str]
) -> tuple[dict[str, Any], list[str]]:
    """``(values, scopes)`` of the application a valid document's
    ``metadata`` makes: a public client of the code grant (with refresh
    tokens if it asks for them) named by its ``client_name`` or else its
    host, and the scopes it asks for among ``allowed_scopes`` (those an
    administrator allows such clients), all of them when it asks for none.
    Raises :class:`InvalidMetadataDocument` when none is left: an
    application without scopes would obtain every scope."""
    requested = metadata.scopes
    scopes = (
        [name for name in requested if name in allowed_scopes]
        if requested
        else list(dict.fromkeys(allowed_scopes))
    )
    if not scopes:
        raise InvalidMetadataDocument(
            "None of the scopes it asks for may be granted to clients of "
            "Client ID Metadata Documents here."
        )
    values = dict(metadata.values)
    values.update(
        name=values.get("name") or host_of(client_id),
        client_id=client_id,
        client_type="public",
        token_endpoint_auth_method=NONE,
        grant_authorization_code=True,
        grant_implicit=False,
        grant_password=False,
        grant_client_credentials=False,
    )
    return values, scopes
