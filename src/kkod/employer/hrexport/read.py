"""An HR export read as hostile input: CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1250 or
ISO-8859-2; ``;``, ``,`` or tab) or .xlsx, held to the table limits (:mod:`kkod.table.limits`)
before it is parsed. What it is is told from its content, never from its name."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from kkod.employer.hrexport.headers import recognise
from kkod.errors import TableError
from kkod.hungarian import with_article
from kkod.table import sniff
from kkod.table.limits import TableLimits, amount, variable
from kkod.table.package import SHARED_STRINGS, STYLES, Package, read_limited, too_big
from kkod.table.sheet_xml import SheetProblem
from kkod.table.strings import check_shared_strings

# How far down a header row is looked for (exports often start with a title and a date).
HEADER_SEARCH_ROWS = 10
# A header row has at least this many recognised headers.
HEADER_MIN_RECOGNISED = 2
# xlsx columns checked by a byte scan before calamine sees the sheet (A–Z); wider sheets are
# checked cell by cell.
_XLSX_SCAN_COLUMNS = 26
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Characters a Hungarian export holds: decoding with the wrong 8-bit code page makes others.
_EXPECTED = frozenset("áéíóöőúüűÁÉÍÓÖŐÚÜŰäÄßčćďěňřšťžČĆĎĚŇŘŠŤŽłŁńŃśŚźŹżŻąĄęĘşŞţŢâÂîÎăĂ„”–—°§×÷")


@dataclass(frozen=True, slots=True)
class Export:
    """The export as rows of cell values; ``header_line`` is the header row's line (1-based)."""

    path: Path
    kind: str  # Hungarian: "CSV (UTF-8, pontosvessző)", "Excel-munkafüzet („Dolgozók” lap)"
    header_line: int
    headers: list[object]
    rows: list[list[object]]  # the data rows below the header


def read_export(path: Path, limits: TableLimits | None = None) -> Export:
    """Read the export at ``path``: an .xlsx workbook's first visible sheet or a CSV file.

    Raises :class:`TableError` naming the file and the limit or the problem."""
    path = Path(path)
    limits = limits or TableLimits.from_settings()
    data = read_limited(path, limits)
    if data.startswith(b"PK\x03\x04"):
        kind, rows = _xlsx_rows(path, limits)
    elif not data.startswith(_UTF16_BOMS) and b"\x00" in data[:4096]:  # binary: not a CSV
        found = sniff.sniff(data, path.name)
        raise TableError(
            f"{_the(path)} nem CSV-fájl és nem .xlsx munkafüzet: {found.what}. {found.fix}"
        )
    else:
        kind, rows = _csv_rows(path, data, limits)
    line = header_row(rows)
    if line is None:
        raise TableError(f"{_the(path)} export üres: nincs benne fejlécsor.")
    return Export(path, kind, line + 1, rows[line], rows[line + 1 :])


def _the(path: Path) -> str:
    """``A „dolgozok.csv”``: the file's name with its article, starting a sentence."""
    return with_article(f"„{path.name}”", capital=True)


def header_row(rows: list[list[object]]) -> int | None:
    """The index of the header row: the first of the top rows with at least two recognised
    headers, else the first row that is not empty."""
    top = rows[:HEADER_SEARCH_ROWS]
    for index, row in enumerate(top):
        if sum(1 for v in row if isinstance(v, str) and recognise(v)) >= HEADER_MIN_RECOGNISED:
            return index
    return next((i for i, row in enumerate(top) if any(v not in (None, "") for v in row)), None)


# -- CSV ------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV export and the name of its encoding: a BOM decides; else UTF-8 if it
    decodes; else the 8-bit Hungarian code page (Windows-1250 or ISO-8859-2) that makes fewer
    characters a Hungarian export never holds."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "UTF-8 (BOM)"
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", "replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    high = [b for b in set(data) if b >= 0x80]  # only these bytes differ between the two
    counts = {b: data.count(b) for b in high}
    if _strange(counts, "iso-8859-2") < _strange(counts, "cp1250"):
        return data.decode("iso-8859-2", "replace"), "ISO-8859-2"
    return data.decode("cp1250", "replace"), "Windows-1250"


def _strange(counts: dict[int, int], encoding: str) -> int:
    """How many characters ``encoding`` would make that a Hungarian export never holds."""
    return sum(
        n for b, n in counts.items() if bytes([b]).decode(encoding, "replace") not in _EXPECTED
    )


_DELIMITERS = {";": "pontosvessző", ",": "vessző", "\t": "tabulátor"}


def delimiter_of(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the top lines into the most recognised headers,
    else into the most fields (a data value like ``Eger, 1985.03.12`` misleads a sniffer that
    counts characters)."""
    head = text.splitlines()[:HEADER_SEARCH_ROWS]

    def score(delimiter: str) -> tuple[int, int]:
        rows = list(csv.reader(head, delimiter=delimiter))
        recognised = max((sum(1 for v in row if recognise(v)) for row in rows), default=0)
        fields = max((len(row) for row in rows), default=0)
        return recognised, fields

    return max(_DELIMITERS, key=score)


def _csv_rows(path: Path, data: bytes, limits: TableLimits) -> tuple[str, list[list[object]]]:
    text, encoding = decode(data)
    delimiter = delimiter_of(text)
    rows: list[list[object]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) > limits.max_rows:
                raise too_big(
                    path,
                    f"több mint {amount(limits.max_rows)} sora van, legfeljebb "
                    f"{amount(limits.max_rows)} adatsor lehet",
                    "max_rows",
                )
            cells += len(row)
            if cells > limits.max_cells:
                raise too_big(
                    path,
                    f"több mint {amount(limits.max_cells)} cellája van",
                    "max_cells",
                )
            longest = max(map(len, row), default=0)
            if longest > limits.max_cell_chars:
                raise too_big(
                    path,
                    f"{with_article(reader.line_num)}. sorában egy mező {amount(longest)} "
                    f"karakteres, legfeljebb {amount(limits.max_cell_chars)} lehet",
                    "max_cell_chars",
                )
            rows.append(row)
    except csv.Error as error:
        raise TableError(
            f"{_the(path)} CSV-fájl {reader.line_num}. sora nem olvasható ({_csv_problem(error)}). "
            "Mentse újra az exportot CSV formában."
        ) from None
    return f"CSV ({encoding}, {_DELIMITERS[delimiter]})", rows


def _csv_problem(error: csv.Error) -> str:
    said = str(error)
    if "field larger" in said:
        return f"egy mező túl hosszú; a korlát {with_article(variable('max_cell_chars'))} beállítással módosítható"
    if "NUL" in said:
        return "nulla bájtot tartalmaz"
    return "lezáratlan idézőjel vagy hibás sorvég"


# -- xlsx -----------------------------------------------------------------------------------


def _xlsx_rows(path: Path, limits: TableLimits) -> tuple[str, list[list[object]]]:
    from kkod.table.locate import workbook_problem
    from kkod.table.reader import check_before_parsing, parse_sheet, unreadable

    with Package(path, limits) as package:
        package.check_workbook()
        strings = package.xml(SHARED_STRINGS) if package.has(SHARED_STRINGS) else b""
        try:
            check_shared_strings(strings, limits)
        except SheetProblem as problem:
            raise workbook_problem(path, problem) from None
        sheets, _ = package.sheets()
        shown = [s for s in sheets if not s.hidden] or sheets
        if not shown:
            raise TableError(f"{_the(path)} munkafüzetben nincs munkalap.")
        sheet = shown[0]
        data = package.xml(sheet.part)
        styles = package.xml(STYLES) if package.has(STYLES) else b""
        check_before_parsing(package, sheet.name, data, styles, _XLSX_SCAN_COLUMNS)
        values, failure = parse_sheet(package.data, sheet.name)
        if failure is not None:
            raise unreadable(package, sheet.name, data, failure)
    rows = [[None if v == "" else v for v in row] for row in values]
    return f"Excel-munkafüzet („{sheet.name}” munkalap)", rows
