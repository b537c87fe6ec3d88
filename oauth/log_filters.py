"""Keep the module's secrets out of the server log, at every level."""

import base64
import logging
import math
import re
from urllib.parse import unquote

from .secrets import SECRET_BYTES

# Parameters that carry a secret when a client sends them in a URL: the token
# requests of older clients (controllers/older_clients.py),
# tokeninfo?access_token=…
# Hand-chosen client secrets have no recognisable shape, so their parameter
# name is all there is to go by.
SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "assertion",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        # RFC 8628: the device's polling code, and the code its user types,
        # which verification_uri_complete carries in its query
        "device_code",
        "id_token",
        "password",
        "refresh_token",
        "token",
        "user_code",
    }
)
MASK = "***"
# Deep enough for a URL that went through a redirect_uri or state parameter
# twice; each level is one more chance for a token to hide.
MAX_DECODINGS = 3

_ESCAPE = r"%(?:25)*"  # "%", "%25", "%2525": percent-encoded once or more
# An encoded "?", "&", ";" or space still separates parameters once the text is
# decoded, as it is when a URL travels inside another URL's parameter. Dicts,
# JSON, YAML and keyword lists put a name after a quote, "," or bracket instead.
_SEPARATOR = (
    rf"""[?&;,\s'"{{(\[]|{_ESCAPE}(?:3[Ff]|26|3[Bb]|20|2[27Cc]|28|5[Bb]|7[Bb])"""
)
_QUOTE = rf"""["']|{_ESCAPE}2[27]"""
_EQUALS = rf"[=:]|{_ESCAPE}3[AaDd]"
# Only escapes of letters, digits, "-", "." and "_" belong to a name, so that an
# encoded "=" or separator ends it.
_NAME = (
    rf"(?:[A-Za-z0-9_.\-]|{_ESCAPE}"
    r"(?:[46][1-9A-Fa-f]|5[0-9AaFf]|7[0-9Aa]|3[0-9]|2[DdEe]))+"
)
# Ends at the "=" or ":": spaces after it may be the separator of the next name.
NAMED_VALUE = re.compile(
    rf"(?:^|{_SEPARATOR})({_NAME})(?:{_QUOTE})?[ \t]*(?:{_EQUALS})"
)
# A quoted value, maybe a bytes literal, runs to its closing quote or, cut
# short, to the end. A bare one runs to the next separator, ";" included:
# werkzeug logs an encoded ";" decoded, inside the value it belongs to.
VALUE = re.compile(
    r"""[ \t]*(?:b?(?:"([^"\\]*(?:\\.[^"\\]*)*)|'([^'\\]*(?:\\.[^'\\]*)*))"""
    r"""|([^\s&,})\]"']+))""",
    re.DOTALL,
)
# Without a "%" a secret name can only be spelt out: a search of the lowercased
# text for one before its "=" or ":" spares most lines the scan for names.
SPELT_OUT_NAME = re.compile(
    rf"""(?:{"|".join(map(re.escape, sorted(SECRET_PARAMETERS)))})["']?[ \t]*[=:]"""
)

# Every token, refresh token, authorization code and generated client secret is
# secrets.token_urlsafe(SECRET_BYTES): unpadded base64url of that many bytes.
TOKEN_LENGTH = math.ceil(SECRET_BYTES * 4 / 3)
_BASE64URL = r"A-Za-z0-9_\-"
TOKEN = re.compile(
    rf"(?<![{_BASE64URL}])[{_BASE64URL}]{{{TOKEN_LENGTH}}}(?![{_BASE64URL}])"
)
# A token may be percent-encoded, partly or more than once, so a candidate is a
# whole run of base64url characters and escapes. Most lines hold no run long
# enough, which a search for one tells fastest; in the others the lookahead
# skips the runs too short, and the lookbehind spares it the characters inside
# a run. A terminal colour code (werkzeug colours request lines) or an escape of
# a repr, such as a logged request body b'...\nTOKEN', may touch the run and
# end in a letter or digit that is no part of it. Escapes are read from the
# first backslash on, "\\" included, so that "\\n" is taken for no "\n".
_TOKEN_PREFIX = (
    r"\x1b\[[0-9;]*m|\\(?:[nrt\\]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
)
LONG_RUN = re.compile(rf"[{_BASE64URL}%]{{{TOKEN_LENGTH}}}")
ENCODED_RUN = re.compile(
    rf"(?:((?:{_TOKEN_PREFIX})+)|(?<![{_BASE64URL}]))"
    rf"(?=[{_BASE64URL}%]{{{TOKEN_LENGTH}}})((?:[{_BASE64URL}]|%[0-9A-Fa-f]{{2}})+)"
)

# A compact JWS (RFC 7515 §7.1): an access token in the JWT format, an id_token,
# a logout token, or another server's JWT. Its header is base64url JSON, so it
# begins with "eyJ" ('{"'), which spares the lines without one the regex, save
# those with a "%": in a URL each character may be percent-encoded, dots too.
# No boundary before it: the letter or digit that ends an escape of a repr
# (b'…\neyJ…') or of a URL ("%3DeyJ…") may touch it. What tells it from a
# dotted name that happens to hold "eyJ" (a hostname, a camelCase attribute
# path) is its header, which decodes to a JSON object. Payload or signature
# may be empty (unsecured or detached), and the two more parts of a compact JWE
# (RFC 7516 §7.1) go with it.
_B64URL_CHARACTER = (
    rf"(?:[{_BASE64URL}]|{_ESCAPE}(?:[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|3[0-9]|2[Dd]))"
)
_DOT = rf"(?:\.|{_ESCAPE}2[Ee])"
JWS = re.compile(
    rf"((?:e|{_ESCAPE}65)(?:y|{_ESCAPE}79)(?:J|{_ESCAPE}4[Aa])"
    rf"{_B64URL_CHARACTER}*)(?:{_DOT}{_B64URL_CHARACTER}*){{2}}"
    rf"(?:{_DOT}{_B64URL_CHARACTER}*{_DOT}{_B64URL_CHARACTER}+)?"
)
ESCAPED_CHARACTER = re.compile(rf"{_ESCAPE}([0-9A-Fa-f]{{2}})")

# The token68 credentials of an Authorization header (RFC 7235), which may be
# another server's token of any length, or a client's id and secret; a
# DPoP-bound token (RFC 9449 §7.1) is no less secret than a bearer one.
AUTHORIZATION = re.compile(
    rf"(\b(?i:(basic)|bearer|dpop)(?:[ \t]+|(?:{_ESCAPE}20)+))"
    r"((?:[A-Za-z0-9\-._~+/]|%[0-9A-Fa-f]{2})+=*)"
)
# What follows "Bearer" or "DPoP" in prose ("a Bearer token.") or in a
# challenge (Bearer realm="…", DPoP algs="…"); no token has this shape but by
# a fluke.
BEARER_NON_TOKEN = re.compile(r"[A-Z]?[a-z_]+[.=]?")

_TRACEBACK_FORMATTER = logging.Formatter()


def _decodings(text):
    yield text
    for _ in range(MAX_DECODINGS):
        decoded = unquote(text)
        if decoded == text:
            return
        text = decoded
        yield text


def _is_secret_parameter(name):
    return any(decoded.lower() in SECRET_PARAMETERS for decoded in _decodings(name))


def _mask_named_values(text):
    pieces = []
    copied_up_to = 0
    for match in NAMED_VALUE.finditer(text):
        # a name inside a value already masked needs no second look
        if match.start() < copied_up_to or not _is_secret_parameter(match[1]):
            continue
        value = VALUE.match(text, match.end())
        # an empty value, as in client_secret="", has nothing to hide
        if value and value[value.lastindex]:
            start, end = value.span(value.lastindex)
            pieces += [text[copied_up_to:start], MASK]
            copied_up_to = end
    return "".join(pieces) + text[copied_up_to:]


def _is_jws_header(header):
    header = ESCAPED_CHARACTER.sub(lambda escape: chr(int(escape[1], 16)), header)
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except ValueError:
        return False
    return decoded.rstrip().endswith(b"}")


def _mask_jws(text):
    pieces = []
    copied_up_to = searched_from = 0
    while match := JWS.search(text, searched_from):
        if _is_jws_header(match[1]):
            pieces += [text[copied_up_to : match.start()], MASK]
            copied_up_to = searched_from = match.end()
        else:
            # A token may start in a part of what only looked like one; not in
            # its header, which would have to be glued to another "eyJ…".
            searched_from = match.end(1)
    return "".join(pieces) + text[copied_up_to:]


def _mask_token_run(match):
    prefix, run = match.groups(default="")
    if any(TOKEN.search(decoded) for decoded in _decodings(run)):
        return prefix + MASK
    return match[0]


def _is_basic_credentials(credentials):
    # RFC 7617: base64 of "user-id:password". A word after "Basic", as in
    # 'Basic realm="…"' or "Basic settings", decodes to no ":", or not at all.
    padding = "=" * (-len(credentials) % 4)
    try:
        return b":" in base64.b64decode(credentials + padding, validate=True)
    except ValueError:
        return False


def _mask_credentials(match):
    scheme, basic, credentials = match.groups()
    if basic:
        secret = any(_is_basic_credentials(d) for d in _decodings(credentials))
    else:
        secret = not BEARER_NON_TOKEN.fullmatch(credentials)
    return scheme + MASK if secret else match[0]


def mask_secrets(text: str) -> str:
    """``text`` with every token-shaped value, every compact JWS, every value
    of a secret parameter and every Authorization credential replaced by
    ``MASK``, however it is spelt or percent-encoded."""
    # first: a part of a JWS may be as long as a token, and masked alone
    if "eyJ" in text or "%" in text:
        text = _mask_jws(text)
    lowered = text.lower()
    if "%" in text or SPELT_OUT_NAME.search(lowered):
        text = _mask_named_values(text)
    if "bearer" in lowered or "basic" in lowered or "dpop" in lowered:
        text = AUTHORIZATION.sub(_mask_credentials, text)
    if LONG_RUN.search(text):
        text = ENCODED_RUN.sub(_mask_token_run, text)
    return text


class SecretMaskingFilter(logging.Filter):
    """Masks secrets in all a handler writes for a record: message, traceback
    and stack.

    Handlers share the record, so the ones after this handler's see the masked
    text too."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            # A malformed logging call must neither raise into the code that
            # made it nor have logging print its raw arguments to stderr.
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_secrets(message), ()
        if record.exc_info and not record.exc_text:
            # formatters reuse a cached exc_text instead of formatting exc_info
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True


def install_log_filters() -> None:
    # Odoo's handlers (console, log file or syslog, ir.logging) all sit on the
    # root logger, before any module loads; every logger's records reach them.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretMaskingFilter) for f in handler.filters):
            handler.addFilter(SecretMaskingFilter())
    # oauthlib logs whole token responses and authorization codes at DEBUG.
    oauthlib_log = logging.getLogger("oauthlib")
    oauthlib_log.setLevel(max(logging.INFO, oauthlib_log.level))
