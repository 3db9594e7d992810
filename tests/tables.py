"""A test helper: a filled "Kapcsolati kód adattáblázat" from rows of text, as kkod writes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from kkod.table.template import build_template
from kkod.table.writer import patch_cells


def filled_table(
    path: Path, rows: Iterable[Sequence[str]], *, columns: str = "BDFGHI", template_rows: int = 10
) -> Path:
    """Write ``rows`` (one text per letter of ``columns``, empty = left empty) from row 2 of a
    fresh template to ``path``."""
    blank = path.with_name("blank-" + path.name)
    build_template(blank, rows=template_rows)
    values = {
        (number, letter): text
        for number, row in enumerate(rows, start=2)
        for letter, text in zip(columns, row, strict=True)
        if text
    }
    patch_cells(blank, path, values)
    return path
