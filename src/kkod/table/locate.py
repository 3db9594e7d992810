"""Which worksheet is the table: the one whose row 1 is the template's header, wherever it stands.

Every worksheet's first rows are read from the start of its XML (a few kilobytes inflated,
never the whole sheet). Exactly one visible worksheet must carry the header; none, several,
or only a hidden one is refused, naming the sheets seen. kkod's own guide sheet
(*Kitöltési útmutató*) is recognised by its name and never taken for the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kkod.errors import TableError
from kkod.hungarian import article
from kkod.table import layout
from kkod.table.limits import TableLimits, variable
from kkod.table.package import (
    SHARED_STRINGS,
    OtherSheet,
    Package,
    SheetRef,
    check_xml_prolog,
)
from kkod.table.sheet_xml import MAX_COLUMN, SheetProblem, column_letters, leading_rows
from kkod.table.strings import SharedStrings, check_shared_strings

# The header is looked for in the first rows (to say "it is in row 3"), in at most this much XML.
_PEEK_ROWS = 10
_PEEK_BYTES = 4 * 2**20
_LETTERS = tuple(c.letter for c in layout.COLUMNS)
_HEADERS = ", ".join(c.header for c in layout.COLUMNS)
_TEMPLATE_HINT = (
    "A táblázat formátuma nem módosítható: használja a „Kapcsolati kód adattáblázat” sablont."
)


@dataclass(frozen=True, slots=True)
class _Seen:
    sheet: SheetRef
    problem: str | None  # None: row 1 is the header


def find_table_sheet(
    package: Package, shared: SharedStrings, *, only_sheet: bool = False
) -> SheetRef:
    """The worksheet holding the table; :class:`TableError` naming the sheets otherwise.
    With ``only_sheet``, a workbook's only worksheet is taken whatever its header (for
    the writer, whose callers have read the table first)."""
    worksheets, others = package.sheets()
    seen = [
        _Seen(sheet, _problem(package, sheet, shared))
        for sheet in worksheets
        if sheet.name != layout.GUIDE_SHEET_TITLE
    ]
    tables = [s.sheet for s in seen if s.problem is None]
    visible = [t for t in tables if not t.hidden]
    name = package.path.name
    if len(tables) > 1:
        raise TableError(
            f"{article(name).capitalize()} „{name}” munkafüzetben több munkalapon is a táblázat fejléce áll: "
            f"{_names(tables)}. Nem tudható, melyik a beküldendő: hagyja meg csak azt a "
            "munkalapot, amelyiken a beküldendő adatok vannak (a többit törölje), és mentse újra."
        )
    if visible:
        return visible[0]
    if tables:
        raise TableError(
            f"{article(name).capitalize()} „{name}” munkafüzetben a táblázat rejtett munkalapon („{tables[0].name}”) "
            "áll. Tegye láthatóvá (jobb gomb a lapfülön → Felfedés), ellenőrizze, és mentse újra."
        )
    if len(seen) == 1 and only_sheet:
        return seen[0].sheet
    if len(seen) == 1 and not others:
        only = seen[0]
        raise TableError(
            f"{article(name).capitalize()} „{name}” fájl „{only.sheet.name}” munkalapján {only.problem}. {_TEMPLATE_HINT}"
        )
    if not seen:
        raise TableError(
            f"{article(name).capitalize()} „{name}” munkafüzetben nincs munkalap a táblázattal"
            f"{' (' + _others(others) + ')' if others else ''}. {_TEMPLATE_HINT}"
        )
    listed = "; ".join(
        [f"„{s.sheet.name}”: {s.problem}" for s in seen] + [_others(others)] * bool(others)
    )
    raise TableError(
        f"{article(name).capitalize()} „{name}” munkafüzet egyik munkalapjának 1. sorában sincs a „Kapcsolati kód "
        f"adattáblázat” fejléce ({_HEADERS}). A munkalapok: {listed}. {_TEMPLATE_HINT}"
    )


def header_problem(found: Sequence[str]) -> str | None:
    """What is wrong with a header row (texts by column, trimmed), or ``None`` if it is the
    template's: exactly the layout's headers in A–I, nothing right of them."""
    for index, column in enumerate(layout.COLUMNS):
        actual = found[index] if index < len(found) else ""
        if actual != column.header:
            shown = f"„{actual}”" if actual else "üres"
            return f"{article(column.letter)} {column.letter} oszlop fejléce {shown}, de „{column.header}” kellene"
    for index in range(len(layout.COLUMNS), len(found)):
        if found[index]:
            return (
                f"{article(column_letters(index + 1))} {column_letters(index + 1)} oszlopban nem várt fejléc áll "
                f"(„{found[index]}”); a táblázat csak az A–{_LETTERS[-1]} oszlopokból állhat"
            )
    return None


def _problem(package: Package, sheet: SheetRef, shared: SharedStrings) -> str | None:
    head = package.head(sheet.part, _PEEK_BYTES)
    check_xml_prolog(head, sheet.part, package.path)
    header = leading_rows(head, layout.HEADER_ROW).get(layout.HEADER_ROW, {})
    problem = header_problem(_texts(header, shared))
    if problem is None:  # the usual case: the rows below need not be looked at
        return None
    rows = leading_rows(head, _PEEK_ROWS)
    texts = {number: _texts(cells, shared) for number, cells in rows.items()}
    lower = next(
        (
            n
            for n, found in sorted(texts.items())
            if n > layout.HEADER_ROW and not header_problem(found)
        ),
        None,
    )
    if lower is not None:
        return f"a fejléc {article(lower)} {lower}. sorban áll, nem az 1. sorban (a fölötte lévő sorokat törölje)"
    if not any(any(found) for found in texts.values()):
        return "a munkalap eleje üres"
    return problem


def _texts(cells: dict[int, tuple[str, str]], shared: SharedStrings) -> list[str]:
    """A row's cells as text by column (0 = A), trimmed; shared strings looked up."""
    cells = {col: cell for col, cell in cells.items() if col <= MAX_COLUMN}
    texts = [""] * max(cells, default=0)
    for col, (kind, text) in cells.items():
        if kind == "s":
            text = (shared.get(int(text)) if text.strip().isdigit() else None) or ""
        elif kind in ("n", "") and text:
            try:
                number = float(text)
                text = str(int(number)) if number.is_integer() else text
            except ValueError:
                pass
        texts[col - 1] = text.strip()
    return texts


def _names(sheets: Sequence[SheetRef]) -> str:
    return ", ".join(f"„{s.name}”" for s in sheets)


def _others(others: Sequence[OtherSheet]) -> str:
    return "; ".join(f"„{o.name}”: {o.kind}" for o in others)


@dataclass
class OpenTable:
    """A table's package checked as a zip, its shared strings checked, its table sheet found."""

    package: Package
    sheet: SheetRef
    shared_strings: bytes  # xl/sharedStrings.xml as stored, b"" when there is none

    def __enter__(self) -> OpenTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.package.close()


def open_table(
    path: Path,
    limits: TableLimits | None = None,
    *,
    only_sheet: bool = False,
    data: bytes | None = None,
) -> OpenTable:
    """Open the table at ``path`` (or ``data``, the bytes of the file ``path`` names) as hostile
    input: the package and its shared strings checked against the limits, the worksheet that
    is the table found (see :func:`find_table_sheet` for ``only_sheet``). :class:`TableError`
    otherwise."""
    package = Package(path, limits, data)
    try:
        package.check_workbook()
        strings = package.xml(SHARED_STRINGS) if package.has(SHARED_STRINGS) else b""
        try:
            check_shared_strings(strings, package.limits)
        except SheetProblem as problem:
            raise workbook_problem(package.path, problem) from None
        sheet = find_table_sheet(package, SharedStrings(strings), only_sheet=only_sheet)
    except BaseException:
        package.close()
        raise
    return OpenTable(package, sheet, strings)


def workbook_problem(path: Path, problem: SheetProblem, sheet: str | None = None) -> TableError:
    """A :class:`SheetProblem` found in the workbook (on ``sheet``) as the user's refusal."""
    where = f"„{path.name}” fájl „{sheet}” munkalapján" if sheet else f"„{path.name}” munkafüzetben"
    if problem.limit is None:
        return TableError(
            f"{article(where).capitalize()} {where} {problem.message}. Mentse újra a táblázatot Excelben vagy "
            "LibreOffice-ban (.xlsx), és az új fájlt küldje."
        )
    return TableError(
        f"{article(where).capitalize()} {where} {problem.message} (a korlát {article(variable(problem.limit))} {variable(problem.limit)} beállítással "
        "módosítható). Ha a táblázat valóban ekkora, ossza több táblázatra."
    )
