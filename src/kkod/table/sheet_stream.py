"""A worksheet patched as it is inflated: a big table's sheet XML is never whole in memory.

:class:`~kkod.table.sheet_xml.PreparedSheet` holds the inflated sheet (about 50 MB for
100,000 rows) from the moment it is prepared until the last batch is written. Here the sheet
is inflated twice instead, a block at a time (:meth:`Package.blocks`): once to check it and
locate the cells of one column, as ``PreparedSheet`` does, and again while the batches are
written, the located cells replaced on the way. Only the common case is handled; anything
else (see :meth:`StreamedSheet.prepare`) is left to ``PreparedSheet``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kkod.table.package import Package, check_xml_prolog, prolog_end
from kkod.table.sheet_xml import (
    _SHEET_DATA,
    NotStreamable,
    _check_encoding,
    _extent,
    _grow_dimension,
    cells_pattern,
    refuse_rows,
    replacements,
)


class StreamedSheet:
    """The sheet ``part`` of ``package`` checked and the cells of column ``col`` located, from
    one pass over it; :meth:`streamer` patches a second pass."""

    def __init__(self, package: Package, part: str, col: int, block: int) -> None:
        self._package, self._part, self._col, self._block = package, part, col, block
        self._dropped: dict[bytes, bytes] = {}
        self._cells: dict[int, tuple[int, int, bytes, bytes | None]] = {}

    @classmethod
    def prepare(cls, package: Package, part: str, col: int, block: int) -> StreamedSheet | None:
        """The sheet ready to stream, or ``None`` where only the whole sheet will do: no
        ``sheetData`` element with rows in it, or a prolog that the head of the sheet cannot
        judge. Errors are those, and in the order, of ``package.xml`` then ``PreparedSheet``."""
        sheet = cls(package, part, col, block)
        return sheet if sheet._scan() else None

    def _scan(self) -> bool:
        """One pass: the head (up to ``<sheetData>``) kept, the content scanned a run of whole
        rows at a time; the checks made once the part is known to be sound."""
        blocks = self._package.blocks(self._part, self._block)
        head, sheet_data = b"", None
        for block in blocks:
            head += block
            sheet_data = _SHEET_DATA.search(head)
            if sheet_data is not None and sheet_data.end() < len(head):
                break
        else:
            sheet_data = None  # at the end of the part: PreparedSheet judges it whole
        if sheet_data is None or sheet_data[2]:
            return False
        rest, self._head = head[sheet_data.end() :], head[: sheet_data.end()]
        prefix, content_start = sheet_data[1], sheet_data.end()
        content_end, markup = self._scan_content(blocks, rest, content_start, prefix)
        position = prolog_end(self._head, 3 if self._head.startswith(b"\xef\xbb\xbf") else 0)
        if self._head.startswith((b"<!--", b"<?"), position) and position < sheet_data.start():
            return False  # an unfinished comment before <sheetData>: judged on the whole part
        check_xml_prolog(self._head, self._part, self._package.path)
        _check_encoding(self._head)
        refuse_rows(content_end, markup)
        self._prefix, self._content_start, self._content_end = prefix, content_start, content_end
        return True

    def _scan_content(
        self, blocks: Iterator[bytes], pending: bytes, offset: int, prefix: bytes
    ) -> tuple[int, bool]:
        """(Where ``</sheetData>`` starts, or -1; whether markup other than elements lies
        before it), the column's cells located on the way. ``pending`` starts at ``offset``."""
        close, close_row = b"</" + prefix + b"sheetData>", b"</" + prefix + b"row>"
        pattern = cells_pattern(prefix, self._col)
        content_end, markup, cells = -1, False, self._cells
        same: dict[bytes, bytes] = {}
        blocks = iter(blocks)
        while True:
            block = next(blocks, None)
            if block is not None:
                pending += block
            if content_end < 0:
                end = pending.find(close)
                if end >= 0:
                    cut = end
                elif block is None:
                    cut = len(pending)
                else:  # whole rows only: a cell never spans a row's end
                    last_row = pending.rfind(close_row)
                    cut = last_row + len(close_row) if last_row >= 0 else 0
                markup = (
                    markup or pending.find(b"<!", 0, cut) >= 0 or pending.find(b"<?", 0, cut) >= 0
                )
                for m in pattern.finditer(pending, 0, cut):
                    row = int(m[1])
                    if row not in cells:  # a repeated reference: the first counts
                        attrs = same.setdefault(m[2], m[2])  # most cells share their styles
                        cells[row] = (offset + m.start(), offset + m.end(), attrs, m[3])
                if end >= 0:
                    content_end = offset + end
            else:
                cut = len(pending)
            if block is None:
                return content_end, markup
            offset, pending = offset + cut, pending[cut:]

    def streamer(self) -> StreamedPatcher:
        return StreamedPatcher(self)


class StreamedPatcher:
    """:class:`~kkod.table.sheet_xml.SheetStreamer` over a :class:`StreamedSheet`: the same
    batches stream, the same others raise :class:`NotStreamable`."""

    def __init__(self, sheet: StreamedSheet) -> None:
        self._sheet = sheet
        self._blocks = sheet._package.blocks(sheet._part, sheet._block)
        self._block = b""  # the block being given
        self._offset = 0  # where it starts in the part
        self._given = 0  # how much of it was given

    def feed(self, edits: Mapping[int, Mapping[int, str]]) -> bytes:
        sheet = self._sheet
        found, remaining = replacements(
            edits,
            lambda col: sheet._cells if col == sheet._col else {},
            sheet._prefix,
            sheet._dropped,
        )
        if remaining:
            raise NotStreamable("cells not located")
        if found and found[0][0] < max(self._offset + self._given, sheet._content_start):
            raise NotStreamable("batch before the previous one")
        if _grow_dimension(sheet._head, *_extent(edits)) != sheet._head:
            raise NotStreamable("dimension grows")
        out: list[bytes | memoryview] = []
        for start, end, cell_bytes in found:
            self._take(start, out)
            out.append(cell_bytes)
            self._take(end, [])  # the cell replaced
        return b"".join(out)

    def finish(self) -> bytes:
        """The rest of the part after the last batch."""
        out: list[bytes | memoryview] = []
        self._take(None, out)
        return b"".join(out)

    def _take(self, upto: int | None, out: list[bytes | memoryview]) -> None:
        """Add to ``out`` the part from what was given so far up to offset ``upto`` (``None``:
        its end), as views of the blocks (no copies until ``out`` is joined)."""
        while upto is None or self._offset + len(self._block) < upto:
            block = next(self._blocks, None)
            if block is None:
                break
            out.append(memoryview(self._block)[self._given :])  # all of it lies before upto
            self._offset, self._block, self._given = self._offset + len(self._block), block, 0
        end = len(self._block) if upto is None else min(upto - self._offset, len(self._block))
        out.append(memoryview(self._block)[self._given : end])
        self._given = end
