"""The report sent with the filled table: why each row left empty got no code, and which
codes were issued.

The ministry writes it (:mod:`kkod.ministry.generation`); the employer reads it back on
import (:func:`read_reason_report`). Its first sheet is for a person: one line per row
without a code (Sorszám, Belső azonosító, Viselt név, the result in words, why, what to
do, a note); its second sheet lists every code issued, by row, so that an import stores
only codes the ministry confirms; the last sheet holds the counts. It goes only to the
sender, whose own data these are.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult
from kkod.reports import Report

TITLE = "Kód nélküli sorok"
CODES_TITLE = "Kiadott kódok"
HEADERS = (
    "Sorszám",
    "Belső azonosító",
    "Viselt név",
    "Eredmény",
    "Magyarázat",
    "Teendő",
    "Megjegyzés",
    "Excel-sor",
)
CODES_HEADERS = ("Excel-sor", "Sorszám", "Belső azonosító", "Kapcsolati kód")
_WIDTHS = (9, 18, 28, 16, 60, 60, 40, 9)
_WRAPPED = frozenset({4, 5, 6})
# The result as the report words it; parse_result() also reads the older machine labels.
WORDS: dict[MatchResult, str] = {
    MatchResult.KOD: "kód elkészült",
    MatchResult.NINCS_TALALAT: "nincs találat",
    MatchResult.TOBB_TALALAT: "több találat",
    MatchResult.HIBAS_SOR: "hibás sor",
}


class RowResult(Protocol):
    """What the report needs of one row's outcome."""

    @property
    def row(self) -> int: ...  # Excel row number
    @property
    def sorszam(self) -> str: ...
    @property
    def belso_azonosito(self) -> str: ...
    @property
    def viselt_nev(self) -> str: ...
    @property
    def result(self) -> MatchResult: ...
    @property
    def code(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...  # e.g. the rule a hibás sor broke


def summary_lines(
    table_name: str, counts: dict[MatchResult, int], reference: str | None = None
) -> list[str]:
    """The counts, on the report's last sheet."""
    lines = [f"Kérelem: {reference}"] if reference else []
    return [
        *lines,
        f"Táblázat: {table_name}",
        f"Sorok száma: {sum(counts.values())}",
        f"Kapcsolati kód elkészült: {counts.get(MatchResult.KOD, 0)}",
        f"Nincs találat: {counts.get(MatchResult.NINCS_TALALAT, 0)}",
        f"Több találat: {counts.get(MatchResult.TOBB_TALALAT, 0)}",
        f"Hibás sor: {counts.get(MatchResult.HIBAS_SOR, 0)}",
    ]


def build_reason_report(
    rows: Sequence[RowResult],
    table_name: str,
    counts: dict[MatchResult, int],
    reference: str | None = None,
) -> Report:
    """The report of ``rows``: every row without a code with its reason, every code issued."""
    reasons = [
        (
            r.sorszam,
            r.belso_azonosito,
            r.viselt_nev,
            WORDS[r.result],
            EXPLANATION[r.result],
            NEXT_STEP[r.result],
            r.note or "",
            r.row,
        )
        for r in rows
        if r.result is not MatchResult.KOD
    ]
    codes = [
        (r.row, r.sorszam, r.belso_azonosito, r.code)
        for r in rows
        if r.result is MatchResult.KOD and r.code
    ]
    return Report(
        TITLE,
        HEADERS,
        reasons,
        summary_lines(table_name, counts, reference),
        widths=_WIDTHS,
        wrap=_WRAPPED,
        bulk=True,
        more=(Report(CODES_TITLE, CODES_HEADERS, codes, widths=(9, 9, 18, 26), bulk=True),),
    )


def parse_result(label: object) -> MatchResult | None:
    """The result a report's „Eredmény” cell names (its words, or the older machine label
    such as ``NINCS_TALALAT``), else ``None``."""
    text = _fold(label)
    for result, words in WORDS.items():
        if text in (_fold(words), _fold(result.value)):
            return result
    return None


# -- reading it back ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowReason:
    """The report's line for one row without a code."""

    row: int  # Excel row number
    result: MatchResult
    explanation: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReasonReport:
    """A report as read back: reasons and issued codes, both by Excel row.

    ``codes`` is ``None`` for a report without the codes sheet (a .csv, an older report):
    it then confirms no code. ``identities`` gives each listed Excel row's Sorszám and Belső
    azonosító as the report states them (where its sheets have those columns), so an import
    can tell whether the report belongs to the table beside it.
    """

    reasons: dict[int, RowReason]
    codes: dict[int, str] | None
    identities: dict[int, tuple[str, str]] = field(default_factory=dict)


def read_reason_report(name: str, data: bytes) -> ReasonReport | None:
    """The report in a file's bytes (.xlsx or .csv), or ``None`` when the file is not one."""
    lower = name.lower()
    try:
        if lower.endswith(".csv") or (not lower.endswith(".xlsx") and data[:3] == b"\xef\xbb\xbf"):
            lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
            reasons = _reasons(lines)
            return None if reasons is None else ReasonReport(reasons, None, _identities([lines]))
        if not lower.endswith(".xlsx"):
            return None
        sheets = _xlsx_sheets(data)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    reasons = next((r for r in map(_reasons, sheets.values()) if r is not None), None)
    if reasons is None:
        return None
    codes = next((c for c in map(_codes, sheets.values()) if c is not None), None)
    return ReasonReport(reasons, codes, _identities(sheets.values()))


def _xlsx_sheets(data: bytes) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def _fold(value: object) -> str:
    from kkod.exchange.subject import fold

    return fold("" if value is None else str(value))


def _header_row(table: list[list[object]], required: Iterable[str]) -> tuple[int, list[str]] | None:
    """The index and folded names of the first of the top rows that names every ``required``."""
    wanted = [_fold(name) for name in required]
    for start, header in enumerate(table[:10]):
        names = [_fold(cell) for cell in header]
        if all(name in names for name in wanted):
            return start, names
    return None


def _row_number(value: object) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (ValueError, OverflowError):  # not a number, NaN, or infinite
        return None


def _reasons(table: list[list[object]]) -> dict[int, RowReason] | None:
    """The reasons by Excel row; the older layout's „Sor” column is its Excel row too."""
    for row_header in ("Excel-sor", "Sor"):
        found = _header_row(table, (row_header, "Eredmény"))
        if found is not None:
            break
    else:
        return None
    start, names = found
    row_col, result_col = names.index(_fold(row_header)), names.index(_fold("Eredmény"))
    text_col = names.index(_fold("Magyarázat")) if _fold("Magyarázat") in names else None
    note_col = names.index(_fold("Megjegyzés")) if _fold("Megjegyzés") in names else None
    reasons: dict[int, RowReason] = {}
    for line in table[start + 1 :]:
        if len(line) <= max(row_col, result_col):
            continue
        number, result = _row_number(line[row_col]), parse_result(line[result_col])
        if number is None or result is None:
            continue
        reasons[number] = RowReason(number, result, _text(line, text_col), _text(line, note_col))
    return reasons


def _codes(table: list[list[object]]) -> dict[int, str] | None:
    found = _header_row(table, ("Excel-sor", "Kapcsolati kód"))
    if found is None:
        return None
    start, names = found
    row_col, code_col = names.index(_fold("Excel-sor")), names.index(_fold("Kapcsolati kód"))
    codes: dict[int, str] = {}
    for line in table[start + 1 :]:
        if len(line) <= max(row_col, code_col):
            continue
        number, code = _row_number(line[row_col]), str(line[code_col] or "").strip()
        if number is not None and code:
            codes[number] = code
    return codes


def _identities(tables: Iterable[list[list[object]]]) -> dict[int, tuple[str, str]]:
    """Excel row → (Sorszám, Belső azonosító) from every sheet that has the three columns."""
    found: dict[int, tuple[str, str]] = {}
    for table in tables:
        header = _header_row(table, ("Excel-sor", "Sorszám", "Belső azonosító"))
        if header is None:
            continue
        start, names = header
        row_col, number_col, id_col = (
            names.index(_fold(name)) for name in ("Excel-sor", "Sorszám", "Belső azonosító")
        )
        for line in table[start + 1 :]:
            number = _row_number(line[row_col]) if len(line) > row_col else None
            if number is not None:
                found[number] = (_text(line, number_col) or "", _text(line, id_col) or "")
    return found


def _text(line: Sequence[object], column: int | None) -> str | None:
    if column is None or column >= len(line):
        return None
    text = " ".join(str(line[column] or "").split())
    return text or None
