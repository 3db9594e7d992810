"""Test helpers for workbooks: a filled "Kapcsolati kód adattáblázat" from rows of text, as kkod
writes it; a copy with its sheet XML changed by hand; the members of a zip."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
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


FIRST_SHEET = "xl/worksheets/sheet1.xml"


def with_sheet_xml(src: Path, dst: Path, change: Callable[[str], str]) -> Path:
    """A copy of workbook ``src`` as ``dst`` whose first sheet's XML is ``change(xml)``."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == FIRST_SHEET:
                data = change(data.decode()).encode()
            new.writestr(info.filename, data)
    return dst


def with_cell(src: Path, dst: Path, ref: str, cell_xml: str) -> Path:
    """A copy of ``src`` as ``dst`` with the first sheet's cell ``ref`` written as ``cell_xml``."""

    def change(xml: str) -> str:
        found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
        assert found is not None, f"no cell {ref}"
        return xml[: found.start()] + cell_xml + xml[found.end() :]

    return with_sheet_xml(src, dst, change)


def members(path: Path) -> dict[str, tuple[bytes, int]]:
    """Zip member name → (decompressed bytes, compression method), in archive order."""
    with zipfile.ZipFile(path) as archive:
        return {i.filename: (archive.read(i), i.compress_type) for i in archive.infolist()}
