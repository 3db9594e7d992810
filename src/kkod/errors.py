"""The exceptions kkod raises on bad input; each carries a Hungarian message fit for a user."""

from __future__ import annotations


class KkodError(Exception):
    """A problem the user can fix; ``str(error)`` is the Hungarian message, ``exit_code`` the CLI's."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TableError(KkodError):
    """The file is unreadable or is not the "Kapcsolati kód adattáblázat" template."""

    exit_code = 2


class ConfigurationError(KkodError):
    """A setting is missing or wrong."""

    exit_code = 2
