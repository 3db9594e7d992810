"""The central secret connection codes are derived from: configured, or generated once (0600)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from kkod.config import Settings
from kkod.errors import ConfigurationError

SECRET_FILE = "central-code-secret"
MIN_SECRET_BYTES = 32


def load_secret(settings: Settings) -> bytes:
    """``KKOD_CODE_SECRET`` (hex) if set, else the secret in ``data_dir/central-code-secret``,
    created on first use with owner-only permissions."""
    if settings.code_secret:
        return _from_hex(settings.code_secret, "KKOD_CODE_SECRET")
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write a complete file aside, then link it into place: atomic, and the first one wins.
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(MIN_SECRET_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return _from_hex(path.read_text().strip(), str(path))


def _from_hex(text: str, where: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigurationError(f"A kódtitok ({where}) nem hexadecimális szöveg.") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"A kódtitok ({where}) túl rövid: legalább {MIN_SECRET_BYTES} bájt "
            f"({2 * MIN_SECRET_BYTES} hexadecimális jegy) kell."
        )
    return secret
