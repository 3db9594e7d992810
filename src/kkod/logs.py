"""Where kkod's log lines go, library warnings kept off the screen, and unexpected errors filed.

Every front door (the CLI, the servers) calls :func:`setup` once. Library warnings (e.g. a
dependency's deprecation notice) are logged at debug level and never printed to the user;
``KKOD_DEBUG`` shows them. An unexpected error is written to the log file with a reference
(:func:`file_unexpected`); the user sees a short Hungarian message naming that reference.
Nothing here logs an exception's message: it might quote personal data.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import traceback
import warnings
from datetime import datetime
from pathlib import Path

LOG_FILE_NAME = "kkod.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured: dict[str, object] = {}


def debug_enabled() -> bool:
    """Whether ``KKOD_DEBUG`` asks for library warnings and tracebacks on the screen."""
    return os.environ.get("KKOD_DEBUG", "").strip().lower() in {"1", "true", "yes", "igen"}


def log_folder() -> Path:
    """``KKOD_LOG_DIR``, else the ``logs`` folder in the data folder."""
    configured = os.environ.get("KKOD_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("KKOD_DATA_DIR", "kkod-data")) / "logs"


def log_file() -> Path:
    return log_folder() / LOG_FILE_NAME


def setup(*, console_level: int = logging.WARNING) -> None:
    """Configure logging for this process: the console (stderr) at ``console_level`` (debug
    with ``KKOD_DEBUG``), the log file at the same level but at least warnings (opened only
    when something is written), and Python warnings routed to the log at debug level.

    Called again (a server after the CLI's start), it only changes the levels."""
    debug = debug_enabled()
    level = logging.DEBUG if debug else console_level
    if not _configured:
        root = logging.getLogger()
        console = _StderrHandler()
        console.setFormatter(logging.Formatter(_FORMAT))
        console.addFilter(_not_filed)
        root.addHandler(console)
        file_handler = _LazyFileHandler()
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
        route_warnings()
        _configured["console"] = console
        _configured["file"] = file_handler
    logging.getLogger().setLevel(min(level, logging.WARNING))
    _configured["console"].setLevel(level)  # type: ignore[attr-defined]
    _configured["file"].setLevel(min(level, logging.WARNING))  # type: ignore[attr-defined]


def route_warnings() -> None:
    """Every Python warning goes to the log at debug level, never straight to the terminal."""
    warnings.showwarning = _log_warning
    if not debug_enabled():
        # Shown once per place, as usual; the hook above decides where it goes.
        warnings.simplefilter("default")


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    logging.getLogger("py.warnings").debug(
        "%s", warnings.formatwarning(message, category, filename, lineno, line).strip()
    )


FILED = "kkod.unexpected"  # the logger of filed errors: the log file only, never the console


def _not_filed(record: logging.LogRecord) -> bool:
    return record.name != FILED


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test runner may swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _LazyFileHandler(logging.Handler):
    """A file handler that creates its folder and file only when a record is written, and
    never fails the program when it cannot (a read-only or full disk)."""

    def __init__(self) -> None:
        super().__init__()
        self._handler: logging.FileHandler | None = None
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        try:
            if self._handler is None:
                path = log_file()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._handler = logging.FileHandler(path, encoding="utf-8")
                self._handler.setFormatter(self.formatter)
            self._handler.emit(record)
        except OSError:
            self.failed = True

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()
        super().close()


def new_reference() -> str:
    """A short reference an officer can quote, e.g. ``H-20261206-7F3A9C``."""
    return f"H-{datetime.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


def file_unexpected(error: BaseException, where: str) -> tuple[str, Path | None]:
    """Log an unexpected error (type and stack, not its message) under a new reference.

    Returns the reference and the log file it went to (``None`` when it could not be written).
    """
    reference = new_reference()
    frames = "".join(traceback.format_tb(error.__traceback__))
    logging.getLogger(FILED).error(
        "%s: unexpected %s in %s\n%s", reference, type(error).__name__, where, frames.rstrip()
    )
    handler = _configured.get("file")
    written = isinstance(handler, _LazyFileHandler) and not handler.failed and handler._handler
    return reference, (log_file() if written else None)
