"""The two factors: Argon2id password hashes (pwdlib) and TOTP codes (pyotp) with replay refusal."""

from __future__ import annotations

import hmac
import secrets
import string
from datetime import datetime

import pyotp
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER = PasswordHash((Argon2Hasher(),))
# Verified when the user is unknown, so that an unknown name costs the same time as a known one.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
# No look-alikes (0/O, 1/l/I): the password is read off a terminal and typed once.
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def new_password(length: int = 16) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Whether ``password`` matches, and a new hash when the stored one should be upgraded."""
    if stored_hash is None:
        _HASHER.verify(password, _DUMMY_HASH)
        return False, None
    return _HASHER.verify_and_update(password, stored_hash)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def totp_step(secret: str, code: str, now: datetime, window: int) -> int | None:
    """The time step ``code`` belongs to, within ``window`` steps of ``now``; None if none.

    The caller refuses a step not later than the last one used: a code works once.
    """
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - window, current + window + 1):
        # Every step compared, in constant time: no early exit tells which one matched.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found
