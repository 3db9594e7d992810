"""The 4T value types: a person's identity data as written, and a validation finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True, slots=True)
class Person4T:
    """The four *természetes személyazonosító adatok* plus the current name, as written.

    Values are kept exactly as they arrived (strings; an Excel date cell arrives as
    ``datetime.date``); :func:`kkod.fourt.canonical.canonical` turns them into the match form.
    """

    viselt_nev: str
    szuletesi_nev: str
    anyja_szuletesi_neve: str
    szuletesi_hely: str
    szuletesi_ido: str | date  # an Excel date cell arrives as a date

    FIELDS = (
        "viselt_nev",
        "szuletesi_nev",
        "anyja_szuletesi_neve",
        "szuletesi_hely",
        "szuletesi_ido",
    )


@dataclass(frozen=True, slots=True)
class OpaqueCell:
    """A cell Excel shows filled whose value the file holds neither as text nor as a number:
    an error value (``#N/A``, ``#HIÁNYZIK``) or an Excel data type (a linked entity such as a
    Geography value, a picture in the cell). Its text is what kkod shows for it."""

    kind: Literal["error", "richvalue"]

    def __str__(self) -> str:
        return "(Excel-hibaérték)" if self.kind == "error" else "(Excel-adattípus)"


class Severity(StrEnum):
    """Errors block sending a table; warnings and notes do not."""

    HIBA = "hiba"
    FIGYELMEZTETES = "figyelmeztetés"
    TAJEKOZTATAS = "tájékoztatás"  # a note only (e.g. a historic place name), never blocks


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing on one cell (or row) of a table."""

    row: int  # Excel row number
    column: str  # column letter
    rule: str  # stable id: E01…, W01…, X01
    severity: Severity
    value: str
    message: str  # Hungarian
    suggestion: str | None = None  # the suggested (or, with --fix, applied) value

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": str(self.severity),
            "value": self.value,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class SeverityCounts:
    """Counts by severity for a result that has a ``findings`` list."""

    __slots__ = ()
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return self._count(Severity.HIBA)

    @property
    def warnings(self) -> int:
        return self._count(Severity.FIGYELMEZTETES)

    @property
    def notes(self) -> int:
        return self._count(Severity.TAJEKOZTATAS)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.HIBA for f in self.findings)

    def _count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)
