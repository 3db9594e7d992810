"""The generation job (SPEC §1 step 3): table in, codes into column E, a reason for every other row.

Free of CLI concerns: the ``kkod generate`` command and the ministry worker both call
:func:`generate`. The registry is reached only through the :class:`Central` interface,
with match keys (digests) — never the 4T values themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kkod.atomic import atomic_write
from kkod.bulk import cyclic_gc_paused
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
from kkod.table.reader import FourTColumns, TableRow, person_of, read_fourt

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

    Exactly :func:`kkod.fourt.canonical.canonical` ``(row.person).match_key()``.
    """
    return match_keys_of_cells(
        None
        if row.formulas & FOURT_LETTERS
        else tuple(row.cells.get(letter) for letter in _PERSON_LETTERS)
        for row in rows
    )


def match_keys_of_cells(rows: Iterable[tuple[object, ...] | None]) -> list[bytes | None]:
    """The match key of each row's (D, F, G, H, I) cells; ``None`` for a ``None`` row (a
    formula in a 4T cell) or one that cannot be read as 4T.

    Canonical forms are computed once per distinct value: names, places and dates repeat a
    lot in a big table.
    """
    names: dict[str, str] = {}
    places: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    keys: list[bytes | None] = []
    append = keys.append
    for cells in rows:
        if cells is None:
            append(None)
            continue
        current, birth, mother, place, born = cells
        if not (
            current.__class__ is str
            and birth.__class__ is str
            and mother.__class__ is str
            and place.__class__ is str
            and born.__class__ is str
        ):
            form = canonical(person_of(cells))  # empty cells, numbers, Excel dates
            append(form.match_key() if form is not None else None)
            continue
        current_form = names.get(current)
        if current_form is None:
            current_form = names[current] = canonical_name(current)
        birth_form = names.get(birth)
        if birth_form is None:
            birth_form = names[birth] = canonical_name(birth)
        mother_form = names.get(mother)
        if mother_form is None:
            mother_form = names[mother] = canonical_name(mother)
        place_form = places.get(place)
        if place_form is None:
            place_form = places[place] = canonical_place(place)
        day = dates.get(born, False)
        if day is False:
            day = dates[born] = parse_date(clean_text(born))
        if current_form and birth_form and mother_form and place_form and day is not None:
            append(match_key_of(current_form, birth_form, mother_form, place_form, day))
        else:
            append(None)
    return keys


def default_output(table: Path) -> Path:
    return table.with_name(f"{table.stem}-kodokkal.xlsx")


def default_report(table: Path) -> Path:
    return table.with_name(f"{table.stem}-jelentes.xlsx")


def generate(
    table_path: Path,
    krid: str,
    central: Central | Callable[[], Central],
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

    ``central`` may also be a function that opens it: it is then opened while the table is
    read (the parse runs without the GIL).

    Raises :class:`~kkod.central.interface.UnknownOffice` (wrong KRID),
    :class:`~kkod.errors.TableError` (unreadable or modified table) or
    :class:`~kkod.reports.UnknownReportFormat` before anything is written or issued.
    """
    from kkod.reports import check_format

    table_path = Path(table_path)
    output = Path(output) if output else default_output(table_path)
    report = Path(report) if report else default_report(table_path)
    suffix = check_format(report)
    note = progress or (lambda _stage, _done, _total: None)
    with cyclic_gc_paused():
        return _generate(
            table_path, krid, central, output, report, suffix, reference, note, via, actor
        )


def _generate(
    table_path: Path,
    krid: str,
    central: Central | Callable[[], Central],
    output: Path,
    report: Path,
    suffix: str,
    reference: str | None,
    note: Progress,
    via: Via,
    actor: str,
) -> GenerationResult:
    note("Táblázat beolvasása", 0, 1)
    central, table = _open_and_read(central, krid, table_path)
    note("Táblázat beolvasása", 1, 1)

    keys = match_keys_of_cells(table.fourt)
    outcomes: list[Outcome] = []
    total = len(keys)
    note("Egyeztetés és kódkiadás", 0, total)
    for start in range(0, total, CHUNK):
        chunk = keys[start : start + CHUNK]
        outcomes += central.match_and_issue(krid, chunk, via=via, reference=reference, actor=actor)
        note("Egyeztetés és kódkiadás", min(start + CHUNK, total), total)

    generation = GenerationResult(table_path, output, report, _row_outcomes(table, outcomes))
    note("Kimenet írása", 0, 2)
    codes = {r.row: r.code for r in generation.rows if r.code is not None}
    _write_outputs(generation, codes, suffix, reference, lambda: note("Kimenet írása", 1, 2))
    note("Kimenet írása", 2, 2)
    return generation


def _open_and_read(
    central: Central | Callable[[], Central], krid: str, table_path: Path
) -> tuple[Central, FourTColumns]:
    """The registry (opened here if given as a function) and the table, read meanwhile; a wrong
    KRID is reported before a bad table."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_fourt, table_path)
        if callable(central):
            central = central()
        if central.office(krid) is None:
            raise UnknownOffice(krid)
        return central, reading.result()


def _row_outcomes(table: FourTColumns, outcomes: list[Outcome]) -> list[RowOutcome]:
    """Every row with exactly one outcome, else :class:`IncompleteGeneration`."""
    total = len(table.numbers)
    if len(outcomes) != total:
        raise IncompleteGeneration(
            f"Belső hiba: {total} sorból {len(outcomes)} kapott eredményt; nem készült kimenet."
        )
    if len(set(table.numbers)) != total:
        raise IncompleteGeneration(
            "Belső hiba: egy sor több eredményt kapott; nem készült kimenet."
        )
    return [
        RowOutcome(number, belso, outcome.result, outcome.code)
        for number, belso, outcome in zip(
            table.numbers, table.belso_azonosito, outcomes, strict=True
        )
    ]


def _write_outputs(
    generation: GenerationResult,
    codes: dict[int, str],
    suffix: str,
    reference: str | None,
    report_written: Callable[[], None],
) -> None:
    """The filled table and the reason report: both appear, or neither does.

    The table is written in a second thread (zlib works without the GIL) while the report
    is written here; each goes to a temporary file first, renamed once both are complete.
    """
    from kkod.ministry.reason_report import write_reason_report
    from kkod.table.writer import write_codes

    with (
        atomic_write(generation.output) as output_tmp,
        atomic_write(generation.report) as report_tmp,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        writing = pool.submit(write_codes, generation.table, output_tmp, codes)
        write_reason_report(report_tmp, generation, reference=reference, suffix=suffix)
        report_written()
        writing.result()
