"""The format-preserving result writer: put text into cells of the first sheet, change nothing else.

Only the first worksheet's XML part is rewritten (stream-patched, see :mod:`kkod.table.sheet_xml`);
every other zip member is copied with its bytes, order, name, date and compression method.
Output is atomic: a temporary file beside ``dst``, then a rename.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from kkod.atomic import atomic_write
from kkod.table import layout
from kkod.table.package import check_is_xlsx, first_sheet, not_xlsx
from kkod.table.sheet_xml import column_index, patch_sheet

_LETTERS = re.compile(r"^[A-Z]{1,3}$")
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
# Members are re-compressed with their own method; deflate level 3 costs a third of the default
# level's time on a 50 MB sheet for ~15 % more bytes.
DEFLATE_LEVEL = 3


def patch_cells(src: Path, dst: Path, values: Mapping[tuple[int, str], str]) -> None:
    """Write ``values[(row, column letter)]`` as text into the first sheet of ``src``, saved as ``dst``.

    Every other cell, style, width, validation, protection, sheet and zip member stays as it was.
    ``dst`` may be ``src``. On any error ``dst`` is untouched and no temporary file remains.
    """
    src, dst = Path(src), Path(dst)
    edits: dict[int, dict[int, str]] = {}
    columns: dict[str, int] = {}  # letters already checked -> column index
    for (row, letter), text in values.items():
        if not isinstance(row, int) or not 1 <= row <= MAX_ROW:
            raise ValueError(f"row out of range: {row!r}")
        col = columns.get(letter) if isinstance(letter, str) else None
        if col is None:
            col = columns[letter] = _column_of(letter)
        if not isinstance(text, str):
            raise TypeError(f"cell {letter}{row}: value must be str, not {type(text).__name__}")
        edits.setdefault(row, {})[col] = text

    check_is_xlsx(src)
    try:
        with zipfile.ZipFile(src) as archive:
            sheet = first_sheet(archive, src)
            patched = patch_sheet(archive.read(sheet.part), edits)
            with (
                atomic_write(dst) as tmp,
                zipfile.ZipFile(tmp, "w") as out,
            ):
                for info in archive.infolist():
                    _copy_member(
                        archive, out, info, patched if info.filename == sheet.part else None
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as error:
        raise not_xlsx(src, "sérült zip-archívum") from error


def _column_of(letter: object) -> int:
    if (
        not isinstance(letter, str)
        or not _LETTERS.match(letter)
        or column_index(letter) > MAX_COLUMN
    ):
        raise ValueError(f"not a column letter: {letter!r}")
    return column_index(letter)


def write_codes(src: Path, dst: Path, codes: Mapping[int, str]) -> None:
    """Write each row's connection code into column E (:data:`layout.CODE_COLUMN`)."""
    patch_cells(src, dst, {(row, layout.CODE_COLUMN): code for row, code in codes.items()})


def _copy_member(
    archive: zipfile.ZipFile, out: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | None
) -> None:
    """Copy one member with its name, date, attributes and compression method; ``data`` replaces its content."""
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    copy.comment = info.comment
    if info.is_dir():
        out.writestr(copy, b"")
        return
    content = archive.read(info) if data is None else data
    out.writestr(copy, content, compresslevel=DEFLATE_LEVEL)
