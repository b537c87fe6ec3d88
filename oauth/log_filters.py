"""Keep the module's secrets out of the server log, at every level."""

import logging
import re
from urllib.parse import unquote_plus

# Parameters that carry a secret when a client sends them in a URL: seed 000's
# token requests, tokeninfo?access_token=…
SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "client_secret",
    "code",
    "code_verifier",
    "password",
    "token",
)
# Only "&" separates parameters: werkzeug logs a percent-encoded ";" decoded,
# inside the value it belongs to.
QUERY_PARAMETER = re.compile(r"(?<=[?&])([^=&\s\"]+)=[^&\s\"]*")
MASK = "***"


def _mask_secret(match):
    name = match[1]
    # Odoo decodes parameter names too: access%5Ftoken is access_token.
    if unquote_plus(name) in SECRET_PARAMETERS:
        return f"{name}={MASK}"
    return match[0]


class SecretQueryParameterFilter(logging.Filter):
    """Masks the values of secret parameters in logged request lines."""

    def filter(self, record):
        message = record.getMessage()
        masked = QUERY_PARAMETER.sub(_mask_secret, message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_filters():
    access_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, SecretQueryParameterFilter) for f in access_log.filters):
        access_log.addFilter(SecretQueryParameterFilter())
    # oauthlib logs whole token responses and authorization codes at DEBUG.
    oauthlib_log = logging.getLogger("oauthlib")
    oauthlib_log.setLevel(max(logging.INFO, oauthlib_log.level))
