"""The lists the officer works from: the leftovers (after an import) and the register.

Laid out like the ministry's reason report (docs/table-format.md#the-reason-report):
Sorszám, Belső azonosító and every 4T field — the one-by-one step needs them, and they are
the employer's own data in the employer's own file —, the result in words, the reason and
the next step wrapped, readable widths; in .xlsx a frozen, filterable header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kkod.employer.models import Employee
from kkod.employer.register import next_step_of, reason_of
from kkod.fourt.model import Person4T
from kkod.reports import Report
from kkod.table import layout

FOURT_HEADERS = tuple(layout.BY_FIELD[name].header for name in Person4T.FIELDS)
LEFTOVER_HEADERS = (
    "Sorszám",
    "Belső azonosító",
    *FOURT_HEADERS,
    "Eredmény",
    "Ok",
    "Teendő",
    "Excel-sor",
)
REGISTER_HEADERS = (
    "Belső azonosító",
    "Sorszám",
    *FOURT_HEADERS,
    "Kapcsolati kód",
    "Állapot",
    "Ok",
    "Teendő",
)
_FOURT_WIDTHS = (26, 26, 26, 18, 13)
_LEFTOVER_WIDTHS = (9, 18, *_FOURT_WIDTHS, 15, 50, 60, 9)
_REGISTER_WIDTHS = (18, 9, *_FOURT_WIDTHS, 23, 15, 50, 60)


@dataclass(frozen=True, slots=True)
class Entry:
    """One register entry as the lists show it (a snapshot: usable after the session)."""

    belso_azonosito: str
    sorszam: str
    row: int | None  # the Excel row it was last seen in
    fourt: tuple[str, str, str, str, str]  # D, F, G, H, I as stored
    kapcsolati_kod: str
    status: str
    reason: str
    next_step: str

    @property
    def viselt_nev(self) -> str:
        return self.fourt[0]


def entry_of(employee: Employee) -> Entry:
    return Entry(
        belso_azonosito=employee.belso_azonosito,
        sorszam=employee.sorszam or "",
        row=employee.last_row,
        fourt=tuple(getattr(employee, name) for name in Person4T.FIELDS),  # type: ignore[arg-type]
        kapcsolati_kod=employee.kapcsolati_kod or "",
        status=employee.status,
        reason=reason_of(employee),
        next_step=next_step_of(employee),
    )


def leftovers_report(items: Sequence[Entry], summary: Iterable[str] = ()) -> Report:
    """The leftovers: one line per employee left without a code, in table order."""
    ordered = sorted(items, key=lambda e: (e.row is None, e.row or 0, e.belso_azonosito))
    return Report(
        "Kód nélkül maradt sorok",
        LEFTOVER_HEADERS,
        [
            (e.sorszam, e.belso_azonosito, *e.fourt, e.status, e.reason, e.next_step, e.row)
            for e in ordered
        ],
        tuple(summary),
        widths=_LEFTOVER_WIDTHS,
        wrap=frozenset({8, 9}),
    )


def register_report(items: Sequence[Entry], summary: Iterable[str] = ()) -> Report:
    """The register (or part of it): one line per employee, by Belső azonosító."""
    return Report(
        "Nyilvántartás",
        REGISTER_HEADERS,
        [
            (
                e.belso_azonosito,
                e.sorszam,
                *e.fourt,
                e.kapcsolati_kod,
                e.status,
                e.reason,
                e.next_step,
            )
            for e in items
        ],
        tuple(summary),
        widths=_REGISTER_WIDTHS,
        wrap=frozenset({9, 10}),
    )
