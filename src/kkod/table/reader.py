"""Reading a filled "Kapcsolati kód adattáblázat": values with python-calamine, formulas by a byte scan.

The first sheet is the table, whatever its name; row 1 must hold exactly the layout's headers.
Values arrive as Excel stored them (text, numbers, date cells); nothing is evaluated or fixed here.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path

from kkod.errors import TableError
from kkod.fourt.dates import format_date
from kkod.fourt.model import Person4T
from kkod.table import layout
from kkod.table.package import check_is_xlsx, first_sheet, not_xlsx
from kkod.table.sheet_xml import column_letters, formula_cells

LETTERS = tuple(c.letter for c in layout.COLUMNS)
_SORSZAM = layout.BY_FIELD["sorszam"].letter
_FOURT_LETTERS = tuple(layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS)  # D F G H I
_FOURT_INDEXES = tuple(LETTERS.index(letter) for letter in _FOURT_LETTERS)
_FOURT_SET = frozenset(_FOURT_LETTERS)
_BELSO_INDEX = LETTERS.index(layout.COLUMN_OF_FIELD["belso_azonosito"])
_SORSZAM_INDEX = LETTERS.index(_SORSZAM)
_CODE_INDEX = LETTERS.index(layout.CODE_COLUMN)
# Excel shows booleans in a Hungarian workbook like this.
_BOOL_TEXT = {True: "IGAZ", False: "HAMIS"}


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row as read: cell values by column letter (empty cells absent) and formula cells."""

    row: int  # Excel row number (2 = first data row)
    cells: dict[str, object]  # letter -> str | date | int | float
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
    kapcsolati_kod: list[str]  # what column E holds as received ("" when empty)
    # (D, F, G, H, I) cells in Person4T field order, None for an empty cell, converted as in
    # TableRow.cells; the whole tuple is None when one of them holds a formula.
    fourt: list[tuple[object, ...] | None]


def read_table(path: Path) -> Table:
    """Read the table; :class:`TableError` (Hungarian, naming file/sheet/column) if it is not the template."""
    sheet = _read_sheet(Path(path))
    rows: list[TableRow] = []
    no_formulas: frozenset[str] = frozenset()
    formulas_by_row = sheet.formulas_by_row
    for number, raw in enumerate(
        sheet.values[layout.FIRST_DATA_ROW - 1 :], start=layout.FIRST_DATA_ROW
    ):
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
    return Table(path=sheet.path, sheet_name=sheet.name, rows=rows, sha256=sheet.sha256)


def read_fourt(path: Path) -> FourTColumns:
    """The rows :func:`read_table` keeps, reduced to what generation needs, without building
    a :class:`TableRow` per row. Same checks and errors as :func:`read_table`."""
    sheet = _read_sheet(Path(path), digest=False)
    formulas_by_row = sheet.formulas_by_row
    numbers: list[int] = []
    sorszam: list[str] = []
    belso: list[str] = []
    codes: list[str] = []
    fourt: list[tuple[object, ...] | None] = []
    width = len(LETTERS)
    pick_fourt = itemgetter(*_FOURT_INDEXES)
    for number, raw in enumerate(
        sheet.values[layout.FIRST_DATA_ROW - 1 :], start=layout.FIRST_DATA_ROW
    ):
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
        codes.append(_text_of(raw[_CODE_INDEX]))
        fourt.append(None if formulas and not formulas.isdisjoint(_FOURT_SET) else person)
    return FourTColumns(numbers, sorszam, belso, codes, fourt)


def _text_of(value: object) -> str:
    """A raw calamine value as the text shown (``""`` for an empty cell)."""
    return value if value.__class__ is str else cell_text(_cell(value))


@dataclass(frozen=True, slots=True)
class _Sheet:
    path: Path
    name: str
    values: list[list[object]]  # calamine's rows, the header first
    formulas_by_row: dict[int, set[str]]  # row -> layout letters holding a formula
    sha256: str


def _read_sheet(path: Path, *, digest: bool = True) -> _Sheet:
    """Checked, parsed first sheet: calamine parses (without the GIL) while the formula scan runs."""
    from python_calamine import CalamineError, CalamineWorkbook

    check_is_xlsx(path)
    data = path.read_bytes()

    def parse() -> list[list[object]]:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)

    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(parse)
        sha256 = hashlib.sha256(data).hexdigest() if digest else ""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                sheet = first_sheet(archive, path)
                formulas = formula_cells(archive.read(sheet.part))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as error:
            raise not_xlsx(path, "sérült zip-archívum") from error
        try:
            values = parsing.result()
        except (CalamineError, ValueError, OSError) as error:
            raise not_xlsx(path, "a munkalap nem olvasható") from error

    _check_header(path, sheet.name, values[0] if values else [])
    formulas_by_row: dict[int, set[str]] = {}
    for number, letter in formulas:
        if letter in layout.BY_LETTER:
            formulas_by_row.setdefault(number, set()).add(letter)
    return _Sheet(path, sheet.name, values, formulas_by_row, sha256)


def _cell(value: object) -> object | None:
    """One raw calamine value as in TableRow.cells; None for an empty cell."""
    return None if value == "" else _convert(value)


def _convert(value: object) -> object | None:
    """Calamine's value → ours: None for empty, int for int-valued floats, date for date cells."""
    if isinstance(value, str):
        return value if value != "" else None
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
    where = f"A(z) „{path.name}” fájl első munkalapján („{sheet_name}”)"
    found = [cell_text(_convert(v)).strip() for v in header]
    for column in layout.COLUMNS:
        index = ord(column.letter) - ord("A")
        actual = found[index] if index < len(found) else ""
        if actual != column.header:
            shown = f"„{actual}”" if actual else "üres"
            raise TableError(
                f"{where} a(z) {column.letter} oszlop fejléce {shown}, de „{column.header}” kellene. "
                "A táblázat formátuma nem módosítható: használja a „Kapcsolati kód adattáblázat” sablont."
            )
    extra = [(i, text) for i, text in enumerate(found) if i >= len(layout.COLUMNS) and text]
    if extra:
        index, text = extra[0]
        letter = column_letters(index + 1)
        raise TableError(
            f"{where} a(z) {letter} oszlopban nem várt fejléc áll („{text}”); a táblázat csak az "
            f"A–{LETTERS[-1]} oszlopokból állhat. A táblázat formátuma nem módosítható."
        )
