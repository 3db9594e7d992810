"""The ``kkod`` command: imports every command module so each attaches to its group."""

from __future__ import annotations

import gc

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
    try:
        app()
    finally:
        # The process ends here: the operating system takes back its memory. Without this the
        # interpreter's last garbage collections walk every object a big job left (0.1 s).
        gc.freeze()
