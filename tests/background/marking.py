"""A writer target whose module, when imported, writes the importing process's pid into the file
``KKOD_TEST_IMPORT_MARK`` names (if set): it tells when a child imported it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from tests.background.targets import write_lines as _write_lines

if os.environ.get("KKOD_TEST_IMPORT_MARK"):
    Path(os.environ["KKOD_TEST_IMPORT_MARK"]).write_text(str(os.getpid()))


def write_lines(path: str, batches: Iterable[list[str]]) -> None:
    _write_lines(path, batches)
