"""The validate service: read a table, apply the 4T rules, write fixes and reports.

Behind ``kkod validate`` (and the check before ``kkod employer submit``). Logs name rules
and cells only, never the personal values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kkod.bulk import cyclic_gc_paused
from kkod.fourt.model import Finding, Person4T, SeverityCounts
from kkod.fourt.rules import RULES
from kkod.fourt.validation import Validation, code_cell_finding, validate_cells
from kkod.reports import Report, write_report
from kkod.table import layout

log = logging.getLogger(__name__)

REPORT_TITLE = "4T-ellenőrzés"
EMPTY_TABLE = (
    "A táblázatban nincs egyetlen kitöltött adatsor sem, így nem küldhető be: töltse ki a D, "
    "F, G, H és I oszlopot (a 2. sortól)."
)
REPORT_HEADERS = (
    "Sor", "Oszlop", "Szabály", "Súlyosság", "Megnevezés", "Érték", "Üzenet", "Javaslat", "Javítva",
)  # fmt: skip


@dataclass(slots=True)
class TableValidation(SeverityCounts):
    """A validated table: where it came from, its rows' findings and the safe fixes."""

    path: Path
    validation: Validation
    applied: bool = False  # the fixes were written to a corrected copy
    fixed_path: Path | None = None
    declarations: Path | None = None
    extra: list[Finding] = field(default_factory=list)  # from the declarations cross-check

    @property
    def rows(self) -> int:
        return self.validation.rows

    @property
    def findings(self) -> list[Finding]:
        if not self.extra:
            return self.validation.findings
        return sorted(
            [*self.validation.findings, *self.extra], key=lambda f: (f.row, f.column, f.rule)
        )

    @property
    def fixes(self) -> dict[tuple[int, str], str]:
        """Every cell change ``--fix`` writes: the safe fixes, and — when declarations were
        given — the employee's own declared value for each ``X01`` cell (the declaration is
        the authoritative source of the 4T, SPEC §1)."""
        return {**self.validation.fixes, **self._declared_values()}

    @property
    def fixed_by(self) -> dict[tuple[int, str], tuple[str, ...]]:
        """The rule ids behind each changed cell."""
        merged = dict(self.validation.fixed_by)
        for cell in self._declared_values():
            merged[cell] = (*merged.get(cell, ()), "X01")
        return merged

    def _declared_values(self) -> dict[tuple[int, str], str]:
        return {
            (f.row, f.column): f.suggestion
            for f in self.extra
            if f.rule == "X01" and f.suggestion is not None
        }

    def counts_by_rule(self) -> list[tuple[str, int]]:
        """(rule id, findings) in rule-id order."""
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        return sorted(counts.items())

    @property
    def empty(self) -> bool:
        """No filled row: nothing to ask codes for, so the table cannot be sent."""
        return self.rows == 0

    @property
    def has_errors(self) -> bool:
        return self.empty or SeverityCounts.has_errors.fget(self)  # slots: no bare super()

    def as_json(self) -> dict[str, object]:
        """``{"rows": n, "empty": bool, "findings": [...]}``, the ``--json`` output."""
        return {
            "rows": self.rows,
            "empty": self.empty,
            "findings": [f.as_json() for f in self.findings],
        }


def validate_table(
    path: Path, *, today: date | None = None, declarations: Path | None = None
) -> TableValidation:
    """Read the table at ``path`` and apply every 4T rule (and, given ``declarations``, the
    cross-check with the employees' own declared data).

    Raises :class:`kkod.errors.TableError` (exit code 2) if the file is unreadable or not the template.
    """
    from kkod.table.reader import read_table

    path = Path(path)
    today = today or date.today()
    with cyclic_gc_paused():
        table = read_table(path)
        letters = tuple(layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS)
        rows = ((r.row, tuple(map(r.cells.get, letters)), r.formulas) for r in table.rows)
        validation = validate_cells(rows, columns=layout.COLUMN_OF_FIELD, today=today)
        _check_code_column(table.rows, validation)
    result = TableValidation(path=path, validation=validation)
    if declarations is not None:
        from kkod.employer.declared import cross_check, read_declarations

        result.declarations = Path(declarations)
        result.extra = cross_check(table.rows, read_declarations(Path(declarations)))
    return result


def _check_code_column(rows, validation: Validation) -> None:
    """W14 on every Kapcsolati kód (E) cell the employer filled; the fix empties it."""
    letter = layout.CODE_COLUMN
    found = [
        code_cell_finding(r.row, letter, r.cells.get(letter, "(képlet)"))
        for r in rows
        if letter in r.cells or letter in r.formulas
    ]
    if not found:
        return
    for finding in found:
        validation.fixes[(finding.row, letter)] = ""
        validation.fixed_by[(finding.row, letter)] = (finding.rule,)
    validation.findings = sorted(
        [*validation.findings, *found], key=lambda f: (f.row, f.column, f.rule)
    )


def write_fixed_table(result: TableValidation, out: Path) -> int:
    """Write a corrected copy of the table to ``out``: only the cells the fixes change
    (the safe fixes, and the declared values of ``X01`` cells when declarations were given).

    Each change is logged with its rule ids and cell, never with the values. Returns the
    number of changed cells.
    """
    from kkod.table.writer import patch_cells

    fixes = result.fixes
    patch_cells(result.path, Path(out), fixes)
    for (row, letter), rules in sorted(result.fixed_by.items()):
        log.info("javítva: %s%d (%s)", letter, row, ", ".join(rules))
    result.applied, result.fixed_path = True, Path(out)
    return len(fixes)


def write_findings_report(path: Path, result: TableValidation) -> Path:
    """The findings as a report a person opens (.xlsx, .csv or .html by suffix)."""
    fixed = result.fixed_by if result.applied else {}
    rows = (
        (
            f.row,
            f.column,
            f.rule,
            str(f.severity),
            RULES[f.rule].title if f.rule in RULES else "",
            f.value,
            f.message,
            f.suggestion or "",
            "igen" if f.rule in fixed.get((f.row, f.column), ()) else "",
        )
        for f in result.findings
    )
    return write_report(
        Path(path), Report(REPORT_TITLE, REPORT_HEADERS, list(rows), summary_lines(result))
    )


def summary_lines(result: TableValidation) -> list[str]:
    """A few Hungarian sentences on the outcome (report header, CLI)."""
    lines = [
        f"Fájl: {result.path.name}",
        f"Sorok: {result.rows}; hibák: {result.errors}; figyelmeztetések: {result.warnings}; "
        f"tájékoztatások: {result.notes}.",
    ]
    if result.declarations is not None:
        lines.append(f"Összevetve a nyilatkozatokkal: {result.declarations.name}")
    if result.applied and result.fixed_path is not None:
        lines.append(
            f"Javított példány: {result.fixed_path.name} ({len(result.fixes)} cella javítva)."
        )
    if result.empty:
        lines.append(EMPTY_TABLE)
    elif result.has_errors:
        lines.append("A hibákat javítani kell a beküldés előtt.")
    else:
        lines.append("A táblázat beküldhető.")
    return lines
