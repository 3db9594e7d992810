"""The review: each fix candidate of a validated table decided by a person, only the accepted
cells written, every decision recorded (``kkod validate --review``, the web workbench).

A cell's candidates: the safe fixes (:data:`kkod.fourt.rules.AUTO_FIX_RULES`, offered
together) and the suggestions that need a person — an accent restored (``W07``), the nearest
settlement (``W06``), the declared value (``X01``) — each offered on its own. A suggestion
already holds the cell's safe fixes, so accepting it needs nothing else.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from kkod.employer.validation import TableValidation
from kkod.fourt.rules import AUTO_FIX_RULES, RULES
from kkod.hungarian import moment
from kkod.reports import Report, write_report

log = logging.getLogger(__name__)

DECISIONS_SUFFIX = ".dontesek.csv"
DECISIONS_HEADERS = ("Sor", "Oszlop", "Szabály", "Régi érték", "Új érték", "Döntés", "Ki", "Mikor")


class Choice(StrEnum):
    """What the person did with a candidate (the words of the decisions file)."""

    ELFOGADVA = "elfogadva"
    SAJAT = "saját érték"
    KIHAGYVA = "kihagyva"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One cell's proposed new value and why: ``rules`` fired, ``safe`` if all are safe fixes."""

    row: int
    column: str
    old: str
    new: str
    rules: tuple[str, ...]
    message: str
    safe: bool

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    @property
    def title(self) -> str:
        return "; ".join(RULES[r].title for r in self.rules if r in RULES)


@dataclass(frozen=True, slots=True)
class Decision:
    candidate: Candidate
    choice: Choice
    value: str  # the value written (the candidate's, one's own) or the old one when skipped
    who: str
    when: datetime

    @property
    def writes(self) -> bool:
        return self.choice is not Choice.KIHAGYVA


def current_user() -> str:
    """Who decides: the operating-system user running kkod (the decisions file's ``Ki``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ismeretlen"


def candidates(result: TableValidation) -> tuple[list[Candidate], list[Candidate]]:
    """(the safe fixes, the suggestions), each in row and column order; a cell with a
    suggestion is not among the safe fixes (its suggestion holds them)."""
    suggested: dict[tuple[int, str], Candidate] = {}
    old_values: dict[tuple[int, str], str] = {}
    for f in result.findings:
        cell = (f.row, f.column)
        old_values.setdefault(cell, f.value)
        if f.rule in AUTO_FIX_RULES or f.suggestion is None or f.suggestion == f.value:
            continue
        if cell in suggested and f.rule != "X01":  # the declared value wins over a guess
            continue
        suggested[cell] = Candidate(
            f.row, f.column, f.value, f.suggestion, (f.rule,), f.message, safe=False
        )
    fixes = result.validation.fixes
    safe = [
        Candidate(
            row, letter, old_values.get((row, letter), ""), fixes[(row, letter)], rules,
            "; ".join(RULES[r].fix for r in rules), safe=True,
        )
        for (row, letter), rules in result.validation.fixed_by.items()
        if (row, letter) not in suggested
    ]  # fmt: skip
    return sorted(safe, key=_place), sorted(suggested.values(), key=_place)


def _place(candidate: Candidate) -> tuple[int, str]:
    return candidate.row, candidate.column


def decide(candidate: Candidate, choice: Choice, who: str, own: str | None = None) -> Decision:
    """A decision now; ``own`` is the value typed for :attr:`Choice.SAJAT`."""
    value = {
        Choice.ELFOGADVA: candidate.new,
        Choice.SAJAT: own or "",
        Choice.KIHAGYVA: candidate.old,
    }[choice]
    return Decision(candidate, choice, value, who, datetime.now(UTC))


def decisions_path(table: Path) -> Path:
    """The decisions file beside a reviewed table: ``javitott.xlsx`` → ``javitott.dontesek.csv``."""
    return table.with_name(table.stem + DECISIONS_SUFFIX)


def write_reviewed(
    result: TableValidation, out: Path, decisions: Iterable[Decision], record: Path
) -> int:
    """Write ``out`` with only the accepted cells changed and the decisions to ``record``;
    returns the number of changed cells."""
    decisions = list(decisions)
    changed = apply_decisions(result, out, decisions)
    write_decisions(record, decisions, [f"Táblázat: {result.path.name} → {Path(out).name}"])
    return changed


def apply_decisions(result: TableValidation, out: Path, decisions: Iterable[Decision]) -> int:
    """Write ``out``: ``result``'s table with the cells of the accepted decisions changed (the
    writer ``--fix`` uses), nothing else. Logs cells, rules and choices, never values."""
    from kkod.table.writer import patch_cells

    decisions = list(decisions)
    cells = {(d.candidate.row, d.candidate.column): d.value for d in decisions if d.writes}
    patch_cells(result.path, Path(out), cells)
    for d in decisions:
        log.info("döntés: %s (%s) %s", d.candidate.cell, ", ".join(d.candidate.rules), d.choice)
    return len(cells)


def write_decisions(path: Path, decisions: Iterable[Decision], summary: Sequence[str] = ()) -> Path:
    """The decisions file: one line per decision (:data:`DECISIONS_HEADERS`)."""
    rows = [
        (d.candidate.row, d.candidate.column, ", ".join(d.candidate.rules), d.candidate.old,
         d.value if d.writes else "", str(d.choice), d.who, moment(d.when, seconds=True))
        for d in decisions
    ]  # fmt: skip
    return write_report(path, Report("Döntések", DECISIONS_HEADERS, rows, list(summary)))
