"""Names shared by the protocol code and the models: grant and token types,
the scopes that mean something to the server, and the labels under which
secrets are hashed."""

# RFC 6749 §4, and the implicit grant's response (§4.2), which the token list
# names like a grant. Labels as the token list shows them.
AUTHORIZATION_CODE = "authorization_code"
IMPLICIT = "implicit"
PASSWORD = "password"
CLIENT_CREDENTIALS = "client_credentials"
REFRESH_TOKEN = "refresh_token"
# RFC 8628 §3.4: the device authorization grant, for devices that cannot
# show a browser; its user approves on another device.
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8693 §2.1: a client trades a token it was given for one of the same
# user for another resource (an MCP server calling Odoo's APIs for its user).
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GRANT_TYPES = {
    AUTHORIZATION_CODE: "Authorization Code",
    IMPLICIT: "Implicit",
    PASSWORD: "Password",
    CLIENT_CREDENTIALS: "Client Credentials",
    REFRESH_TOKEN: "Refresh Token",
    DEVICE_CODE: "Device Code",
    TOKEN_EXCHANGE: "Token Exchange",
}
# RFC 6749 §2.1: a public client cannot keep a secret, so it may not use the
# grants where the client itself is trusted.
CONFIDENTIAL_ONLY_GRANTS = frozenset({PASSWORD, CLIENT_CREDENTIALS, TOKEN_EXCHANGE})
# RFC 8693 §3: the token type identifiers of the subject token and of the
# issued one; only access tokens this server issued are exchanged.
ACCESS_TOKEN_TYPE_URI = "urn:ietf:params:oauth:token-type:access_token"

# RFC 7009 §2.1 and RFC 7662 §2.1 token_type_hint values; also the labels under
# which the tokens are hashed.
ACCESS_TOKEN = "access_token"
# The label under which a JWT access token's jti is hashed (RFC 9068): a jti
# presented as an opaque token must match nothing.
ACCESS_TOKEN_JTI = "access_token_jti"
# REFRESH_TOKEN, above, is both a grant type and a token type.
CLIENT_SECRET = "client_secret"
# The labels under which a device authorization's two codes are hashed
# (RFC 8628 §3.2): the device's and the one its user types.
DEVICE_CODE_SECRET = "device_code"
USER_CODE_SECRET = "user_code"
# The label under which the random part of a pushed request's request_uri is
# hashed (RFC 9126 §2.2).
PUSHED_REQUEST_URI_SECRET = "pushed_request_uri"

# The system parameter of the Issuer URL setting (RFC 8414 §2).
ISSUER_URL_PARAM = "orestapi_oauth2.issuer_url"
# RFC 9449 §8: whether every DPoP proof must carry the server's nonce ("1")
DPOP_REQUIRE_NONCE_PARAM = "orestapi_oauth2.dpop_require_nonce"
# The system parameter of the Client ID Metadata Documents switch, "on" or
# "off" (draft-ietf-oauth-client-id-metadata-document).
CLIENT_ID_METADATA_DOCUMENTS_PARAM = "orestapi_oauth2.client_id_metadata_documents"

# A requested scope "*" means every scope of the application but those
# granted only by name.
ALL_SCOPES = "*"
# The scope that lets an access token stand in for its user's password in
# Odoo's external API: granted only when a request names it.
RPC_SCOPE = "rpc"
# The scope that makes a request an OpenID Connect one (Core §3.1.2.1): a
# client that does not ask for it by name expects no id_token.
OPENID_SCOPE = "openid"
# OpenID Connect's other scopes (Core §5.4): they reveal the user's profile,
# address and contact details, which earlier clients were never given.
PROFILE_SCOPE = "profile"
EMAIL_SCOPE = "email"
PHONE_SCOPE = "phone"
ADDRESS_SCOPE = "address"
# Core §11: a refresh token that works while the user is away, granted only
# as that section allows (oidc.check_offline_access).
OFFLINE_ACCESS_SCOPE = "offline_access"
OPENID_SCOPES = frozenset(
    {
        OPENID_SCOPE,
        PROFILE_SCOPE,
        EMAIL_SCOPE,
        PHONE_SCOPE,
        ADDRESS_SCOPE,
        OFFLINE_ACCESS_SCOPE,
    }
)
# Scopes granted only when a request names them, never by default or for "*".
NAMED_ONLY_SCOPES = frozenset({RPC_SCOPE, *OPENID_SCOPES})
# Scopes whose names the server itself checks: they may not be renamed or
# deleted.
RESERVED_SCOPES = frozenset({RPC_SCOPE, OPENID_SCOPE, OFFLINE_ACCESS_SCOPE})

# Dynamic Client Registration (RFC 7591): the setting's system parameter and
# its values: off, with an initial access token an administrator issued, or
# open to anyone.
CLIENT_REGISTRATION_PARAM = "orestapi_oauth2.client_registration"
REGISTRATION_OFF = "off"
REGISTRATION_TOKEN = "token"
REGISTRATION_OPEN = "open"
REGISTRATION_MODES = (REGISTRATION_OFF, REGISTRATION_TOKEN, REGISTRATION_OPEN)

# Scopes that ask the authorization server itself for something, an id_token
# or a refresh token, rather than for access to a resource: a protected
# resource's scopes never narrow them away (models/oauth2_resource.py).
AUTHORIZATION_SERVER_SCOPES = frozenset({OPENID_SCOPE, OFFLINE_ACCESS_SCOPE})
