"""The format-preserving result writer: put text into cells of the table's sheet, change nothing else.

The table's sheet is found as the reader finds it (:func:`kkod.table.locate.open_table`).
Only its XML part is rewritten (stream-patched, see :mod:`kkod.table.sheet_xml`); every other
zip member is copied as stored — its compressed bytes, order, name, date and compression
method — never inflated. Output is atomic: a temporary file beside ``dst``, then a rename.
"""

from __future__ import annotations

import pickle
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from kkod.atomic import atomic_write
from kkod.table import layout
from kkod.table.limits import TableLimits
from kkod.table.locate import open_table
from kkod.table.package import INFLATE_BLOCK, Package, not_xlsx
from kkod.table.sheet_stream import StreamedSheet
from kkod.table.sheet_xml import NotStreamable, PreparedSheet, column_index
from kkod.zipmembers import at_level, member_like, stored_info, write_stored

_LETTERS = re.compile(r"^[A-Z]{1,3}$")
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
# Members are re-compressed with their own method; deflate level 3 costs a third of the default
# level's time on a 50 MB sheet for ~15 % more bytes.
DEFLATE_LEVEL = 3
# Codes are patched this many rows at a time (see _parts).
_ROWS_A_PART = 5_000
# A streamed member's size is not known in advance: from this size on, it gets a ZIP64 header.
_ZIP64_MARGIN = 1 << 30


def patch_cells(src: Path, dst: Path, values: Mapping[tuple[int, str], str]) -> None:
    """Write ``values[(row, column letter)]`` as text into the table's sheet of ``src``, saved as ``dst``.

    Every other cell, style, width, validation, protection, sheet and zip member stays as it was.
    ``dst`` may be ``src``. On any error ``dst`` is untouched and no temporary file remains.
    """
    edits = _edits(values.items())
    PreparedTable(src).write(dst, edits)


class PreparedTable:
    """A table read into memory with its sheet found and checked and the cells of ``columns``
    located: what a patch needs before the values are known (see :func:`patch_cells`)."""

    def __init__(
        self,
        src: Path,
        columns: Iterable[str] = (),
        limits: TableLimits | None = None,
        *,
        streamed: bool = False,
        block: int = INFLATE_BLOCK,
    ) -> None:
        """``streamed``: for :meth:`write_code_batches` only, the sheet is inflated as it is
        written instead of kept whole (see :mod:`kkod.table.sheet_stream`), where it can be and
        it is more than one ``block``: a smaller sheet is kept whole (500 rows: 5.7 ms instead
        of 6.7, one pass over the sheet instead of two)."""
        self.src = src = Path(src)
        with open_table(src, limits, only_sheet=True) as table:
            self._package: Package = table.package
            self._part = table.sheet.part
            self._columns = [_column_of(letter) for letter in columns]
            self._streamed = (
                StreamedSheet.prepare(self._package, self._part, self._columns[0], block)
                if streamed
                and len(self._columns) == 1
                and self._package.members[self._part].file_size > block
                else None
            )
            self._whole: PreparedSheet | None = None
            if self._streamed is None:
                self._whole = PreparedSheet(table.package.xml(self._part), self._columns)

    @property
    def _sheet(self) -> PreparedSheet:
        """The whole sheet, prepared (inflated again if it was streamed)."""
        if self._whole is None:
            self._whole = PreparedSheet(self._package.xml(self._part), self._columns)
        return self._whole

    def write(self, dst: Path, edits: Mapping[int, Mapping[int, str]]) -> None:
        """Save the table with ``edits[row][column index]`` as ``dst`` (atomically)."""
        self._save(dst, [self._sheet.patch(edits)])

    def write_codes(self, dst: Path, codes: Mapping[int, str]) -> None:
        """Save the table with each row's connection code in column E (:data:`layout.CODE_COLUMN`)."""
        self.write(dst, _edits(_code_cells(codes)))

    def write_code_batches(
        self, dst: Path, batches: Iterable[Mapping[int, str]], *, durable: bool = True
    ) -> None:
        """:meth:`write_codes` with the codes arriving in batches, rows in order: each batch is
        patched and compressed as it arrives. A table that does not allow this (see
        :class:`~kkod.table.sheet_xml.SheetStreamer`) is written from all the codes at the end.
        ``durable``: see :func:`kkod.atomic.atomic_write`."""
        # The batches so far, for a table that turns out not to allow streaming; kept
        # pickled: 85,000 codes as objects would be 13 MB of the writer's peak.
        kept: list[bytes] = []
        batches = iter(batches)
        streamer = (self._streamed or self._sheet).streamer()

        def pieces() -> Iterator[bytes]:
            for batch in batches:
                kept.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))  # first
                for part in _parts(batch):
                    yield streamer.feed(_edits(_code_cells(part)))
            yield streamer.finish()

        try:
            self._save(dst, pieces(), durable=durable)
        except NotStreamable:
            codes: dict[int, str] = {}
            for stored in kept:
                codes.update(pickle.loads(stored))
            for batch in batches:
                codes.update(batch)
            self._streamed = None
            self._save(dst, [self._sheet.patch(_edits(_code_cells(codes)))], durable=durable)

    def _save(self, dst: Path, sheet: Iterable[bytes], *, durable: bool = True) -> None:
        """Write the zip as ``dst`` (atomically): every member copied as stored, the table
        sheet's XML made of the pieces ``sheet`` gives (compressed as each comes)."""
        package = self._package
        try:
            with (
                atomic_write(Path(dst), durable=durable) as tmp,
                zipfile.ZipFile(tmp, "w") as out,
            ):
                for info in package.archive.infolist():
                    if info.filename != self._part:
                        _copy_member(package, out, info)
                        continue
                    big = info.file_size > _ZIP64_MARGIN
                    with out.open(_member_info(info), "w", force_zip64=big) as stream:
                        for piece in sheet:
                            stream.write(piece)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as error:
            raise not_xlsx(self.src, "sérült zip-archívum") from error


def _parts(batch: Mapping[int, str]) -> Iterator[dict[int, str]]:
    """The batch in row order, :data:`_ROWS_A_PART` rows at a time: what one part costs to
    patch (its cells, its XML) is alive at once, not a whole batch's (50,000 rows on
    PostgreSQL)."""
    rows = sorted(batch)
    for start in range(0, len(rows), _ROWS_A_PART):
        yield {row: batch[row] for row in rows[start : start + _ROWS_A_PART]}


def _code_cells(codes: Mapping[int, str]) -> Iterator[tuple[tuple[int, str], str]]:
    return (((row, layout.CODE_COLUMN), code) for row, code in codes.items())


def _edits(values: Iterable[tuple[tuple[int, str], str]]) -> dict[int, dict[int, str]]:
    """(row, column letter) -> text pairs, checked and arranged as row -> column index -> text."""
    edits: dict[int, dict[int, str]] = {}
    columns: dict[str, int] = {}  # letters already checked -> column index
    for (row, letter), text in values:
        if not isinstance(row, int) or not 1 <= row <= MAX_ROW:
            raise ValueError(f"row out of range: {row!r}")
        col = columns.get(letter) if isinstance(letter, str) else None
        if col is None:
            col = columns[letter] = _column_of(letter)
        if not isinstance(text, str):
            raise TypeError(f"cell {letter}{row}: value must be str, not {type(text).__name__}")
        edits.setdefault(row, {})[col] = text
    return edits


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
    PreparedTable(src, [layout.CODE_COLUMN]).write_codes(dst, codes)


def write_code_batches(src: Path, dst: Path, batches: Iterable[Mapping[int, str]]) -> None:
    """:func:`write_codes` with the codes in batches, rows in order: the table is read and its
    cells located before the first batch is taken (a :mod:`kkod.background` writer)."""
    PreparedTable(src, [layout.CODE_COLUMN], streamed=True).write_code_batches(dst, batches)


def write_code_batches_within(
    src: Path, dst: Path, limits: TableLimits | None, batches: Iterable[Mapping[int, str]]
) -> None:
    """:func:`write_code_batches` to a ``dst`` that an enclosing atomic write makes durable
    (no fsync of its own). The caller's ``limits`` spare a writer process the settings."""
    PreparedTable(src, [layout.CODE_COLUMN], limits, streamed=True).write_code_batches(
        dst, batches, durable=False
    )


def _copy_member(package: Package, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member as stored (:mod:`kkod.zipmembers`): a big picture or an unrelated part
    costs only its stored size."""
    write_stored(out, stored_info(info), package.raw(info.filename))


def _member_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new member like ``info`` (name, date, attributes, compression method); our level."""
    return at_level(member_like(info), DEFLATE_LEVEL)
