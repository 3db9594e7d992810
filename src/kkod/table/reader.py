"""Reading a filled "Kapcsolati kód adattáblázat": values with python-calamine, formulas by a byte scan.

The table is the worksheet whose row 1 is the layout's header (:mod:`kkod.table.locate`); the
file is checked as hostile input before calamine sees it (:mod:`kkod.table.package`). Values
arrive as Excel stored them (text, numbers, date cells); nothing is evaluated or fixed here.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from lxml import etree

from kkod.errors import TableError
from kkod.fourt.dates import format_date
from kkod.fourt.model import OpaqueCell, Person4T
from kkod.hungarian import article
from kkod.table import layout
from kkod.table.limits import TableLimits, amount
from kkod.table.locate import OpenTable, header_problem, open_table, workbook_problem
from kkod.table.package import SHARED_STRINGS, STYLES, Package, not_xlsx
from kkod.table.sheet_xml import (
    SheetProblem,
    census,
    date_cell_out_of_range,
    date_styles,
    formula_cells,
    halves,
    special_cells,
    text_longer_than,
)

LETTERS = tuple(c.letter for c in layout.COLUMNS)
_SORSZAM = layout.BY_FIELD["sorszam"].letter
_FOURT_LETTERS = tuple(layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS)  # D F G H I
_FOURT_INDEXES = tuple(LETTERS.index(letter) for letter in _FOURT_LETTERS)
_FOURT_SET = frozenset(_FOURT_LETTERS)
_BELSO_INDEX = LETTERS.index(layout.COLUMN_OF_FIELD["belso_azonosito"])
_SORSZAM_INDEX = LETTERS.index(_SORSZAM)
_CODE_INDEX = LETTERS.index(layout.CODE_COLUMN)
_LETTER_SET = frozenset(LETTERS)
# Excel shows booleans in a Hungarian workbook like this.
_BOOL_TEXT = {True: "IGAZ", False: "HAMIS"}


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row as read: cell values by column letter (empty cells absent) and formula cells."""

    row: int  # Excel row number (2 = first data row)
    cells: dict[str, object]  # letter -> str | date | int | float | OpaqueCell
    formulas: frozenset[str]  # letters of cells holding a formula (cached value kept in cells)

    def text(self, letter: str) -> str:
        """The cell as text: "" if empty, ints without ".0", dates as éééé.hh.nn."""
        return cell_text(self.cells.get(letter))

    @property
    def person(self) -> Person4T:
        return person_of(tuple(self.cells.get(letter) for letter in _FOURT_LETTERS))

    @property
    def belso_azonosito(self) -> str:
        return self.text(layout.COLUMN_OF_FIELD["belso_azonosito"])

    @property
    def megjegyzes(self) -> str:
        return self.text(layout.COLUMN_OF_FIELD["megjegyzes"])

    @property
    def kapcsolati_kod(self) -> str:
        return self.text(layout.COLUMN_OF_FIELD["kapcsolati_kod"])


@dataclass(frozen=True, slots=True)
class Table:
    path: Path
    sheet_name: str
    rows: list[TableRow]  # rows with any value besides Sorszám, in order
    sha256: str  # hex digest of the file's bytes


def person_of(cells: tuple[object, ...]) -> Person4T:
    """The Person4T of a row's (D, F, G, H, I) cells: text as shown, an Excel date cell kept a date."""
    *texts, born = cells  # the birth date comes last
    return Person4T(
        *(cell_text(value) for value in texts), born if isinstance(born, date) else cell_text(born)
    )


def cell_text(value: object) -> str:
    """A cell value as the text a user would see typed: ints without ".0", dates as éééé.hh.nn."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _BOOL_TEXT[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def table_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes (what the declaration states)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class FourTColumns:
    """Only what generation needs, column-wise: per data row (as :func:`read_table` keeps them)
    its Excel row number, Sorszám, Belső azonosító and column E as text, and 4T cells."""

    numbers: list[int]
    sorszam: list[str]
    belso_azonosito: list[str]
    # What column E holds as received, as shown ("" when empty; a formula without a value
    # as "(képlet)"): the employer's, never a code the ministry issued.
    kapcsolati_kod: list[str]
    # (D, F, G, H, I) cells in Person4T field order, None for an empty cell, converted as in
    # TableRow.cells; the whole tuple is None when one of them holds a formula or an
    # :class:`~kkod.fourt.model.OpaqueCell`.
    fourt: list[tuple[object, ...] | None]
    # The cells of the rows whose tuple is None (formula letters, and the cells), to tell why.
    blocked: dict[int, tuple[tuple[object, ...], frozenset[str]]]


def read_table(path: Path) -> Table:
    """Read the table; :class:`TableError` (Hungarian, naming file/sheet/column) if it is not the template."""
    sheet = _read_sheet(Path(path))
    rows: list[TableRow] = []
    no_formulas: frozenset[str] = frozenset()
    formulas_by_row = sheet.formulas_by_row
    for number, raw in enumerate(sheet.rows, start=layout.FIRST_DATA_ROW):
        cells: dict[str, object] = {k: v for k, v in zip(LETTERS, raw, strict=False) if v != ""}
        for letter in [k for k, v in cells.items() if v.__class__ is not str]:
            converted = _convert(cells[letter])
            if converted is None:
                del cells[letter]
            else:
                cells[letter] = converted
        row_formulas = (
            frozenset(formulas_by_row[number]) if number in formulas_by_row else no_formulas
        )
        if not row_formulas and (not cells or (len(cells) == 1 and _SORSZAM in cells)):
            continue
        rows.append(TableRow(row=number, cells=cells, formulas=row_formulas))
    _check_row_count(sheet, len(rows))
    return Table(path=sheet.path, sheet_name=sheet.name, rows=rows, sha256=sheet.sha256)


def read_fourt(path: Path, data: bytes | None = None) -> FourTColumns:
    """The rows :func:`read_table` keeps, reduced to what generation needs, without building
    a :class:`TableRow` per row. Same checks and errors as :func:`read_table`. ``data``: the
    file's bytes when they are in memory already (``path`` then only names it in messages)."""
    sheet = _read_sheet(Path(path), digest=False, data=data)
    formulas_by_row = sheet.formulas_by_row
    numbers: list[int] = []
    sorszam: list[str] = []
    belso: list[str] = []
    codes: list[str] = []
    fourt: list[tuple[object, ...] | None] = []
    blocked: dict[int, tuple[tuple[object, ...], frozenset[str]]] = {}
    width = len(LETTERS)
    pick_fourt = itemgetter(*_FOURT_INDEXES)
    for number, raw in enumerate(sheet.rows, start=layout.FIRST_DATA_ROW):
        if len(raw) < width:
            raw = [*raw, *[""] * (width - len(raw))]
        person = pick_fourt(raw)
        current, birth, mother, place, born = person
        if not (  # rare: empty cells, numbers, dates
            current.__class__ is str
            and birth.__class__ is str
            and mother.__class__ is str
            and place.__class__ is str
            and born.__class__ is str
            and current
            and birth
            and mother
            and place
            and born
        ):
            person = tuple(_cell(v) for v in person)
            opaque = _has_opaque(person)
        else:
            opaque = False
        formulas = formulas_by_row.get(number)
        if (
            person[0] is None
            and not formulas
            and not any(_cell(v) is not None for v in raw[1:width])
        ):
            continue  # nothing besides Sorszám
        numbers.append(number)
        sorszam.append(_text_of(raw[_SORSZAM_INDEX]))
        belso.append(_text_of(raw[_BELSO_INDEX]))
        code = _text_of(raw[_CODE_INDEX])
        codes.append(code or ("(képlet)" if formulas and layout.CODE_COLUMN in formulas else ""))
        if opaque or (formulas and not formulas.isdisjoint(_FOURT_SET)):
            blocked[number] = (person, frozenset(formulas or ()))
            fourt.append(None)
        else:
            fourt.append(person)
    _check_row_count(sheet, len(numbers))
    return FourTColumns(numbers, sorszam, belso, codes, fourt, blocked)


def _has_opaque(cells: tuple[object, ...]) -> bool:
    return any(v.__class__ is OpaqueCell for v in cells)


def _check_row_count(sheet: _Sheet, rows: int) -> None:
    """At most :attr:`TableLimits.max_rows` data rows (the check before parsing bounds the
    last row; rows out of order are counted here)."""
    if rows > sheet.limits.max_rows:
        raise workbook_problem(
            sheet.path,
            SheetProblem(
                f"{amount(rows)} adatsor van; egy táblázat legfeljebb "
                f"{amount(sheet.limits.max_rows)} adatsort tartalmazhat",
                "max_rows",
            ),
            sheet.name,
        )


def _text_of(value: object) -> str:
    """A raw calamine value as the text shown (``""`` for an empty cell)."""
    if value.__class__ is str:
        return value
    if value.__class__ is float and value.is_integer():  # a Sorszám, most often
        return str(int(value))
    return cell_text(_cell(value))


# From this size of sheet XML (about 5,000 rows) calamine parses in a thread of its own.
_PARSE_BESIDE_FROM = 1_000_000
# From this size of sheet XML (about 15,000 rows) the sheet is parsed in two halves at once, up
# to the second: the halves' copies cost about twice the sheet's XML while they are parsed, and
# a sheet at KKOD_TABLE_MAX_MEMBER_BYTES (160 MiB) must not take more than it did parsed whole.
_HALVES_FROM = 8_000_000
_HALVES_UP_TO = 64 * 2**20


@dataclass(frozen=True, slots=True)
class _Sheet:
    path: Path
    name: str
    # calamine's rows from row 2 on, made into Python values one at a time as they are taken
    # (never all at once: 100,000 rows of cells that are dropped again would leave the
    # process's memory full of holes)
    rows: Iterator[list[object]]
    formulas_by_row: dict[int, set[str]]  # row -> layout letters holding a formula
    sha256: str
    limits: TableLimits


def _read_sheet(
    path: Path, *, digest: bool = True, limits: TableLimits | None = None, data: bytes | None = None
) -> _Sheet:
    """The table's sheet, checked then parsed: the package, the sheet's extent, its long texts
    and its date cells are checked before calamine sees them; calamine then parses (without
    the GIL) while the formula scan runs. The header row is checked here, the data rows are
    read as they are taken."""
    table = open_table(path, limits, data=data)
    try:
        package, sheet = table.package, table.sheet
        xml = package.xml(sheet.part)
        styles = package.xml(STYLES) if package.has(STYLES) else b""
        check_before_parsing(package, sheet.name, xml, styles)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A small sheet is parsed here: starting the thread would cost more than it saves.
            parsing = (
                pool.submit(parse_big_sheet, package, sheet.part, sheet.name, xml)
                if len(xml) >= _PARSE_BESIDE_FROM
                else None
            )
            sha256 = hashlib.sha256(package.data).hexdigest() if digest else ""
            formulas = formula_cells(xml)
            special = special_cells(xml, _LETTER_SET)
            # The inflated sheet (50 MB for 100,000 rows) is not needed any more: let it go
            # before calamine's rows are made, not beside them.
            del xml
            rows, failure = (
                parse_rows(package.data, sheet.name) if parsing is None else parsing.result()
            )
        if failure is not None:
            raise unreadable(package, sheet.name, package.xml(sheet.part), failure)
        rows = _taken(table, rows, special)
        header = next(rows, [])
        _check_header(path, sheet.name, header)
    except BaseException:
        table.package.close()
        raise
    formulas_by_row: dict[int, set[str]] = {}
    for number, letter in formulas:
        if letter in layout.BY_LETTER:
            formulas_by_row.setdefault(number, set()).add(letter)
    return _Sheet(path, sheet.name, rows, formulas_by_row, sha256, package.limits)


def _taken(
    table: OpenTable, rows: Iterator[list[object]], special: dict[tuple[int, str], str]
) -> Iterator[list[object]]:
    """Calamine's rows as they are taken, header first, with what calamine reads as "" where
    :mod:`~kkod.table.sheet_xml` found a special cell (an :class:`OpaqueCell`); a value that
    calamine cannot make is refused as :func:`unreadable`. The package is closed at the end."""
    in_row: dict[int, list[tuple[int, str]]] = {}
    for (number, letter), kind in special.items():
        in_row.setdefault(number, []).append((LETTERS.index(letter), kind))
    with table:
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # a Rust panic too (see parse_rows)
                package, sheet = table.package, table.sheet
                raise unreadable(package, sheet.name, package.xml(sheet.part), error) from None
            number += 1
            for index, kind in in_row.get(number, ()):
                if index >= len(row):
                    row.extend([""] * (index + 1 - len(row)))
                row[index] = OpaqueCell(kind)
            yield row


def check_before_parsing(
    package: Package, sheet: str, data: bytes, styles: bytes, data_columns: int = len(LETTERS)
) -> None:
    """What would make calamine abort, panic, or use more than the limits allow, refused first
    (a sheet of ``data_columns`` columns: the table's, or an export's)."""
    limits = package.limits
    try:
        census(
            data,
            max_rows=limits.max_rows,
            max_cells=limits.max_cells,
            data_columns=data_columns,
        )
        length = text_longer_than(data, limits.max_cell_chars)
        if length is not None:
            raise SheetProblem(
                f"egy cella szövege {amount(length)} karakteres, legfeljebb "
                f"{amount(limits.max_cell_chars)} lehet (ennyit az Excel is legfeljebb egy "
                "cellába)",
                "max_cell_chars",
            )
        try:
            dated = date_styles(styles)
        except etree.XMLSyntaxError:
            raise SheetProblem("a stíluslapja (xl/styles.xml) sérült") from None
        out_of_range = date_cell_out_of_range(data, dated)
        if out_of_range is not None:
            ref, value = out_of_range
            raise SheetProblem(
                f"{article(ref)} {ref} cellában dátumként formázott szám ({value[:40]}) áll, amely nem "
                "lehet dátum (az Excel ##### jelekkel mutatja): írja be a dátumot éééé.hh.nn "
                "formában, szövegként"
            )
    except SheetProblem as problem:
        raise workbook_problem(package.path, problem, sheet) from None


def parse_sheet(data: bytes, sheet: str) -> tuple[list[list[object]], BaseException | None]:
    """Calamine's rows of ``sheet`` from A1, all made at once; a failure is returned."""
    rows, failure = parse_rows(data, sheet)
    if failure is not None:
        return [], failure
    try:
        return list(rows), None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        return [], error


def parse_rows(data: bytes, sheet: str) -> tuple[Iterator[list[object]], BaseException | None]:
    """Calamine's rows of ``sheet`` from A1, parsed now and made into Python values as they are
    taken; a failure is returned (a Rust panic is a BaseException: it must not escape a thread
    of ours as if it were a KeyboardInterrupt)."""
    from python_calamine import CalamineWorkbook

    try:
        parsed = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet)
        if parsed.start not in (None, (0, 0)):
            # calamine's row iterator leaves out empty columns before the first value: from A1,
            # the sheet is made at once (a table whose A1 is empty is refused by its header)
            return iter(parsed.to_python(skip_empty_area=False)), None
        return parsed.iter_rows(), None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # CalamineError, ValueError, OverflowError, PanicException
        return iter(()), error


def parse_big_sheet(
    package: Package, part: str, sheet: str, xml: bytes
) -> tuple[Iterator[list[object]], BaseException | None]:
    """:func:`parse_rows` of a big sheet (``xml`` its XML, the member ``part``): from
    :data:`_HALVES_FROM` to :data:`_HALVES_UP_TO` bytes calamine parses its two halves at once,
    each on a core of its own (without the GIL) and from a copy of the package where the half
    is stored uncompressed: about half the time of one parse. A sheet that cannot be cut so,
    or whose halves do not join into the whole (see :func:`_joined`), is parsed whole."""
    cut = halves(xml) if _HALVES_FROM <= len(xml) <= _HALVES_UP_TO else None
    if cut is None:
        return parse_rows(package.data, sheet)
    first_half, second_half, row = cut
    del cut
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(_calamine_half, package, part, second_half, sheet)
        first = _calamine_half(package, part, first_half, sheet)
        rows = _joined(first, second.result(), row - 1)
    return (rows, None) if rows is not None else parse_rows(package.data, sheet)


def _calamine_half(
    package: Package, part: str, pieces: tuple[memoryview, ...], sheet: str
) -> Any | None:
    """calamine's parse of ``sheet`` with ``pieces`` as its XML, ``None`` if it fails."""
    from python_calamine import CalamineWorkbook

    try:
        # The copy of the package is let go once calamine holds it, before the parse.
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(package.with_member(part, pieces)))
        return workbook.get_sheet_by_name(sheet)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # CalamineError, a Rust panic: the whole sheet's parse tells why
        return None


def _joined(first: Any | None, second: Any | None, cut: int) -> Iterator[list[object]] | None:
    """The rows of the whole sheet, as calamine's ``iter_rows`` of it gives them, from the
    parses of its halves cut before row index ``cut``; ``None`` unless each half's cells lie on
    its side of the cut and the first starts at A1 (as the whole must, see :func:`parse_rows`)."""
    if first is None or second is None or first.start != (0, 0) or first.end[0] >= cut:
        return None
    if second.start is None:  # no cell after the cut
        return first.iter_rows()
    if second.start[0] < cut:
        return None
    return _chained(first, second, cut)


def _chained(first: Any, second: Any, cut: int) -> Iterator[list[object]]:
    """:func:`_joined`'s rows: each half's as wide as the whole's, empty rows between them."""
    width = max(first.end[1], second.end[1]) + 1
    for row in first.iter_rows():
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        yield row
    for _ in range(first.height, cut):
        yield [""] * width
    rows = second.iter_rows()  # from the first row, each from the half's first column
    next(itertools.islice(rows, second.start[0], second.start[0]), None)
    left = [""] * second.start[1]
    right = width - second.end[1] - 1
    for row in rows:
        if left:
            row[:0] = left
        if right:
            row.extend([""] * right)
        yield row


def unreadable(package: Package, sheet: str, data: bytes, error: BaseException) -> TableError:
    """Calamine could not read the sheet: the cause named where it can be told."""
    for part, content in ((sheet, data), ("sharedStrings", _shared_strings(package))):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as bad:
            what = "munkalap" if part == sheet else "megosztott szövegek táblája"
            return not_xlsx(
                package.path,
                f"{article(part)} „{part}” {what} nem UTF-8 kódolású bájtokat tartalmaz "
                f"({article(bad.start)} {bad.start}. bájtnál; pl. windows-1250 szerint írt szöveg)",
                "Mentse újra a táblázatot Excelben vagy LibreOffice-ban (.xlsx).",
            )
    kind = type(error).__name__
    detail = (
        "a munkalap nem olvasható"
        if kind != "PanicException"
        else "a munkalap egy értéke nem olvasható"
    )
    return not_xlsx(
        package.path,
        f"{detail} („{sheet}”)",
        "Mentse újra a táblázatot Excelben vagy LibreOffice-ban (.xlsx), és az új fájlt küldje.",
    )


def _shared_strings(package: Package) -> bytes:
    return package.read(SHARED_STRINGS) if package.has(SHARED_STRINGS) else b""


def _cell(value: object) -> object | None:
    """One raw calamine value as in TableRow.cells; None for an empty cell."""
    return None if value == "" else _convert(value)


def _convert(value: object) -> object | None:
    """Calamine's value → ours: None for empty, int for int-valued floats, date for date cells."""
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, OpaqueCell):
        return value
    if isinstance(value, bool):
        return _BOOL_TEXT[value]
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | date):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    return None if value is None else str(value)


def _check_header(path: Path, sheet_name: str, header: list[object]) -> None:
    """The parsed row 1 is the template's header (as :mod:`kkod.table.locate` found it)."""
    problem = header_problem([cell_text(_convert(v)).strip() for v in header])
    if problem is not None:
        raise TableError(
            f"{article(path.name).capitalize()} „{path.name}” fájl „{sheet_name}” munkalapján {problem}. A táblázat "
            "formátuma nem módosítható: használja a „Kapcsolati kód adattáblázat” sablont."
        )
