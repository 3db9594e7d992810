"""Where kkod's log lines go, library warnings kept off the screen, and unexpected errors filed.

Every front door (the CLI, the servers) calls :func:`setup` once. Library warnings (e.g. a
dependency's deprecation notice) are logged at debug level and never printed to the user;
``KKOD_DEBUG`` shows them. An unexpected error is written to the log file with a reference
(:func:`file_unexpected`); the user sees a short Hungarian message naming that reference.
Nothing here logs an exception's message: it might quote personal data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sys
import time
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
        console.setFormatter(_Formatter(_FORMAT))
        console.addFilter(_for_the_console)
        root.addHandler(console)
        file_handler = _LazyFileHandler()
        file_handler.setFormatter(_Formatter(_FORMAT))
        root.addHandler(file_handler)
        route_warnings()
        _configured["console"] = console
        _configured["file"] = file_handler
    logging.getLogger().setLevel(min(level, logging.WARNING))
    # A server's console shows its own lines at INFO; Alembic's (in English, at every start
    # that migrates) only when something is wrong.
    logging.getLogger("alembic").setLevel(logging.DEBUG if debug else logging.WARNING)
    _configured["console"].setLevel(level)  # type: ignore[attr-defined]
    _configured["file"].setLevel(min(level, logging.WARNING))  # type: ignore[attr-defined]


_LEVEL_NAMES = {
    "DEBUG": "részlet",
    "INFO": "info",
    "WARNING": "figyelem",
    "ERROR": "hiba",
    "CRITICAL": "súlyos",
}


class _Formatter(logging.Formatter):
    """The level in Hungarian (``info``, ``figyelem``, ``hiba``), for the operator; control
    characters in a message (a library may quote outside text) shown as tags."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        from kkod.visible import visible

        english = record.levelname
        record.levelname = _LEVEL_NAMES.get(english, english)
        try:
            return visible(super().formatMessage(record), keep_newlines=True)
        finally:
            record.levelname = english


def quote(value: object) -> str:
    """A value for a ``key=value`` log line: as it is when it is one word, else in quotes.

    Operator log lines are ``kérelem=KK-2026-000123 esemény=kész sorok=120``; never pass
    personal data."""
    text = str(value)
    if text and not any(c.isspace() or c in '"=' for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


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


def _for_the_console(record: logging.LogRecord) -> bool:
    """kkod's own lines, not its filed errors; a library's warnings (English, e.g. fpdf2's
    missing glyphs) only with ``KKOD_DEBUG`` — they are in the log file either way — but its
    errors always (a server that cannot bind its port must say so)."""
    if record.name == FILED:
        return False
    own = record.name.split(".", 1)[0] in _OWN
    return own or record.levelno >= logging.ERROR or debug_enabled()


_OWN = frozenset({"kkod", "__main__"})


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
    never fails the program when it cannot (a read-only or full disk): the record is dropped,
    and the file is tried again a minute later (the disk may have room again)."""

    RETRY_SECONDS = 60.0

    def __init__(self) -> None:
        super().__init__()
        self._handler: logging.FileHandler | None = None
        self.failed = False
        self._retry_at = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed and time.monotonic() < self._retry_at:
            return
        try:
            if self._handler is None:
                path = log_file()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._handler = _FileHandler(path, encoding="utf-8")
                self._handler.setFormatter(self.formatter)
            self._handler.emit(record)
            self.failed = False
        except OSError:
            self.failed = True
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            if self._handler is not None:
                with contextlib.suppress(OSError):
                    self._handler.close()
                self._handler = None

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()
        super().close()


class _FileHandler(logging.FileHandler):
    """Raises its write errors (to :class:`_LazyFileHandler`) instead of printing a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # re-raises the error emit() is handling


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
