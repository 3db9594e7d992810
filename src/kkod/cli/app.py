"""The ``kkod`` command: imports every command module so each attaches to its group."""

from __future__ import annotations

from kkod.cli import (  # noqa: F401  (imported for their commands)
    central,
    employer,
    employer_declaration,
    generate,
    ministry,
    pki,
    table,
    validate,
)
from kkod.cli.groups import app


def main() -> None:
    app()
