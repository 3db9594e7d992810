"""The generation job (SPEC §1 step 3): table in, codes into column E, a reason for every other row.

Free of CLI concerns: the ``kkod generate`` command and the ministry worker both call
:func:`generate`. The registry is reached only through the :class:`Central` interface,
with match keys (digests) — never the 4T values themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from kkod.atomic import atomic_write
from kkod.background import Writer, start_writer
from kkod.bulk import cyclic_gc_paused
from kkod.central.interface import Central, MatchResult, Outcome, UnknownOffice, Via
from kkod.errors import KkodError
from kkod.exchange.reason_report import build_reason_report
from kkod.fourt.canonical import (
    canonical,
    canonical_name,
    canonical_place,
    clean_text,
    match_key_of,
    match_key_of_text,
)
from kkod.fourt.dates import parse_date
from kkod.fourt.model import OpaqueCell, Person4T, Severity
from kkod.fourt.rules import RULES
from kkod.fourt.validation import check_person, person_from_cells
from kkod.hungarian import with_article
from kkod.reports import check_format, write_report
from kkod.table import layout
from kkod.table.limits import TableLimits
from kkod.table.reader import FourTColumns, TableRow, cell_text, person_of, read_fourt
from kkod.table.writer import write_code_batches_within

BIG_TABLE_WRITER = write_code_batches_within
"""What writes a big table's filled copy in a child process (see :mod:`kkod.background`)."""

# progress(stage description in Hungarian, done, total)
Progress = Callable[[str, int, int], None]
# From this size (about 2,500 rows) the filled table is written by a child process (kkod.background).
WRITER_PROCESS_FROM_BYTES = 256 * 1024
FOURT_LETTERS = frozenset(layout.FOURT_LETTERS)
_PERSON_LETTERS = tuple(layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS)


class RowOutcome(NamedTuple):
    """The outcome of one table row (a named tuple: a big table has 100,000 of them)."""

    row: int  # Excel row number
    belso_azonosito: str
    result: MatchResult
    code: str | None = None
    sorszam: str = ""
    viselt_nev: str = ""  # as the table has it: the reason report names the person
    note: str | None = None  # for the reason report, e.g. the rule a hibás sor broke


@dataclass(frozen=True, slots=True)
class GenerationResult:
    """Counts and per-row outcomes of one generation; every input row has exactly one outcome."""

    table: Path
    output: Path
    report: Path
    rows: list[RowOutcome] = field(default_factory=list)
    _counts: Counter | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def counts(self) -> Counter[MatchResult]:
        """How many rows got each result."""
        counts = self._counts
        if counts is None:
            counts = Counter(r.result for r in self.rows)
            object.__setattr__(self, "_counts", counts)
        return counts

    def count(self, result: MatchResult) -> int:
        return self.counts[result]

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
        or any(row.cells.get(letter).__class__ is OpaqueCell for letter in _PERSON_LETTERS)
        else tuple(row.cells.get(letter) for letter in _PERSON_LETTERS)
        for row in rows
    )


def match_keys_of_cells(rows: Iterable[tuple[object, ...] | None]) -> list[bytes | None]:
    """The match key of each row's (D, F, G, H, I) cells; ``None`` for a ``None`` row (a
    formula in a 4T cell) or one that cannot be read as 4T."""
    return KeyMaker()(rows)


class KeyMaker:
    """:func:`match_keys_of_cells`, called for a table chunk by chunk.

    Canonical forms are computed once per distinct value, over all the chunks: names,
    places and dates repeat a lot in a big table. A long-running worker keeps one for all
    its requests (they repeat from table to table too); ``limit`` bounds its memory: past
    that many distinct names, what it kept is forgotten before the next chunk.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._names = _Memo(canonical_name)
        self._places = _Memo(canonical_place)
        self._dates = _Memo(_iso_date)
        self._limit = limit

    @property
    def names_kept(self) -> int:
        return len(self._names)

    def __call__(self, rows: Iterable[tuple[object, ...] | None]) -> list[bytes | None]:
        names, places, dates = self._names, self._places, self._dates
        if self._limit is not None and len(names) > self._limit:
            for memo in (names, places, dates):
                memo.clear()
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
            current_form = names[current]
            birth_form = names[birth]
            mother_form = names[mother]
            place_form = places[place]
            day = dates[born]
            if current_form and birth_form and mother_form and place_form and day:
                append(match_key_of_text(current_form, birth_form, mother_form, place_form, day))
            else:
                append(None)
        return keys


class _Memo(dict):
    """``memo[value]`` is ``function(value)``, computed once per distinct value."""

    def __init__(self, function: Callable[[str], str]) -> None:
        super().__init__()
        self._function = function

    def __missing__(self, value: str) -> str:
        result = self[value] = self._function(value)
        return result


def _iso_date(text: str) -> str:
    """The date as ISO text (the match key's form), ``""`` if it is not a date."""
    day = parse_date(clean_text(text))
    return day.isoformat() if day is not None else ""


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
    durable: bool = True,
    columns: FourTColumns | None = None,
    keys: KeyMaker | None = None,
) -> GenerationResult:
    """Read ``table_path``, match and issue codes for office ``krid``, write the filled table to
    ``output`` and the reason report to ``report``. Same table again → same codes.
    ``durable=False`` for outputs in a work folder that is thrown away (no fsyncs).
    ``columns``: what :func:`~kkod.table.reader.read_fourt` gave for this very table before
    (the intake read it): it is not read again. ``keys``: the match keys' maker to use (a
    worker keeps one warm for all its requests), a new one by default.

    ``central`` may also be a function that opens it: it is then opened while the table is
    read (the parse runs without the GIL).

    Raises :class:`~kkod.central.interface.UnknownOffice` (wrong KRID),
    :class:`~kkod.errors.TableError` (unreadable or modified table) or
    :class:`~kkod.reports.UnknownReportFormat` before anything is written or issued.
    """
    table_path = Path(table_path)
    output = Path(output) if output else default_output(table_path)
    report = Path(report) if report else default_report(table_path)
    suffix = check_format(report)
    note = progress or (lambda _stage, _done, _total: None)
    with cyclic_gc_paused():
        return _generate(
            table_path,
            krid,
            central,
            output,
            report,
            suffix,
            reference,
            note,
            via,
            actor,
            durable,
            columns,
            keys or KeyMaker(),
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
    durable: bool,
    columns: FourTColumns | None,
    keys: KeyMaker,
) -> GenerationResult:
    """Both outputs appear, or neither does: each is written to a temporary file first, and
    renamed once both are complete (the files inside are made durable by that, not again)."""
    with (
        atomic_write(output, durable=durable) as output_tmp,
        atomic_write(report, durable=durable) as report_tmp,
    ):
        note("Táblázat beolvasása", 0, 1)
        central, table = _open_and_read(central, krid, table_path, columns)
        note("Táblázat beolvasása", 1, 1)
        # A big table is written by a child process, started now: it reads and prepares the
        # table, then patches each chunk's codes as they come (see kkod.background).
        with closing(
            start_writer(
                BIG_TABLE_WRITER,
                table_path,
                output_tmp,
                TableLimits.from_settings(),
                process=_is_big(table_path),
            )
        ) as table_writer:
            rows = _match(central, krid, table, table_writer, note, via, reference, actor, keys)
            generation = GenerationResult(table_path, output, report, rows)
            note("Kimenet írása", 0, 2)
            reasons = build_reason_report(rows, table_path.name, generation.counts, reference)
            write_report(report_tmp, reasons, suffix=suffix, durable=False)
            note("Kimenet írása", 1, 2)
            table_writer.finish()
            note("Kimenet írása", 2, 2)
    return generation


def _match(
    central: Central,
    krid: str,
    table: FourTColumns,
    writer: Writer,
    note: Progress,
    via: Via,
    reference: str | None,
    actor: str,
    make_keys: KeyMaker,
) -> list[RowOutcome]:
    """Every row's outcome, matched and issued ``central.chunk_rows`` at a time; each chunk's codes
    go to the table's ``writer`` at once, to be written while the next chunk is matched.
    Every row gets exactly one outcome, else :class:`IncompleteGeneration`.

    The keys of a chunk are made as the registry asks for them: while it joins one chunk,
    this thread makes the next chunk's keys and hands the codes before to the writer.
    """
    total = len(table.numbers)
    size = central.chunk_rows
    starts = range(0, total, size)
    rows: list[RowOutcome] = []
    note("Egyeztetés és kódkiadás", 0, total)
    keys: list[list[bytes | None]] = []  # each chunk's, kept for judging its rows

    def chunks() -> Iterator[list[bytes | None]]:
        for start in starts:
            keys.append(make_keys(table.fourt[start : start + size]))
            yield keys[-1]

    judge = RowJudge()
    with closing(
        central.match_and_issue_chunks(krid, chunks(), via=via, reference=reference, actor=actor)
    ) as matched:
        for index, (start, outcomes) in enumerate(zip(starts, matched, strict=False)):
            rows += _hand_over(table, start, size, outcomes, keys[index], judge, writer)
            # What the chunk's outcomes need is in them: its keys and cells can go (a
            # 100,000-row table's 4T texts are 40 MB; the reason report is built in that room).
            keys[index] = []
            table.fourt[start : start + size] = [None] * len(outcomes)
            note("Egyeztetés és kódkiadás", len(rows), total)
    writer.end()
    if len(rows) != total or len(set(table.numbers)) != total:
        raise IncompleteGeneration(
            f"Belső hiba: {total} sorból {len(rows)} kapott egy-egy eredményt; nem készült kimenet."
        )
    return rows


def _hand_over(
    table: FourTColumns,
    start: int,
    size: int,
    outcomes: list[Outcome],
    keys: list[bytes | None],
    judge: RowJudge,
    writer: Writer,
) -> list[RowOutcome]:
    """The chunk's row outcomes, the rows without a code judged as ``kkod validate`` judges
    them; its codes handed to the table's writer, and column E emptied in every other row
    where the employer wrote something (the ministry returns only codes it issued)."""
    end = start + size
    numbers = table.numbers[start:end]
    if len(outcomes) != len(numbers) or len(keys) != len(numbers):
        raise IncompleteGeneration(
            f"Belső hiba: {len(numbers)} sorból {len(outcomes)} kapott eredményt; "
            "nem készült kimenet."
        )
    chunk: list[RowOutcome] = []
    cells_written: dict[int, str] = {}
    for number, belso, sorszam, received, cells, outcome, key in zip(
        numbers,
        table.belso_azonosito[start:end],
        table.sorszam[start:end],
        table.kapcsolati_kod[start:end],
        table.fourt[start:end],
        outcomes,
        keys,
        strict=True,
    ):
        result, code, note = outcome.result, outcome.code, None
        if code is not None:
            judge.seen(number, key)
            cells_written[number] = code
            chunk.append(RowOutcome(number, belso, result, code, sorszam))
            continue
        if cells is None:
            cells, formulas = table.blocked[number]
        else:
            formulas = frozenset()
        result, note = judge(number, cells, formulas, key, result)
        if received:
            cells_written[number] = ""
            note = _joined(note, removed_code_note(received))
        chunk.append(RowOutcome(number, belso, result, None, sorszam, cell_text(cells[0]), note))
    writer.add(cells_written)
    return chunk


def removed_code_note(received: str) -> str:
    """The reason report's note on a row whose column E the employer had filled."""
    shown = received if len(received) <= 60 else received[:57] + "…"
    return (
        f"Az E (Kapcsolati kód) oszlopban „{shown}” állt; a minisztérium törölte: kapcsolati "
        "kódot csak a minisztérium ad."
    )


def _joined(first: str | None, second: str) -> str:
    return second if not first else f"{first} {second}"


class RowJudge:
    """The 4T rules of ``kkod validate`` on the rows left without a code, so that a row
    validate calls an error is *hibás sor* here too, never *nincs találat* or *több találat*.

    Only rows without a code are checked (the rest cost nothing). The duplicate rule (E11)
    compares each such row, after the safe fixes, with every row before it.
    """

    def __init__(self, today: date | None = None) -> None:
        self._today = today or date.today()
        self._first_row_of: dict[bytes, int] = {}

    def seen(self, number: int, key: bytes | None) -> None:
        """A row that got a code: its key, for the duplicate rule of the rows after it."""
        if key is not None:
            self._first_row_of.setdefault(key, number)

    def __call__(
        self,
        number: int,
        cells: tuple[object, ...],
        formulas: frozenset[str],
        key: bytes | None,
        result: MatchResult,
    ) -> tuple[MatchResult, str | None]:
        check = check_person(
            number,
            person_from_cells(cells),
            columns=layout.COLUMN_OF_FIELD,
            today=self._today,
            formulas=formulas,
            suggest=False,
        )
        errors = list(
            dict.fromkeys(
                f"{f.rule}: {f.message}" for f in check.findings if f.severity is Severity.HIBA
            )
        )
        if errors:
            return MatchResult.HIBAS_SOR, " ".join(errors)
        fixed_key = match_key_of(*check.key) if check.key is not None else key
        if fixed_key is not None:
            first = self._first_row_of.setdefault(fixed_key, number)
            if first != number:
                duplicate = RULES["E11"].message.format(first_row=with_article(first))
                return MatchResult.HIBAS_SOR, f"E11: {duplicate}"
        return result, None


def _is_big(table_path: Path) -> bool:
    try:
        return table_path.stat().st_size >= WRITER_PROCESS_FROM_BYTES
    except OSError:
        return False  # the reader has reported it


def _open_and_read(
    central: Central | Callable[[], Central],
    krid: str,
    table_path: Path,
    columns: FourTColumns | None = None,
) -> tuple[Central, FourTColumns]:
    """The registry (opened here if given as a function) and the table, read meanwhile (a
    small table after: a thread would cost more than it saves); a wrong KRID is reported
    before a bad table. ``columns`` read before are taken as they are (the registry tells a
    wrong KRID when it is asked to match)."""
    if columns is not None:
        return (central() if callable(central) else central), columns
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_fourt, table_path) if _is_big(table_path) else None
        if callable(central):
            central = central()
        if central.office(krid) is None:
            raise UnknownOffice(krid)
        return central, reading.result() if reading else read_fourt(table_path)
