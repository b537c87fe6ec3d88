"""Keep the module's secrets out of the server log, at every level."""

import logging
import math
import re
from urllib.parse import unquote

from .secrets import SECRET_BYTES

# Parameters that carry a secret when a client sends them in a URL: seed 000's
# token requests, tokeninfo?access_token=… Hand-chosen client secrets have no
# recognisable shape, so their parameter name is all there is to go by.
SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "assertion",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "id_token",
        "password",
        "refresh_token",
        "token",
    }
)
MASK = "***"
# Deep enough for a URL that went through a redirect_uri or state parameter
# twice; each level is one more chance for a token to hide.
MAX_DECODINGS = 3

_ESCAPE = r"%(?:25)*"  # "%", "%25", "%2525": percent-encoded once or more
# An encoded "?", "&", ";" or space still separates parameters once the text is
# decoded, as it is when a URL travels inside another URL's parameter.
_SEPARATOR = rf"[?&;\s]|{_ESCAPE}(?:3[Ff]|26|3[Bb]|20)"
_EQUALS = rf"=|{_ESCAPE}3[Dd]"
# Only escapes of letters, digits, "-", "." and "_" belong to a name, so that an
# encoded "=" or separator ends it.
_NAME = rf"(?:[A-Za-z0-9_.\-]|{_ESCAPE}(?:[4-7][0-9A-Fa-f]|3[0-9]|2[DdEe]))+"
NAMED_VALUE = re.compile(rf"(?:^|{_SEPARATOR})({_NAME})(?:{_EQUALS})")
# A value runs to the next "&" or space, ";" included: werkzeug logs an encoded
# ";" decoded, inside the value it belongs to.
VALUE = re.compile(r'[^&\s"]+')

# Every token, refresh token, authorization code and generated client secret is
# secrets.token_urlsafe(SECRET_BYTES): unpadded base64url of that many bytes.
TOKEN_LENGTH = math.ceil(SECRET_BYTES * 4 / 3)
_BASE64URL = r"A-Za-z0-9_\-"
TOKEN = re.compile(
    rf"(?<![{_BASE64URL}])[{_BASE64URL}]{{{TOKEN_LENGTH}}}(?![{_BASE64URL}])"
)
# A token may be percent-encoded, partly or more than once, so a candidate is a
# whole run of base64url characters and escapes; the lookahead skips, cheaply,
# the runs too short to hold one. A terminal colour code before the run (werkzeug
# colours request lines) ends in a letter that is not part of the token.
ENCODED_RUN = re.compile(
    r"(\x1b\[[0-9;]*m)?"
    rf"(?=[{_BASE64URL}%]{{{TOKEN_LENGTH}}})((?:[{_BASE64URL}]|%[0-9A-Fa-f]{{2}})+)"
)

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
        if value:
            pieces += [text[copied_up_to : value.start()], MASK]
            copied_up_to = value.end()
    return "".join(pieces) + text[copied_up_to:]


def _mask_token_run(match):
    colour, run = match.groups(default="")
    if any(TOKEN.search(decoded) for decoded in _decodings(run)):
        return colour + MASK
    return match[0]


def mask_secrets(text):
    """``text`` with every token-shaped value and every value of a secret
    parameter replaced by ``MASK``, however it is spelt or percent-encoded."""
    if "=" in text or "%" in text:
        text = _mask_named_values(text)
    if len(text) >= TOKEN_LENGTH:
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


def install_log_filters():
    # Odoo's handlers (console, log file or syslog, ir.logging) all sit on the
    # root logger, before any module loads; every logger's records reach them.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretMaskingFilter) for f in handler.filters):
            handler.addFilter(SecretMaskingFilter())
    # oauthlib logs whole token responses and authorization codes at DEBUG.
    oauthlib_log = logging.getLogger("oauthlib")
    oauthlib_log.setLevel(max(logging.INFO, oauthlib_log.level))
