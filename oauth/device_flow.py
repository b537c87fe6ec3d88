# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""RFC 8628, the device authorization grant: its user codes, and what the
token endpoint answers a device's polls."""

import re

# RFC 8628 §6.1: 20 consonants, no vowels (no words), no lookalike digits;
# 8 of them give 20^8 ≈ 2^34.5 codes, shown as XXXX-XXXX.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
# What a user may type around the code: case, dashes and spaces do not count.
USER_CODE_IGNORED = re.compile(r"[\s-]+")
# Longer input is no code at all, and is not even normalised.
USER_CODE_MAX_INPUT = 64
# §3.2: how long the device may poll, and the interval it must keep (§3.5
# adds SLOW_DOWN_SECONDS to it each time it polls faster).
DEVICE_CODE_LIFETIME = 600
POLLING_INTERVAL = 5
SLOW_DOWN_SECONDS = 5
# What the token endpoint answers the device, by state (RFC 8628 §3.5)
AUTHORIZED = "authorized"
PENDING = "authorization_pending"
SLOW_DOWN = "slow_down"
EXPIRED = "expired_token"
DENIED = "access_denied"


def normalize_user_code(typed):
    """The user code that ``typed`` stands for, uppercase without dashes or
    spaces; None when it cannot be one."""
    if not typed or len(typed) > USER_CODE_MAX_INPUT:
        return None
    code = USER_CODE_IGNORED.sub("", typed).upper()
    if len(code) != USER_CODE_LENGTH or not all(
        char in USER_CODE_ALPHABET for char in code
    ):
        return None
    return code


def display_user_code(code):
    """``code`` as the user reads and types it: XXXX-XXXX."""
    half = USER_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"
