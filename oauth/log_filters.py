"""Keep the module's secrets out of the server log, at every level."""

import logging
import re

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
SECRET_IN_QUERY = re.compile(rf"(?<=[?&;])({'|'.join(SECRET_PARAMETERS)})=[^&;\s\"]*")
MASK = "***"


class SecretQueryParameterFilter(logging.Filter):
    """Masks the values of secret parameters in logged request lines."""

    def filter(self, record):
        message = record.getMessage()
        masked = SECRET_IN_QUERY.sub(rf"\1={MASK}", message)
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
