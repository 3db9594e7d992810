"""The central system's secrets: configured, or generated once into the data folder (0600).

The code secret derives the connection codes; the API key secret hashes the HTTP API's keys.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from kkod.config import Settings
from kkod.errors import ConfigurationError

SECRET_FILE = "central-code-secret"
API_KEY_SECRET_FILE = "central-api-key-secret"
MIN_SECRET_BYTES = 32


def load_secret(settings: Settings) -> bytes:
    """``KKOD_CODE_SECRET`` (hex) if set, else the secret in ``data_dir/central-code-secret``,
    created on first use with owner-only permissions."""
    return _configured_or_file(
        settings.code_secret,
        "KKOD_CODE_SECRET",
        Path(settings.data_dir) / SECRET_FILE,
        "A kódtitok",
    )


def load_api_key_secret(settings: Settings) -> bytes:
    """``KKOD_API_KEY_SECRET`` (hex) if set, else ``data_dir/central-api-key-secret``, created
    on first use. Every server process of one central system must have the same one."""
    return _configured_or_file(
        settings.api_key_secret,
        "KKOD_API_KEY_SECRET",
        Path(settings.data_dir) / API_KEY_SECRET_FILE,
        "Az API-kulcsok titka",
    )


def _configured_or_file(configured: str | None, variable: str, path: Path, what: str) -> bytes:
    if configured:
        return _from_hex(configured, variable, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write a complete file aside, then link it into place: atomic, and the first one wins.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
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
    return _from_hex(path.read_text().strip(), str(path), what)


def _from_hex(text: str, where: str, what: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigurationError(f"{what} ({where}) nem hexadecimális szöveg.") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{what} ({where}) túl rövid: legalább {MIN_SECRET_BYTES} bájt "
            f"({2 * MIN_SECRET_BYTES} hexadecimális jegy) kell."
        )
    return secret
