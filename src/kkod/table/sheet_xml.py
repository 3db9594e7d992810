"""Byte-level streaming over a worksheet's XML: find formula cells, patch cell values in place.

No DOM is built: rows and cells are located with regular expressions over the raw bytes
(text content cannot hold a literal ``<``, so every ``<`` starts markup). Everything not
patched is copied byte for byte. Rows and cells may lack their ``r`` attribute (then they
follow the previous one), cells may be self-closing, the elements may carry a namespace
prefix. Comments, CDATA and processing instructions inside ``sheetData`` are refused.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kkod.errors import TableError
from kkod.hungarian import article
from kkod.table.limits import amount

_PREFIX = rb"((?:[A-Za-z_][\w.\-]*:)?)"
_SHEET_DATA = re.compile(rb"<" + _PREFIX + rb"sheetData(?=[\s/>])[^>]*?(/?)>")
_ROW = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])([^>]*?)(/?)>")
_CELL = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])([^>]*?)(/?)>")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f(?=[\s/>])([^>]*)>")
_ATTR = re.compile(rb"([\w:.\-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_COL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?col(?=[\s/>])([^>]*?)/?>")
_DIMENSION = re.compile(rb"(<(?:[A-Za-z_][\w.\-]*:)?dimension\b[^>]*?\bref\s*=\s*\")([^\"]*)(\")")
_R_NUMBER = re.compile(rb"(?:^|\s)r\s*=\s*[\"'](\d+)[\"']")
_XML_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']")
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
# Cell text escaping (OOXML ST_Xstring): a literal _xHHHH_ is protected, chars XML cannot hold encoded.
_XSTRING_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NEEDS_ESCAPE = re.compile("[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
# On a patched cell the type and the cell/value metadata go; every other attribute stays.
_DROPPED_ON_PATCH = re.compile(rb"\s+(?:t|cm|vm)\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_R_LETTERS = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\$?([A-Z]{1,3})")
_HAS_R = re.compile(rb"(?:^|\s)r\s*=")


_CUT_BETWEEN_ROWS = re.compile(rb'</row><row r="(\d+)"')


def halves(data: bytes) -> tuple[tuple[memoryview, ...], tuple[memoryview, ...], int] | None:
    """The sheet cut in two between two rows near the middle of its XML: each half is the
    sheet without the other half's rows (as pieces to join), with the number of the second
    half's first row; ``None`` when there is no such cut (rows with a namespace prefix, or
    written apart). The cut is found by bytes only: one inside a comment or CDATA leaves a
    half that a parser refuses (its end unclosed), so a caller that reads the halves must read
    the whole sheet when either half is unreadable."""
    start, end = data.find(b"<sheetData>"), data.rfind(b"</sheetData>")
    if start < 0 or end <= start:
        return None
    start += len(b"<sheetData>")
    cut = _CUT_BETWEEN_ROWS.search(data, (start + end) // 2, end)
    row = bounded_int(cut[1]) if cut is not None else 0
    if row < 2:
        return None
    middle = cut.start() + len(b"</row>")
    view = memoryview(data)
    return (view[:middle], view[end:]), (view[:start], view[middle:]), row


def column_index(letters: str) -> int:
    """``"A"`` → 1, ``"AA"`` → 27."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def column_letters(index: int) -> str:
    """1 → ``"A"``, 27 → ``"AA"``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def split_ref(ref: str) -> tuple[str, int]:
    """``"E12"`` → (``"E"``, 12); ``ValueError`` for anything else."""
    m = _CELL_REF.match(ref.replace("$", ""))
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return m[1], bounded_int(m[2])


def formula_cells(data: bytes) -> frozenset[tuple[int, str]]:
    """(row, column letters) of every cell holding a formula (``<f>``), found by a byte scan.

    Cheap when there are none (one byte search). Each ``<f>`` found in ``sheetData`` is
    traced back to its cell's start tag; only if a cell lacks ``r`` are the rows walked.
    """
    sheet_data = _SHEET_DATA.search(data)
    if sheet_data is None or sheet_data[2]:
        return frozenset()
    prefix = sheet_data[1]
    end = data.find(b"</" + prefix + b"sheetData>", sheet_data.end())
    end = len(data) if end < 0 else end
    found: set[tuple[int, str]] = set()
    cell_open = b"<" + prefix + b"c"
    formula_open = b"<" + prefix + b"f"
    pos = data.find(formula_open, sheet_data.end(), end)
    while pos >= 0:
        if data[pos + len(formula_open) : pos + len(formula_open) + 1] in (
            b" ",
            b">",
            b"/",
            b"\t",
            b"\n",
            b"\r",
        ):
            start = data.rfind(cell_open, sheet_data.end(), pos)
            cell = _CELL.match(data, start) if start >= 0 else None
            ref = _attrs(cell[2]).get(b"r") if cell else None
            if ref is None:
                return _formula_cells_by_walking(data, sheet_data, end)
            try:
                letters, row = split_ref(ref.decode())
            except ValueError:
                return _formula_cells_by_walking(data, sheet_data, end)
            found.add((row, letters))
        pos = data.find(formula_open, pos + 1, end)
    return frozenset(found)


def _formula_cells_by_walking(
    data: bytes, sheet_data: re.Match[bytes], end: int
) -> frozenset[tuple[int, str]]:
    prefix = sheet_data[1]
    close_row = b"</" + prefix + b"row>"
    found: set[tuple[int, str]] = set()
    previous = 0
    for m in _ROW.finditer(data, sheet_data.end(), end):
        number = _row_number(m[2]) or previous + 1
        previous = number
        if m[3]:
            continue
        body = data[m.end() : data.find(close_row, m.end())]
        for col, _start, _end, _cell_attrs, inner in _iter_cells(prefix, body, number):
            if inner is not None and _FORMULA.search(inner):
                found.add((number, column_letters(col)))
    return frozenset(found)


def patch_sheet(data: bytes, edits: Mapping[int, Mapping[int, str]]) -> bytes:
    """The worksheet XML with the cells ``edits[row][column index]`` set to text, the rest unchanged.

    Values are written as inline strings keeping each cell's style (``s``); missing rows and
    cells are inserted in order (styled like their row or column, if those have a style);
    ``<dimension>`` grows only if needed. An empty text clears the cell's value.
    """
    return PreparedSheet(data).patch(edits)


class PreparedSheet:
    """A worksheet's XML checked and, for the columns named, its cells located: ready to patch.

    Locating is most of a patch's work and needs no values, so a caller may prepare while
    the values are still being computed. :meth:`patch` may be called more than once.
    """

    def __init__(self, data: bytes, columns: Iterable[int] = ()) -> None:
        _check_encoding(data)
        sheet_data = _SHEET_DATA.search(data)
        if sheet_data is None:
            raise TableError(
                "Az első munkalap XML-jében nincs sheetData elem; a munkafüzet sérült."
            )
        self._data = data
        self._sheet_data = sheet_data
        self._prefix = prefix = sheet_data[1]
        self._col_styles = _column_styles(data[: sheet_data.start()])
        self._cells: dict[int, dict[int, tuple[int, int, bytes, bytes | None]]] = {}
        # a cell's other attributes -> those kept on patching
        self._dropped: dict[bytes, bytes] = {}
        if sheet_data[2]:  # <sheetData/>
            self._content = b""
            return
        content_start = sheet_data.end()
        content_end = data.find(b"</" + prefix + b"sheetData>", content_start)
        refuse_rows(
            content_end,
            content_end >= 0
            and (
                data.find(b"<!", content_start, content_end) >= 0
                or data.find(b"<?", content_start, content_end) >= 0
            ),
        )
        self._content_end = content_end
        # A view, not a copy: the sheet's XML is tens of megabytes in a big table.
        self._content: bytes | memoryview = memoryview(data)[content_start:content_end]
        for col in columns:
            self._cells_of(col)

    def _cells_of(self, col: int) -> dict[int, tuple[int, int, bytes, bytes | None]]:
        """Row -> (start, end, other attributes, inner bytes or None) of each cell of column
        ``col`` whose start tag has ``r`` first (as Excel, LibreOffice and openpyxl write
        them); one regular-expression scan per column."""
        cells = self._cells.get(col)
        if cells is None:
            pattern = cells_pattern(self._prefix, col)
            cells = {}
            for m in pattern.finditer(self._content):
                row = int(m[1])
                if row not in cells:  # a repeated reference: the first counts
                    cells[row] = (m.start(), m.end(), m[2], m[3])
            self._cells[col] = cells
        return cells

    def patch(self, edits: Mapping[int, Mapping[int, str]]) -> bytes:
        """The XML with ``edits[row][column index]`` written (see :func:`patch_sheet`)."""
        data, sheet_data, prefix = self._data, self._sheet_data, self._prefix
        pending = sorted(edits)
        head = _grow_dimension(data[: sheet_data.start()], *_extent(edits))

        if sheet_data[2]:  # <sheetData/>
            rows = b"".join(_new_row(prefix, r, edits[r], self._col_styles) for r in pending)
            open_tag = sheet_data[0][:-2] + b">"
            return b"".join(
                (head, open_tag, rows, b"</" + prefix + b"sheetData>", data[sheet_data.end() :])
            )

        content_start = sheet_data.end()
        content, remaining = self._patch_by_substitution(edits)
        if not remaining:
            return b"".join(
                (head, data[sheet_data.start() : content_start], content, data[self._content_end :])
            )
        # Cells the substitution did not find (missing, or ``r`` not first): walk the rows.
        return _patch_by_walking(
            head,
            data[sheet_data.start() : content_start],
            bytes(content),
            data[self._content_end :],
            prefix,
            remaining,
            self._col_styles,
        )

    def _patch_by_substitution(
        self, edits: Mapping[int, Mapping[int, str]]
    ) -> tuple[bytes | memoryview, dict[int, dict[int, str]]]:
        """The fast path: each edited cell that was located is replaced in place.

        Returns the new content and the edits not done.
        """
        found, remaining = self._replacements(edits)
        if not found:
            return self._content, remaining
        view = memoryview(self._content)  # slices without copies; join copies once
        out: list[bytes | memoryview] = []
        copied = 0
        for start, end, cell_bytes in found:
            out += (view[copied:start], cell_bytes)
            copied = end
        out.append(view[copied:])
        return b"".join(out), remaining

    def _replacements(
        self, edits: Mapping[int, Mapping[int, str]]
    ) -> tuple[list[tuple[int, int, bytes]], dict[int, dict[int, str]]]:
        return replacements(edits, self._cells_of, self._prefix, self._dropped)

    def streamer(self) -> SheetStreamer:
        """A patcher that takes the edits in batches and gives the XML piece by piece."""
        return SheetStreamer(self)


def replacements(
    edits: Mapping[int, Mapping[int, str]],
    cells_of: Callable[[int], Mapping[int, tuple[int, int, bytes, bytes | None]]],
    prefix: bytes,
    dropped: dict[bytes, bytes],
) -> tuple[list[tuple[int, int, bytes]], dict[int, dict[int, str]]]:
    """(start, end, new cell) for each edited cell that ``cells_of(column)`` located (row →
    start, end, other attributes, inner bytes), in order; and the edits whose cells were not.
    ``dropped`` caches a cell's other attributes → those kept on patching."""
    found: list[tuple[int, int, bytes]] = []
    remaining: dict[int, dict[int, str]] = {}
    columns: dict[int, tuple[dict, bytes]] = {}  # column -> (its cells, b' r="E')
    # Rows below every located cell of the edited columns are new rows, taken whole.
    last = max(
        (max(cells_of(col), default=0) for col in set().union(*edits.values())),
        default=0,
    )
    for row, cols in edits.items():
        if row > last:
            remaining[row] = dict(cols)
            continue
        for col, text in cols.items():
            column = columns.get(col)
            if column is None:
                column = columns[col] = (
                    cells_of(col),
                    b' r="' + column_letters(col).encode(),
                )
            cell = column[0].get(row)
            if cell is None:
                remaining.setdefault(row, {})[col] = text
                continue
            start, end, attrs, inner = cell
            kept = dropped.get(attrs)
            if kept is None:
                kept = dropped[attrs] = _DROPPED_ON_PATCH.sub(b"", attrs)
            if inner:
                _refuse_shared_formula(row, col, inner)
            found.append(
                (start, end, inline_string_cell(prefix, column[1] + b'%d"' % row + kept, text))
            )
    found.sort()
    return found, remaining


def refuse_rows(content_end: int, markup: bool) -> None:
    """A sheet's rows that cannot be patched refused: ``</sheetData>`` missing (``content_end``
    below 0), or markup other than elements among them (comments, CDATA)."""
    if content_end < 0:
        raise TableError("Az első munkalap XML-je csonka (hiányzik a sheetData vége).")
    if markup:
        raise TableError(
            "Az első munkalap XML-je megjegyzést vagy CDATA-részt tartalmaz az adatok között; "
            "mentse újra a munkafüzetet Excelben vagy LibreOffice-ban."
        )


def cells_pattern(prefix: bytes, col: int) -> re.Pattern[bytes]:
    """The cells of column ``col`` whose start tag has ``r`` first: row, other attributes, inner bytes."""
    escaped = re.escape(prefix)
    return re.compile(
        b"<" + escaped + b'c r="' + column_letters(col).encode() + rb'(\d+)"'
        rb"([^>]*?)(?:/>|>(.*?)</" + escaped + rb"c>)",
        re.DOTALL,
    )


class NotStreamable(Exception):
    """A batch of edits the streamer cannot write in place: use :meth:`PreparedSheet.patch`."""


class SheetStreamer:
    """:meth:`PreparedSheet.patch` in pieces: each batch of edits gives the XML up to its last
    cell, so the output can be compressed while later batches are still being computed.

    Only the common case streams: every edited cell exists (located when prepared), each batch
    lies after the previous one in the XML, and the ``<dimension>`` needs no change. Anything
    else raises :class:`NotStreamable` (nothing already given is then valid output); the
    caller starts again with ``patch`` and all the edits.
    """

    def __init__(self, sheet: PreparedSheet) -> None:
        self._sheet = sheet
        self._head_done = False
        self._copied = 0  # content given so far

    def feed(self, edits: Mapping[int, Mapping[int, str]]) -> bytes:
        sheet = self._sheet
        if sheet._sheet_data[2] and edits:
            raise NotStreamable("empty sheetData")
        found, remaining = sheet._replacements(edits)
        if remaining:
            raise NotStreamable("cells not located")
        if found and found[0][0] < self._copied:
            raise NotStreamable("batch before the previous one")
        head = sheet._data[: sheet._sheet_data.start()]
        if _grow_dimension(head, *_extent(edits)) != head:
            raise NotStreamable("dimension grows")
        view = memoryview(sheet._content)
        out: list[bytes | memoryview] = [self._head()]
        copied = self._copied
        for start, end, cell_bytes in found:
            out += (view[copied:start], cell_bytes)
            copied = end
        self._copied = copied
        return b"".join(out)

    def finish(self) -> bytes:
        """The rest of the XML after the last batch."""
        sheet = self._sheet
        if sheet._sheet_data[2]:  # <sheetData/>: nothing was patched
            return self._head() + sheet._data[sheet._sheet_data.start() :]
        return b"".join(
            (self._head(), sheet._content[self._copied :], sheet._data[sheet._content_end :])
        )

    def _head(self) -> bytes:
        """Everything before the first row (before ``<sheetData/>``), once."""
        if self._head_done:
            return b""
        self._head_done = True
        sheet_data = self._sheet._sheet_data
        return self._sheet._data[: sheet_data.start() if sheet_data[2] else sheet_data.end()]


def _patch_by_walking(
    head: bytes,
    open_tag: bytes,
    content: bytes,
    tail: bytes,
    prefix: bytes,
    edits: Mapping[int, Mapping[int, str]],
    col_styles: list[tuple[int, int, bytes]],
) -> bytes:
    """The general path: walk the rows of ``content``, patching and inserting rows and cells."""
    pending = sorted(edits)
    close_row = b"</" + prefix + b"row>"
    out = [head, open_tag]
    copied = 0
    index = 0  # into pending
    previous = 0
    for m in _ROW.finditer(content):
        if index == len(pending):
            break
        number = _row_number(m[2]) or previous + 1
        previous = number
        while index < len(pending) and pending[index] < number:
            out += (
                content[copied : m.start()],
                _new_row(prefix, pending[index], edits[pending[index]], col_styles),
            )
            copied = m.start()
            index += 1
        if index < len(pending) and pending[index] == number:
            if m[3]:
                end, body = m.end(), None
            else:
                body_end = content.find(close_row, m.end())
                if body_end < 0:
                    raise TableError(
                        f"Az első munkalap XML-je sérült ({article(number)} {number}. sor nincs lezárva)."
                    )
                end, body = body_end + len(close_row), content[m.end() : body_end]
            out += (
                content[copied : m.start()],
                _patch_row(prefix, number, m[2], body, edits[number], col_styles),
            )
            copied = end
            index += 1
    out.append(content[copied:])
    out += [_new_row(prefix, r, edits[r], col_styles) for r in pending[index:]]
    out.append(tail)
    return b"".join(out)


# --- rows -------------------------------------------------------------------------------------


def _patch_row(
    prefix: bytes,
    number: int,
    attrs: bytes,
    body: bytes | None,
    edits: Mapping[int, str],
    col_styles: list[tuple[int, int, bytes]],
) -> bytes:
    close = b"</" + prefix + b"row>"
    fast = _patch_existing_cells(prefix, number, body, edits) if body is not None else None
    if fast is not None:  # no cell inserted: the row's attributes (spans) stay valid
        return b"<" + prefix + b"row" + attrs + b">" + fast + close
    default_style = _row_style(attrs)
    pending = sorted(edits)
    out: list[bytes] = []
    index = 0
    if body is not None:
        copied = 0
        for col, start, end, cell_attrs, cell_body in _iter_cells(prefix, body, number):
            if index == len(pending):
                break
            while index < len(pending) and pending[index] < col:
                out += (
                    body[copied:start],
                    _new_cell(
                        prefix,
                        number,
                        pending[index],
                        edits[pending[index]],
                        default_style,
                        col_styles,
                    ),
                )
                copied = start
                index += 1
            if index < len(pending) and pending[index] == col:
                out += (
                    body[copied:start],
                    _patched_cell(prefix, number, col, cell_attrs, cell_body, edits[col]),
                )
                copied = end
                index += 1
        tail = body[copied:]
        # keep a trailing <extLst> after the cells
        ext = re.search(rb"<" + re.escape(prefix) + rb"extLst\b", tail)
        cut = ext.start() if ext else len(tail)
        out.append(tail[:cut])
        out += [
            _new_cell(prefix, number, c, edits[c], default_style, col_styles)
            for c in pending[index:]
        ]
        out.append(tail[cut:])
    else:
        out += [_new_cell(prefix, number, c, edits[c], default_style, col_styles) for c in pending]
    new_attrs = _widen_spans(attrs, pending[0], pending[-1]) if pending else attrs
    return b"<" + prefix + b"row" + new_attrs + b">" + b"".join(out) + close


def _patch_existing_cells(
    prefix: bytes, number: int, body: bytes, edits: Mapping[int, str]
) -> bytes | None:
    """The fast path: every edited cell exists with an ``r`` attribute; ``None`` if not so."""
    close_cell = b"</" + prefix + b"c>"
    out: list[bytes] = []
    pos = 0
    row = str(number).encode()
    for col in sorted(edits):
        at = body.find(b' r="' + column_letters(col).encode() + row + b'"', pos)
        if at < 0:
            return None
        start = body.rfind(b"<", pos, at)
        cell = _CELL.match(body, start) if start >= 0 else None
        if cell is None or cell.end() <= at or cell[1] != prefix:
            return None
        if cell[3]:
            end, inner = cell.end(), None
        else:
            inner_end = body.find(close_cell, cell.end())
            if inner_end < 0:
                return None
            end, inner = inner_end + len(close_cell), body[cell.end() : inner_end]
        out += (body[pos:start], _patched_cell(prefix, number, col, cell[2], inner, edits[col]))
        pos = end
    out.append(body[pos:])
    return b"".join(out)


def _new_row(
    prefix: bytes, number: int, edits: Mapping[int, str], col_styles: list[tuple[int, int, bytes]]
) -> bytes:
    """A row the sheet lacks, its cells written as :func:`_new_cell` writes them, with each
    column's fixed bytes made once (a table built from an export adds 100,000 rows)."""
    row = str(number).encode()
    styles = tuple(col_styles)
    out = [b"<" + prefix + b'row r="' + row + b'">']
    for col in sorted(edits):
        text = edits[col]
        start, filled, empty, end = _new_cell_bytes(prefix, col, styles)
        if text == "":
            out += (start, row, empty)
        elif text != text.strip() or "\n" in text or "\t" in text:  # xml:space needed
            out.append(_new_cell(prefix, number, col, text, None, col_styles))
        else:
            out += (start, row, filled, escape_text(text).encode("utf-8"), end)
    out.append(b"</" + prefix + b"row>")
    return b"".join(out)


@functools.lru_cache(maxsize=1024)
def _new_cell_bytes(
    prefix: bytes, col: int, col_styles: tuple[tuple[int, int, bytes], ...]
) -> tuple[bytes, bytes, bytes, bytes]:
    """A new cell's bytes around its row number and text: ``<c r="D``, ``" s="3"
    t="inlineStr"><is><t>`` (or ``" s="3"/>`` when empty), ``</t></is></c>``."""
    style = _column_style(list(col_styles), col)
    styled = b' s="' + style + b'"' if style is not None and style != b"0" else b""
    start = b"<" + prefix + b'c r="' + column_letters(col).encode()
    filled = b'"' + styled + b' t="inlineStr"><' + prefix + b"is><" + prefix + b"t>"
    end = b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>"
    return start, filled, b'"' + styled + b"/>", end


def _row_style(attrs: bytes) -> bytes | None:
    values = _attrs(attrs)
    if values.get(b"customFormat") in (b"1", b"true"):
        return values.get(b"s")
    return None


def _widen_spans(attrs: bytes, first: int, last: int) -> bytes:
    m = re.search(rb"\bspans\s*=\s*\"(\d+):(\d+)\"", attrs)
    if m is None:
        # several ranges or none: spans is only an optimisation hint; drop a multi-range one
        return re.sub(rb"\s*\bspans\s*=\s*\"[^\"]*\"", b"", attrs)
    low, high = min(int(m[1]), first), max(int(m[2]), last)
    if (low, high) == (int(m[1]), int(m[2])):
        return attrs
    return attrs[: m.start()] + b'spans="' + f"{low}:{high}".encode() + b'"' + attrs[m.end() :]


# --- cells ------------------------------------------------------------------------------------


def _iter_cells(prefix: bytes, body: bytes, row: int):
    """(column index, start, end, attrs, inner bytes or None) of each cell in a row's content."""
    close_cell = b"</" + prefix + b"c>"
    pos = 0
    previous = 0
    while True:
        m = _CELL.search(body, pos)
        if m is None or m[1] != prefix:
            if m is None:
                return
            pos = m.end()
            continue
        ref = _R_LETTERS.search(m[2])
        col = column_index(ref[1].decode()) if ref else previous + 1
        previous = col
        if m[3]:
            yield col, m.start(), m.end(), m[2], None
            pos = m.end()
        else:
            inner_end = body.find(close_cell, m.end())
            if inner_end < 0:
                raise TableError(
                    f"Az első munkalap XML-je sérült ({article(row)} {row}. sor egy cellája nincs lezárva)."
                )
            yield col, m.start(), inner_end + len(close_cell), m[2], body[m.end() : inner_end]
            pos = inner_end + len(close_cell)


def _patched_cell(
    prefix: bytes, row: int, col: int, attrs: bytes, body: bytes | None, text: str
) -> bytes:
    """An existing cell with new text: its attributes kept (``s`` included) except type and metadata."""
    _refuse_shared_formula(row, col, body)
    kept = _DROPPED_ON_PATCH.sub(b"", attrs)
    if not _HAS_R.search(kept):
        kept = b' r="' + f"{column_letters(col)}{row}".encode() + b'"' + kept
    return inline_string_cell(prefix, kept, text)


def _refuse_shared_formula(row: int, col: int, body: bytes | None) -> None:
    if body and b"f" in body:
        formula = _FORMULA.search(body)
        if formula is not None and b"ref" in _attrs(formula[2]):
            raise TableError(
                f"{article(column_letters(col)).capitalize()} {column_letters(col)}{row} cellában több cellára kiterjedő (közös vagy tömb-) "
                "képlet van, ezért nem írható felül. Törölje a képletet, és küldje újra a táblázatot."
            )


def _new_cell(
    prefix: bytes,
    row: int,
    col: int,
    text: str,
    row_style: bytes | None,
    col_styles: list[tuple[int, int, bytes]],
) -> bytes:
    attrs = b' r="' + f"{column_letters(col)}{row}".encode() + b'"'
    style = row_style if row_style is not None else _column_style(col_styles, col)
    if style is not None and style != b"0":
        attrs += b' s="' + style + b'"'
    return inline_string_cell(prefix, attrs, text)


def inline_string_cell(prefix: bytes, attrs: bytes, text: str) -> bytes:
    """``<c{attrs} t="inlineStr"><is><t>text</t></is></c>``; ``attrs`` starts with whitespace."""
    if text == "":
        return b"<" + prefix + b"c" + attrs + b"/>"
    space = b' xml:space="preserve"' if keeps_space(text) else b""
    return (
        b"<" + prefix + b"c" + attrs + b' t="inlineStr"><' + prefix + b"is><" + prefix + b"t" + space + b">"
        + escape_text(text).encode("utf-8")
        + b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>"
    )  # fmt: skip


def text_element(text: str) -> str:
    """``<t>text</t>`` of an inline string without a namespace prefix (``text`` not empty)."""
    if keeps_space(text):
        return f'<t xml:space="preserve">{escape_text(text)}</t>'
    return f"<t>{escape_text(text)}</t>"


def keeps_space(text: str) -> bool:
    """Whether the text's white space must be kept by ``xml:space="preserve"``."""
    return text != text.strip() or "\n" in text or "\t" in text


def escape_text(text: str) -> str:
    """Cell text as XML character data, with OOXML ``_xHHHH_`` escapes for characters XML cannot hold."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _XSTRING_LITERAL.sub("_x005F_", text)
    text = _NOT_IN_XML.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- attributes, columns, dimension -----------------------------------------------------------


def _attrs(attrs: bytes) -> dict[bytes, bytes]:
    return {m[1]: m[2] if m[2] is not None else m[3] for m in _ATTR.finditer(attrs)}


def _row_number(attrs: bytes) -> int:
    m = _R_NUMBER.search(attrs)
    return bounded_int(m[1]) if m else 0


def bounded_int(digits: bytes | str) -> int:
    """A row or column number from the file, absurd lengths capped (``int`` refuses over 4,300
    digits): any number beyond a sheet's last row reads as ``10**9``."""
    return int(digits) if len(digits) <= 9 else 10**9


def _column_styles(head: bytes) -> tuple[tuple[int, int, bytes], ...]:
    styles = []
    for m in _COL.finditer(head):
        values = _attrs(m[1])
        if b"style" in values and b"min" in values and b"max" in values:
            styles.append((int(values[b"min"]), int(values[b"max"]), values[b"style"]))
    return tuple(styles)  # hashable: new cells' bytes are cached by it


def _column_style(col_styles: list[tuple[int, int, bytes]], col: int) -> bytes | None:
    return next((style for low, high, style in col_styles if low <= col <= high), None)


def _extent(edits: Mapping[int, Mapping[int, str]]) -> tuple[int, int]:
    """(last row, last column) of the edits; (0, 0) for none."""
    return max(edits, default=0), max(map(max, filter(None, edits.values())), default=0)


def _grow_dimension(head: bytes, max_row: int, max_col: int) -> bytes:
    m = _DIMENSION.search(head)
    if m is None or not max_row:
        return head
    ref = m[2].decode()
    first, _, last = ref.partition(":")
    try:
        first_col, first_row = split_ref(first)
        last_col, last_row = split_ref(last or first)
    except ValueError:
        return head
    new_last_row = max(last_row, max_row)
    new_last_col = max(column_index(last_col), max_col)
    if (new_last_row, new_last_col) == (last_row, column_index(last_col)):
        return head
    new_ref = f"{first_col}{first_row}:{column_letters(new_last_col)}{new_last_row}"
    return head[: m.start(2)] + new_ref.encode() + head[m.end(2) :]


def _check_encoding(data: bytes) -> None:
    m = _XML_DECL_ENCODING.match(data)
    if m and m[1].lower().replace(b"-", b"") != b"utf8":
        raise TableError(
            f"Az első munkalap XML-je nem UTF-8 kódolású ({m[1].decode(errors='replace')})."
        )


# --- checks before a parser sees the sheet ----------------------------------------------------

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
# A date cell's serial number must lie in Excel's range: 1900-01-01 (1) … 9999-12-31.
_LAST_SERIAL = 2_958_466
_VALUE_MARKERS = (b"</v>", b"</is>", b"<is/>", b"</f>", b"<f ")
_R_REF = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")


class SheetProblem(Exception):
    """Something in a worksheet's XML that keeps it from being read: ``message`` is Hungarian
    (a clause to follow the sheet's name), ``limit`` the limit it broke, if any."""

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.message, self.limit = message, limit


@dataclass(frozen=True, slots=True)
class Census:
    """What a parser will make of the sheet: the last row and column holding a value, and the
    last row with a value besides column A (the data rows end there)."""

    last_row: int
    last_column: int
    last_data_row: int


def census(data: bytes, *, max_rows: int, max_cells: int, data_columns: int) -> Census:
    """Check the sheet's extent before it is parsed: no cell beyond XFD1048576, the used area
    (rows × columns) and the cells at most ``max_cells``, the data rows at most ``max_rows``.

    Cheap for the usual sheet (every cell's ``r`` first, within the first ``data_columns``
    columns and below row 1,000,000): two byte scans. Anything else is walked cell by cell,
    as a parser would place it. Raises :class:`SheetProblem`.
    """
    sheet_data = _SHEET_DATA.search(data)
    if sheet_data is None or sheet_data[2]:
        return Census(0, 0, 0)
    prefix = sheet_data[1]
    start = sheet_data.end()
    end = data.find(b"</" + prefix + b"sheetData>", start)
    end = len(data) if end < 0 else end
    if _unusual_cells(prefix, data_columns).search(data, start, end) is None:
        last_row = _last_row_number(data, prefix, start, end)
        if last_row * data_columns <= max_cells:
            last_data_row = last_row
            if last_row - 1 > max_rows:
                last_data_row = _last_data_row(data, prefix, start, end)
            _check_rows(last_data_row, max_rows)
            return Census(last_row, data_columns, last_data_row)
    return _walk(data, prefix, start, end, max_rows=max_rows, max_cells=max_cells)


def _unusual_cells(prefix: bytes, data_columns: int) -> re.Pattern[bytes]:
    """A cell whose position a byte scan cannot bound: without ``r`` first, right of the data
    columns, at row 1,000,000 or beyond (7 digits), or a row numbered so."""
    last = column_letters(data_columns).encode()
    p = re.escape(prefix)
    return _compiled(
        rb"<" + p + rb"c(?=[\s/>])(?! r=\"(?:[A-" + last + rb"]\d{1,6}\"))"
        rb"|<" + p + rb"row r=\"\d{7}"
    )


@functools.cache
def _compiled(pattern: bytes) -> re.Pattern[bytes]:
    return re.compile(pattern)


def _last_row_number(data: bytes, prefix: bytes, start: int, end: int) -> int:
    """The number of the sheet's last row element (rows are in order in a valid sheet; a sheet
    whose are not is bounded all the same: below 1,000,000 rows, the data columns)."""
    at = data.rfind(b"<" + prefix + b"row", start, end)
    while at >= 0:
        m = _ROW.match(data, at)
        if m is not None:
            return _row_number(m[2]) or 1
        at = data.rfind(b"<" + prefix + b"row", start, at)
    return 0


def _last_data_row(data: bytes, prefix: bytes, start: int, end: int) -> int:
    """The row of the last cell holding a value in another column than A, searched from the
    end: trailing rows with only a Sorszám, or only formatting, do not count."""
    markers = (
        b"</" + prefix + b"v>",
        b"</" + prefix + b"is>",
        b"<" + prefix + b"is/>",
        b"</" + prefix + b"f>",
        b"<" + prefix + b"f ",
    )
    cell_re = _compiled(rb"<" + re.escape(prefix) + rb"c(?=[\s/>])([^>]*)>")
    cell_open = b"<" + prefix + b"c"
    limit = end
    # Each marker's last place before the limit, searched again only once passed: a marker
    # the sheet lacks is searched once, not once per row.
    found = {marker: data.rfind(marker, start, end) for marker in markers}
    while True:
        for marker, at in found.items():
            if at >= limit:
                found[marker] = data.rfind(marker, start, limit)
        at = max(found.values())
        if at < 0:
            return 1
        cell_start = data.rfind(cell_open, start, at)
        cell = cell_re.match(data, cell_start) if cell_start >= 0 else None
        while cell_start >= 0 and cell is None:
            cell_start = data.rfind(cell_open, start, cell_start)
            cell = cell_re.match(data, cell_start) if cell_start >= 0 else None
        if cell is None:
            return 1
        ref = _R_REF.search(cell[1])
        if ref is None or ref[1].upper() != b"A":
            if ref is not None and ref[2]:
                return bounded_int(ref[2])
            row_start = data.rfind(b"<" + prefix + b"row", start, cell_start)
            row = _ROW.match(data, row_start) if row_start >= 0 else None
            return (_row_number(row[2]) if row else 0) or 1
        limit = cell_start


def _check_rows(last_data_row: int, max_rows: int) -> None:
    if last_data_row - 1 > max_rows:
        raise SheetProblem(
            f"az utolsó kitöltött sor {article(last_data_row)} {last_data_row}. sor, így {amount(last_data_row - 1)} "
            f"adatsor van rajta; egy táblázat legfeljebb {amount(max_rows)} adatsort tartalmazhat",
            "max_rows",
        )


def _walk(
    data: bytes, prefix: bytes, start: int, end: int, *, max_rows: int, max_cells: int
) -> Census:
    """The census cell by cell, placing cells without ``r`` as a parser does."""
    close_row = b"</" + prefix + b"row>"
    cell_re = _compiled(rb"<" + re.escape(prefix) + rb"c(?=[\s/>])([^>]*?)(/?)>")
    close_cell = b"</" + prefix + b"c>"
    last_row = last_column = last_data_row = 0
    cells = 0
    row_number = 0
    for row in _ROW.finditer(data, start, end):
        row_number = _row_number(row[2]) or row_number + 1
        if row_number > MAX_ROW:
            raise SheetProblem(
                f"egy sor {article(row_number)} {row_number}. sorszámot viseli, pedig egy munkalapnak legfeljebb "
                f"{amount(MAX_ROW)} sora lehet (sérült vagy szándékosan hibás fájl)"
            )
        if row[3]:
            continue
        body_end = data.find(close_row, row.end(), end)
        body_end = end if body_end < 0 else body_end
        column = 0
        pos = row.end()
        data_row = False
        while True:
            cell = cell_re.search(data, pos, body_end)
            if cell is None:
                break
            cells += 1
            if cells > max_cells:
                raise SheetProblem(f"több mint {amount(max_cells)} cella van", "max_cells")
            ref = _R_REF.search(cell[1])
            cell_row = row_number
            if ref is not None and ref[1]:
                letters = ref[1].upper().decode()
                column = column_index(letters) if len(letters) <= 3 else MAX_COLUMN + 1
                if ref[2]:
                    cell_row = bounded_int(ref[2])
            else:
                column += 1
            if column > MAX_COLUMN or cell_row > MAX_ROW or cell_row < 1:
                raise SheetProblem(
                    f"egy cella az Excel utolsó cellájánál (XFD{MAX_ROW}) is távolabb áll "
                    f"({amount(column)}. oszlop, {amount(cell_row)}. sor; sérült vagy szándékosan "
                    "hibás fájl)"
                )
            if cell[2]:
                pos = cell.end()
                continue
            inner_end = data.find(close_cell, cell.end(), body_end)
            inner_end = body_end if inner_end < 0 else inner_end
            if data.find(b"<", cell.end(), inner_end) >= 0:  # holds a value or a formula
                last_row = max(last_row, cell_row)
                last_column = max(last_column, column)
                if column > 1:
                    data_row = True
                    last_data_row = max(last_data_row, cell_row)
            pos = inner_end + len(close_cell)
        if last_row * last_column > max_cells:
            raise SheetProblem(
                f"a használt terület (az utolsó kitöltött sorig és oszlopig) {amount(last_row)} sor × "
                f"{amount(last_column)} oszlop, legfeljebb {amount(max_cells)} cella lehet",
                "max_cells",
            )
        if data_row:
            _check_rows(last_data_row, max_rows)
        pos = body_end
    return Census(last_row, last_column, last_data_row)


# --- cells the officer sees filled although the file holds no plain value -------------------

_CELL_WITH = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c(?=[\s/>])([^>]*?)/?>")


def special_cells(data: bytes, letters: frozenset[str]) -> dict[tuple[int, str], str]:
    """(row, letter) → ``"error"`` (an Excel error value such as #N/A, shown as that) or
    ``"richvalue"`` (an Excel data type: a linked entity or an image in the cell, shown by
    Excel, not held as text) for such cells of the columns ``letters``. A byte search each
    when there are none."""
    if data.find(b't="e"') < 0 and data.find(b" vm=") < 0:
        return {}
    found: dict[tuple[int, str], str] = {}
    for m in _CELL_WITH.finditer(data):
        attrs = m[1]
        kind = (
            "richvalue"
            if re.search(rb"\svm\s*=", attrs)
            else "error"
            if re.search(rb"\st\s*=\s*[\"']e[\"']", attrs)
            else None
        )
        if kind is None:
            continue
        ref = _R_REF.search(attrs)
        if ref is None or not ref[1] or not ref[2]:
            continue
        letter = ref[1].decode().upper()
        if letter in letters:
            found[(bounded_int(ref[2]), letter)] = kind
    return found


# --- date cells out of Excel's range ------------------------------------------------------------

_BUILTIN_DATE_FORMATS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)]
)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]', re.I)


def date_styles(styles: bytes) -> frozenset[int]:
    """Indexes of the cell formats (``cellXfs``) that show a number as a date, time or duration."""
    from lxml import etree

    if not styles:
        return frozenset()
    root = etree.fromstring(
        styles, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    )
    custom: dict[str, str] = {}
    xfs: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "numFmt":
            custom[element.get("numFmtId", "")] = element.get("formatCode", "")
        elif local == "xf" and etree.QName(element.getparent()).localname == "cellXfs":
            xfs.append(element.get("numFmtId", "0"))
    dated: set[int] = set()
    for index, fmt in enumerate(xfs):
        if fmt in custom:
            code = _QUOTED.sub("", custom[fmt]).lower()
            if code != "general" and re.search(r"[dmyhs]", code):
                dated.add(index)
        elif fmt.isdigit() and int(fmt) in _BUILTIN_DATE_FORMATS:
            dated.add(index)
    return frozenset(dated)


def date_cell_out_of_range(data: bytes, styles: frozenset[int]) -> tuple[str, str] | None:
    """(cell reference, value) of the first date-formatted number cell whose value is no
    date Excel can show (negative, beyond 9999-12-31, not a number): a parser converting it
    would fail. ``None`` when there is none; one byte scan per sheet when dates are used."""
    if not styles:
        return None
    if len(styles) <= 64:
        pattern = _compiled(
            rb'\ss="(' + b"|".join(str(i).encode() for i in sorted(styles)) + rb')"'
        )
    else:
        pattern = _compiled(rb'\ss="(\d+)"')
    close_cell_re = _compiled(rb"</(?:[A-Za-z_][\w.\-]*:)?c>")
    for m in pattern.finditer(data):
        if int(m[1]) not in styles:
            continue
        tag_start = data.rfind(b"<", 0, m.start())
        cell = _CELL.match(data, tag_start)
        if cell is None or cell[3]:
            continue
        attrs = _attrs(cell[2])
        if attrs.get(b"t", b"n") != b"n":
            continue
        close = close_cell_re.search(data, cell.end())
        inner = data[cell.end() : close.start() if close else len(data)]
        value = re.search(rb"<(?:[A-Za-z_][\w.\-]*:)?v>([^<]*)<", inner)
        if value is None:
            continue
        text = value[1].decode("ascii", "replace").strip()
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (0 <= number < _LAST_SERIAL):
            return (attrs.get(b"r", b"?").decode("ascii", "replace"), text)
    return None


# --- the first rows, before the sheet is parsed -------------------------------------------------

_T_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?t(?:\s[^>]*)?>([^<]*)</")
_RPH = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?rPh\b.*?</(?:[A-Za-z_][\w.\-]*:)?rPh>", re.S)
_V_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?v(?:\s[^>]*)?>([^<]*)</")
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def leading_rows(data: bytes, last_row: int) -> dict[int, dict[int, tuple[str, str]]]:
    """Row → column index → (cell type, text) of the rows up to ``last_row`` found in ``data``
    (the start of a sheet's XML). The text is the inline string's, or ``<v>``'s (a shared
    string's index for type ``s``)."""
    sheet_data = _SHEET_DATA.search(data)
    rows: dict[int, dict[int, tuple[str, str]]] = {}
    if sheet_data is None or sheet_data[2]:
        return rows
    prefix = sheet_data[1]
    close_row = b"</" + prefix + b"row>"
    previous = 0
    for m in _ROW.finditer(data, sheet_data.end()):
        number = _row_number(m[2]) or previous + 1
        previous = number
        if number > last_row:
            break
        if m[3]:
            continue
        body_end = data.find(close_row, m.end())
        if body_end < 0:
            break  # the row goes on past what was read
        cells: dict[int, tuple[str, str]] = {}
        body = data[m.end() : body_end]
        try:
            for col, _start, _end, attrs, inner in _iter_cells(prefix, body, number):
                kind = _attrs(attrs).get(b"t", b"n").decode("ascii", "replace")
                cells[col] = (kind, _cell_text(kind, inner or b""))
        except TableError:
            break
        rows[number] = cells
    return rows


def _cell_text(kind: str, inner: bytes) -> str:
    if kind == "inlineStr":
        parts = _T_TEXT.findall(_RPH.sub(b"", inner))
    else:
        parts = _V_TEXT.findall(inner)[:1]
    return unescape_text(b"".join(parts).decode("utf-8", "replace"))


def unescape_text(text: str) -> str:
    """XML character data (entities, character references, OOXML ``_xHHHH_``) as text."""
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _XSTRING_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    return text


def text_longer_than(data: bytes, max_chars: int) -> int | None:
    """The length in characters of the first text in ``data`` (a cell's or a shared string's)
    longer than ``max_chars``; ``None`` when there is none. A byte scan: only runs of at least
    ``max_chars`` bytes are decoded and measured."""
    for m in _compiled(rb">[^<]{%d,}" % max_chars).finditer(data):
        length = len(unescape_text(m[0][1:].decode("utf-8", "replace")))
        if length > max_chars:
            return length
    return None
