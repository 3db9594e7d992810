"""The ``kkod`` command: imports every command module so each attaches to its group."""

from __future__ import annotations

import gc

from kkod.cli import (  # noqa: F401  (imported for their commands)
    central,
    employer,
    employer_declaration,
    employer_export,
    generate,
    ministry,
    pki,
    table,
    validate,
    workbench,
)
from kkod.cli.groups import app


def main() -> None:
    from kkod import logs
    from kkod.allocator import give_memory_back

    logs.route_warnings()  # before any library is imported
    give_memory_back()  # before any thread starts
    try:
        app()
    except BaseException as error:
        if isinstance(error, SystemExit):
            raise
        from kkod.cli.common import unexpected

        raise SystemExit(unexpected(error, "kkod").exit_code) from None
    finally:
        # The process ends here: the operating system takes back its memory. Without this the
        # interpreter's last garbage collections walk every object a big job left (0.1 s).
        gc.freeze()


if __name__ == "__main__":
    main()
