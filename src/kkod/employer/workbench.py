"""The employer's workbench: an upload made a table (an export through its mapping, or a
filled table as it is), its fix candidates decided one by one, the declarations compared, the
table handed back — the work of the web workbench, with no web in it.

Each decision writes the next version of the table with the ``--fix`` writer (only that cell
changes) and is recorded as in ``kkod validate --review``. Everything lives in ``folder``,
which the caller owns (the web app removes it when it stops).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kkod.employer.hrexport.build import Plan, plan, refusal, write_table
from kkod.employer.review import (
    Candidate,
    Choice,
    Decision,
    apply_decisions,
    decide,
    write_decisions,
)
from kkod.employer.validation import TableValidation, validate_table
from kkod.errors import KkodError, TableError
from kkod.hungarian import with_article
from kkod.table.limits import TableLimits, size

TABLE = "tabla"
EXPORT = "export"


class WorkbenchError(KkodError):
    """Something the officer can fix (a file too big, a choice that no longer exists)."""


@dataclass
class Workbench:
    folder: Path
    who: str
    limits: TableLimits = field(default_factory=TableLimits.from_settings)
    source_name: str = ""
    plan: Plan | None = None
    table: Path | None = None
    declarations: Path | None = None
    decisions: list[Decision] = field(default_factory=list)
    _version: int = 0
    _result: TableValidation | None = None

    def upload(self, name: str, data: bytes) -> str:
        """Take an uploaded file: a filled table is used as it is (:data:`TABLE`), anything
        else is read as an HR export whose mapping comes next (:data:`EXPORT`)."""
        self._check_size(data)
        suffix = ".csv" if not data.startswith(b"PK\x03\x04") else ".xlsx"
        path = self.folder / f"feltoltes{suffix}"
        path.write_bytes(data)
        self.source_name, self.plan, self.table, self.decisions = name, None, None, []
        self.declarations, self._result = None, None
        if suffix == ".xlsx":
            try:
                validate_table(path)
            except TableError:
                pass
            else:
                self._new_version(path)
                return TABLE
        self.plan = plan(path, (), self.limits)
        return EXPORT

    def remap(self, overrides: Sequence[str]) -> Plan:
        """The export's mapping again with ``overrides`` (``--map`` values)."""
        if self.plan is None:
            raise WorkbenchError("Nincs feltöltött export.")
        self.plan = plan(self.plan.export.path, overrides, self.limits)
        return self.plan

    def make_table(self) -> None:
        """Write the table from the export with the current mapping."""
        if self.plan is None:
            raise WorkbenchError("Nincs feltöltött export.")
        if not self.plan.mapping.usable:
            raise refusal(self.plan.mapping)
        if not self.plan.export.rows:
            raise WorkbenchError("Az exportban nincs adatsor a fejléc alatt.")
        target = self._next_path()
        write_table(self.plan, target)
        self._new_version(target)

    def add_declarations(self, data: bytes, name: str) -> None:
        """Compare the table with the employees' declarations (CSV or xlsx)."""
        self._check_size(data)
        suffix = ".xlsx" if data.startswith(b"PK\x03\x04") else ".csv"
        path = self.folder / f"nyilatkozatok{suffix}"
        path.write_bytes(data)
        previous, self.declarations = self.declarations, path
        try:
            self._result = None
            self.result()
        except KkodError:
            self.declarations, self._result = previous, None
            raise

    def result(self) -> TableValidation:
        if self.table is None:
            raise WorkbenchError("Még nincs táblázat: töltsön fel egy exportot vagy táblázatot.")
        if self._result is None:
            self._result = validate_table(self.table, declarations=self.declarations)
        return self._result

    def candidates(self) -> tuple[list[Candidate], list[Candidate]]:
        from kkod.employer.review import candidates

        return candidates(self.result())

    def decide(self, cell: str, choice: Choice, own: str | None = None) -> Decision:
        """Decide the suggestion of ``cell`` (``F12``)."""
        _, suggestions = self.candidates()
        found = next((c for c in suggestions if c.cell == cell), None)
        if found is None:
            raise WorkbenchError(
                f"{with_article(cell, capital=True)} cellára nincs (már) javaslat."
            )
        if choice is Choice.SAJAT and not (own or "").strip():
            raise WorkbenchError("A saját érték nem lehet üres.")
        decision = decide(found, choice, self.who, (own or "").strip() or None)
        self._apply([decision])
        return decision

    def accept_safe(self) -> int:
        """Accept every safe fix in one go; returns how many cells changed."""
        safe, _ = self.candidates()
        self._apply([decide(c, Choice.ELFOGADVA, self.who) for c in safe])
        return len(safe)

    def decisions_file(self) -> Path:
        """Every decision so far as the review's decisions file."""
        return write_decisions(self.folder / "dontesek.csv", self.decisions, [self.source_name])

    def _apply(self, decisions: list[Decision]) -> None:
        if not decisions:
            return
        target = self._next_path()
        apply_decisions(self.result(), target, decisions)
        self.decisions += decisions
        self._new_version(target)

    def _next_path(self) -> Path:
        return self.folder / f"tabla-{self._version + 1}.xlsx"

    def _new_version(self, path: Path) -> None:
        self._version += 1
        self.table, self._result = path, None

    def _check_size(self, data: bytes) -> None:
        if len(data) > self.limits.max_file_bytes:
            raise WorkbenchError(
                f"A fájl {size(len(data))}, legfeljebb {size(self.limits.max_file_bytes)} lehet."
            )
