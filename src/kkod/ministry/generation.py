"""The generation job (SPEC §1 step 3): table in, codes into column E, a reason for every other row.

Free of CLI concerns: the ``kkod generate`` command and the ministry worker both call
:func:`generate`. The registry is reached only through the :class:`Central` interface,
with match keys (digests) — never the 4T values themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kkod.central.interface import Central, MatchResult, Outcome, UnknownOffice, Via
from kkod.errors import KkodError
from kkod.fourt.canonical import (
    canonical,
    canonical_name,
    canonical_place,
    clean_text,
    match_key_of,
)
from kkod.fourt.dates import parse_date
from kkod.fourt.model import Person4T
from kkod.table import layout

if TYPE_CHECKING:
    from kkod.table.reader import TableRow

# progress(stage description in Hungarian, done, total)
Progress = Callable[[str, int, int], None]
CHUNK = 50_000  # keys per match_and_issue call (each call is set-based)
FOURT_LETTERS = frozenset(layout.FOURT_LETTERS)
_PERSON_LETTERS = tuple(layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS)


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """The outcome of one table row."""

    row: int  # Excel row number
    belso_azonosito: str
    result: MatchResult
    code: str | None = None


@dataclass(frozen=True, slots=True)
class GenerationResult:
    """Counts and per-row outcomes of one generation; every input row has exactly one outcome."""

    table: Path
    output: Path
    report: Path
    rows: list[RowOutcome] = field(default_factory=list)
    _counts: Counter | None = field(default=None, init=False, repr=False, compare=False)

    def count(self, result: MatchResult) -> int:
        counts = self._counts
        if counts is None:
            counts = Counter(r.result for r in self.rows)
            object.__setattr__(self, "_counts", counts)
        return counts[result]

    @property
    def coded(self) -> int:
        return self.count(MatchResult.KOD)

    @property
    def no_match(self) -> int:
        return self.count(MatchResult.NINCS_TALALAT)

    @property
    def multiple(self) -> int:
        return self.count(MatchResult.TOBB_TALALAT)

    @property
    def invalid(self) -> int:
        return self.count(MatchResult.HIBAS_SOR)

    def as_json(self) -> dict[str, object]:
        return {
            "rows": len(self.rows),
            "coded": self.coded,
            "no_match": self.no_match,
            "multiple": self.multiple,
            "invalid": self.invalid,
            "output": str(self.output),
            "report": str(self.report),
        }


class IncompleteGeneration(KkodError):
    """Not every row got exactly one outcome: nothing is written (a bug, never expected)."""


def match_keys(rows: Sequence[TableRow]) -> list[bytes | None]:
    """Each row's match key (``None`` if it cannot be read as 4T or holds a formula).

    Exactly :func:`kkod.fourt.canonical.canonical` ``(row.person).match_key()``, computed once
    per distinct field value: names, places and dates repeat a lot in a big table.
    """
    names: dict[str, str] = {}
    places: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    keys: list[bytes | None] = []
    for row in rows:
        if row.formulas & FOURT_LETTERS:
            keys.append(None)
            continue
        cells = row.cells
        values = [cells.get(letter) for letter in _PERSON_LETTERS]
        if not all(type(v) is str for v in values):
            form = canonical(row.person)  # empty cells, numbers, Excel dates: the general path
            keys.append(form.match_key() if form is not None else None)
            continue
        current, birth, mother, place, born = values
        forms = []
        for name in (current, birth, mother):
            form = names.get(name)
            if form is None:
                form = names[name] = canonical_name(name)
            forms.append(form)
        place_form = places.get(place)
        if place_form is None:
            place_form = places[place] = canonical_place(place)
        if born in dates:
            day = dates[born]
        else:
            day = dates[born] = parse_date(clean_text(born))
        if not all(forms) or not place_form or day is None:
            keys.append(None)
        else:
            keys.append(match_key_of(*forms, place_form, day))
    return keys


def default_output(table: Path) -> Path:
    return table.with_name(f"{table.stem}-kodokkal.xlsx")


def default_report(table: Path) -> Path:
    return table.with_name(f"{table.stem}-jelentes.xlsx")


def generate(
    table_path: Path,
    krid: str,
    central: Central,
    output: Path | None = None,
    report: Path | None = None,
    reference: str | None = None,
    progress: Progress | None = None,
    *,
    via: Via = Via.BULK,
    actor: str = "system",
) -> GenerationResult:
    """Read ``table_path``, match and issue codes for office ``krid``, write the filled table to
    ``output`` and the reason report to ``report``. Same table again → same codes.

    Raises :class:`~kkod.central.interface.UnknownOffice` (wrong KRID) or
    :class:`~kkod.errors.TableError` (unreadable or modified table) before anything is written.
    """
    from kkod.ministry.reason_report import write_reason_report
    from kkod.table.reader import read_table
    from kkod.table.writer import write_codes

    table_path = Path(table_path)
    output = Path(output) if output else default_output(table_path)
    report = Path(report) if report else default_report(table_path)
    note = progress or (lambda _stage, _done, _total: None)
    if central.office(krid) is None:
        raise UnknownOffice(krid)

    note("Táblázat beolvasása", 0, 1)
    table = read_table(table_path)
    note("Táblázat beolvasása", 1, 1)

    rows = table.rows
    keys = match_keys(rows)

    outcomes: list[Outcome] = []
    total = len(keys)
    note("Egyeztetés és kódkiadás", 0, total)
    for start in range(0, total, CHUNK):
        chunk = keys[start : start + CHUNK]
        outcomes += central.match_and_issue(krid, chunk, via=via, reference=reference, actor=actor)
        note("Egyeztetés és kódkiadás", min(start + CHUNK, total), total)

    if len(outcomes) != len(rows):
        raise IncompleteGeneration(
            f"Belső hiba: {len(rows)} sorból {len(outcomes)} kapott eredményt; nem készült kimenet."
        )
    results = [
        RowOutcome(row.row, row.belso_azonosito, outcome.result, outcome.code)
        for row, outcome in zip(rows, outcomes, strict=True)
    ]
    if len({r.row for r in results}) != len(results):
        raise IncompleteGeneration(
            "Belső hiba: egy sor több eredményt kapott; nem készült kimenet."
        )
    generation = GenerationResult(table_path, output, report, results)

    note("Kimenet írása", 0, 2)
    codes = {r.row: r.code for r in results if r.code is not None}
    report_existed = report.exists()
    write_reason_report(report, generation, reference=reference)
    note("Kimenet írása", 1, 2)
    try:
        write_codes(table_path, output, codes)
    except BaseException:
        if not report_existed:
            report.unlink(missing_ok=True)
        raise
    note("Kimenet írása", 2, 2)
    return generation
