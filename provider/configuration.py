# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the protocol package needs of the database's configuration, read
here and handed to it as values: the issuer, the server's own origins, the
key of the stored hashes and the metadata's offer."""

from ..oauth import cors, metadata, secrets
from ..oauth.constants import (
    CLIENT_ID_METADATA_DOCUMENTS_PARAM,
    CLIENT_REGISTRATION_PARAM,
    ISSUER_URL_PARAM,
    REGISTRATION_MODES,
    REGISTRATION_OFF,
)


def issuer(env):
    """The URL that names this server to its clients (RFC 8414 §2, RFC 9207)."""
    parameters = env["ir.config_parameter"].sudo()
    return metadata.issuer_from(
        parameters.get_param(ISSUER_URL_PARAM), parameters.get_param("web.base.url")
    )


def own_origins(env, request_url):
    """The origins of this server's own pages: that of the URL a request came
    to, and those it is known by behind a proxy that does not pass the host
    on (the Issuer URL, ``web.base.url``)."""
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url")
    return {cors.origin_of(url) for url in (request_url, issuer(env), base_url or "")}


def cross_origin(env, headers, request_url):
    """The Origin of a request to ``request_url`` sent by a page of another
    origin than this server's; None for a same-origin request or one not sent
    by a browser, which costs no look-up of the server's origins."""
    if not headers.get("Origin"):
        return None
    return cors.cross_origin(headers, own_origins(env, request_url))


def hash_secret(env, purpose, value):
    """The keyed hash under which ``value`` is stored, keyed with the
    database secret (:func:`~..oauth.secrets.hash_secret`)."""
    database_secret = env["ir.config_parameter"].sudo().get_param("database.secret")
    return secrets.hash_secret(database_secret, purpose, value)


def _database_secret(env):
    return env["ir.config_parameter"].sudo().get_param("database.secret")


def encrypt_secret(env, owner, value):
    """``value`` sealed for ``owner`` under the database secret
    (:func:`~..oauth.secrets.encrypt_secret`)."""
    return secrets.encrypt_secret(_database_secret(env), owner, value)


def decrypt_secret(env, owner, stored):
    """What :func:`encrypt_secret` sealed for ``owner``, else None."""
    return secrets.decrypt_secret(_database_secret(env), owner, stored)


def server_metadata(env):
    """RFC 8414 and OpenID Connect Discovery metadata of this server."""
    return metadata.server_metadata(
        issuer(env),
        env["oauth2.scope"]._all_names(),
        env["oauth2.application"]._code_challenge_methods(),
        registration=client_registration_mode(env) != REGISTRATION_OFF,
        client_id_metadata_documents=metadata_documents_enabled(env),
        protected_resources=env["oauth2.resource"]._identifiers(),
    )


def client_registration_mode(env):
    """Whether clients may register themselves (RFC 7591): off, token or
    open; off when unset or set by hand to anything else."""
    value = env["ir.config_parameter"].sudo().get_param(CLIENT_REGISTRATION_PARAM)
    return value if value in REGISTRATION_MODES else REGISTRATION_OFF


def metadata_documents_enabled(env):
    """Whether client IDs that are URLs of Client ID Metadata Documents are
    served: the setting is ``on``."""
    value = (
        env["ir.config_parameter"].sudo().get_param(CLIENT_ID_METADATA_DOCUMENTS_PARAM)
    )
    return (value or "").strip().lower() == "on"
