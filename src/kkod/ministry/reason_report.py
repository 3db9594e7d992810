"""The per-row reason report sent with the filled table: why each row left empty got no code.

One line per row without a code (Excel row, Belső azonosító, result, Hungarian explanation,
next step) and the counts as summary; no 4T values. Written as .xlsx, .csv or .html.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult
from kkod.reports import Report, write_report

if TYPE_CHECKING:
    from kkod.ministry.generation import GenerationResult

TITLE = "Kapcsolati kódok – indoklás"
HEADERS = ("Sor", "Belső azonosító", "Eredmény", "Magyarázat", "Teendő")
# The result column shows these labels; parse_result() reads them back.
LABEL: dict[MatchResult, str] = {
    MatchResult.KOD: "KOD",
    MatchResult.NINCS_TALALAT: "NINCS_TALALAT",
    MatchResult.TOBB_TALALAT: "TOBB_TALALAT",
    MatchResult.HIBAS_SOR: "HIBAS_SOR",
}


def summary_lines(result: GenerationResult, reference: str | None = None) -> list[str]:
    lines = [f"Kérelem: {reference}"] if reference else []
    lines += [
        f"Táblázat: {result.table.name}",
        f"Sorok száma: {len(result.rows)}",
        f"Kapcsolati kód elkészült: {result.coded}",
        f"Nincs találat: {result.no_match}",
        f"Több találat: {result.multiple}",
        f"Hibás sor: {result.invalid}",
    ]
    return lines


def build_reason_report(result: GenerationResult, reference: str | None = None) -> Report:
    """The report of every row that got no code, with the counts as summary."""
    rows = [
        (r.row, r.belso_azonosito, LABEL[r.result], EXPLANATION[r.result], NEXT_STEP[r.result])
        for r in result.rows
        if r.result is not MatchResult.KOD
    ]
    return Report(TITLE, HEADERS, rows, summary_lines(result, reference))


def write_reason_report(
    path: Path,
    result: GenerationResult,
    reference: str | None = None,
    *,
    suffix: str | None = None,
) -> Path:
    """Write the report to ``path`` in the format ``suffix`` (default: ``path``'s) names."""
    return write_report(Path(path), build_reason_report(result, reference), suffix=suffix)


def parse_result(label: str) -> MatchResult | None:
    """The result a report's „Eredmény” cell names (for importing a reply), else ``None``."""
    text = str(label).strip().upper()
    return next((r for r, shown in LABEL.items() if shown == text), None)
