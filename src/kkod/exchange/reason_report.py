"""The per-row reason report sent with the filled table: why each row left empty got no code.

One line per row without a code (Excel row, Belső azonosító, result, Hungarian explanation,
next step) and the counts as summary; no 4T values. The ministry writes it
(:mod:`kkod.ministry.generation`); the employer reads it back on import
(:mod:`kkod.employer.reply`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult
from kkod.reports import Report

TITLE = "Kapcsolati kódok – indoklás"
HEADERS = ("Sor", "Belső azonosító", "Eredmény", "Magyarázat", "Teendő")
# The result column shows these labels; parse_result() reads them back.
LABEL: dict[MatchResult, str] = {
    MatchResult.KOD: "KOD",
    MatchResult.NINCS_TALALAT: "NINCS_TALALAT",
    MatchResult.TOBB_TALALAT: "TOBB_TALALAT",
    MatchResult.HIBAS_SOR: "HIBAS_SOR",
}


class RowResult(Protocol):
    """What the report needs of one row's outcome."""

    @property
    def row(self) -> int: ...
    @property
    def belso_azonosito(self) -> str: ...
    @property
    def result(self) -> MatchResult: ...


def summary_lines(
    table_name: str, counts: dict[MatchResult, int], reference: str | None = None
) -> list[str]:
    """The counts above the report's lines."""
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
    rows: Iterable[RowResult],
    table_name: str,
    counts: dict[MatchResult, int],
    reference: str | None = None,
) -> Report:
    """The report of every row that got no code, with the counts as summary."""
    lines = [
        (r.row, r.belso_azonosito, LABEL[r.result], EXPLANATION[r.result], NEXT_STEP[r.result])
        for r in rows
        if r.result is not MatchResult.KOD
    ]
    return Report(TITLE, HEADERS, lines, summary_lines(table_name, counts, reference))


def parse_result(label: str) -> MatchResult | None:
    """The result a report's „Eredmény” cell names (for importing a reply), else ``None``."""
    text = str(label).strip().upper()
    return next((r for r, shown in LABEL.items() if shown == text), None)
