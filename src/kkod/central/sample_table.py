"""Sample employer tables drawn from the registry, with real-world mistakes injected, and a truth file.

The truth file says, for every row, whom it really is, which result a perfect table would
get, and which mistake (if any) was injected — so a demo or a benchmark can measure the
match rate before and after fixing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random

from sqlalchemy import Engine

from kkod.atomic import atomic_write, atomic_write_bytes
from kkod.central.bulkio import copy_rows, drop_temp_table, temp_table
from kkod.central.interface import MatchResult, UnknownOffice
from kkod.central.matching import classify_keys, result_of
from kkod.central.models import Office
from kkod.errors import KkodError
from kkod.fourt.dates import format_date
from kkod.fourt.model import Person4T
from kkod.places.budapest import parse_budapest
from kkod.table import layout

# The mix of employees: mostly people with one account, some without, a few with several.
MIX = {MatchResult.KOD: 0.88, MatchResult.NINCS_TALALAT: 0.09, MatchResult.TOBB_TALALAT: 0.03}
OVERSAMPLE = 1.6
TRUTH_HEADERS = ("sor", "szemely_id", "vart_eredmeny", "hiba")

_MONTHS = ("jan.", "febr.", "márc.", "ápr.", "máj.", "jún.", "júl.", "aug.", "szept.", "okt.", "nov.", "dec.")  # fmt: skip
_LATIN1 = str.maketrans({"ő": "õ", "ű": "û", "Ő": "Õ", "Ű": "Û"})
_MARRIED_HUSBANDS = ("Péter", "János", "László", "István", "József", "Ferenc", "Zoltán")


@dataclass(frozen=True, slots=True)
class SampleRow:
    """One employee row: the registry person, the 4T as written in the table, the mistake."""

    row: int
    person_id: int
    expected: MatchResult
    mistake: str  # "" for a clean row
    belso_azonosito: str
    fourt: tuple[str, str, str, str, str]  # Person4T.FIELDS as written in the table
    declared: tuple[str, str, str, str, str]  # the same as the employee declared it (the truth)


@dataclass(frozen=True, slots=True)
class SampleResult:
    path: Path
    truth: Path | None
    rows: int
    mistakes: dict[str, int]
    expected: dict[MatchResult, int]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _missing_district(f: list[str], rng: Random) -> bool:
    place = parse_budapest(f[3])
    if place is None or place.district is None:
        return False
    f[3] = "Budapest"
    return True


def _date_format(f: list[str], rng: Random) -> bool:
    y, m, d = (int(x) for x in f[4].split("."))
    f[4] = rng.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{y}. {m:02d}. {d:02d}.",
            f"{y}{m:02d}{d:02d}",
            f"{y}.{m:02d}.{d:02d}.",
            f"{y}. {_MONTHS[m - 1]} {d}.",
        ]
    )
    return True


def _latin1(f: list[str], rng: Random) -> bool:
    fields = [i for i in range(4) if any(c in f[i] for c in "őűŐŰ")]
    if not fields:
        return False
    i = rng.choice(fields)
    f[i] = f[i].translate(_LATIN1)
    return True


def _married_mother(f: list[str], rng: Random) -> bool:
    family = f[2].split(" ")[0]
    f[2] = f"{family} {rng.choice(_MARRIED_HUSBANDS)}né"
    return True


def _extra_spaces(f: list[str], rng: Random) -> bool:
    i = rng.choice([0, 1, 2])
    f[i] = rng.choice(
        [f"  {f[i]}", f"{f[i]} ", f[i].replace(" ", "  ", 1), f[i].replace(" ", "\u00a0", 1)]
    )
    return True


def _missing_accents(f: list[str], rng: Random) -> bool:
    plain = _strip_accents(f[0])
    if plain == f[0]:
        return False
    f[0] = plain
    return True


def _place_typo(f: list[str], rng: Random) -> bool:
    place = f[3]
    if parse_budapest(place) is not None or len(place) < 5:
        return False
    i = rng.randrange(1, len(place) - 1)
    if rng.random() < 0.5:
        f[3] = place[:i] + place[i + 1 :]  # a letter left out
    else:
        f[3] = place[:i] + place[i + 1] + place[i] + place[i + 2 :]  # two letters swapped
    return f[3] != place


MISTAKES: dict[str, Callable[[list[str], Random], bool]] = {
    "missing_district": _missing_district,
    "date_format": _date_format,
    "latin1": _latin1,
    "married_mother": _married_mother,
    "extra_spaces": _extra_spaces,
    "missing_accents": _missing_accents,
    "place_typo": _place_typo,
}


def draw_sample(
    engine: Engine, rows: int, *, error_rate: float, seed: int | None = None
) -> list[SampleRow]:
    """``rows`` employees drawn from the registry (by the :data:`MIX`), mistakes at ``error_rate``."""
    if rows < 1:
        raise KkodError("A sorok száma legalább 1 legyen.")
    if not 0 <= error_rate <= 1:
        raise KkodError("A hibaarány 0 és 1 közötti szám legyen (pl. 0.05).")
    rng = Random(seed)
    with engine.begin() as conn:
        max_id = conn.exec_driver_sql("SELECT MAX(id) FROM central_people").scalar() or 0
        if max_id == 0:
            raise KkodError("A nyilvántartás üres: előbb töltse fel (kkod central seed).")
        wanted = min(max_id, int(rows * OVERSAMPLE) + 50)
        ids = rng.sample(range(1, max_id + 1), wanted)
        pg = conn.dialect.name == "postgresql"
        temp_table(
            conn, "kkod_tmp_sample", "i BIGINT PRIMARY KEY" if pg else "i INTEGER PRIMARY KEY"
        )
        try:
            copy_rows(conn, "kkod_tmp_sample", ["i"], [(i,) for i in ids])
            people = conn.exec_driver_sql(
                "SELECT p.id, p.viselt_nev, p.szuletesi_nev, p.anyja_szuletesi_neve, "
                "p.szuletesi_hely, p.szuletesi_ido, p.match_key "
                "FROM kkod_tmp_sample t JOIN central_people p ON p.id = t.i ORDER BY p.id"
            ).all()
        finally:
            drop_temp_table(conn, "kkod_tmp_sample")
        matches = classify_keys(conn, (bytes(p[6]) for p in people))
    by_result: dict[MatchResult, list] = {r: [] for r in MatchResult}
    for person in people:
        by_result[result_of(matches.get(bytes(person[6])))].append(person)
    for group in by_result.values():
        rng.shuffle(group)
    chosen: list[tuple[MatchResult, object]] = []
    for result, share in MIX.items():
        take = round(rows * share)
        chosen += [(result, p) for p in by_result[result][:take]]
        by_result[result] = by_result[result][take:]
    leftovers = [(r, p) for r, group in by_result.items() for p in group]
    rng.shuffle(leftovers)
    chosen = (chosen + leftovers)[:rows]
    rng.shuffle(chosen)

    sample = []
    for index, (expected, person) in enumerate(chosen):
        born = person[5] if isinstance(person[5], date) else date.fromisoformat(str(person[5]))
        fields = [person[1], person[2], person[3], person[4], format_date(born)]
        declared = tuple(fields)
        mistake = ""
        if rng.random() < error_rate:
            for kind in rng.sample(list(MISTAKES), len(MISTAKES)):
                if MISTAKES[kind](fields, rng):
                    mistake = kind
                    break
        sample.append(
            SampleRow(
                row=layout.FIRST_DATA_ROW + index,
                person_id=int(person[0]),
                expected=expected,
                mistake=mistake,
                belso_azonosito=f"T-{index + 1:06d}",
                fourt=tuple(fields),
                declared=declared,
            )
        )
    return sample


def write_sample_table(
    engine: Engine,
    path: Path,
    *,
    krid: str,
    rows: int,
    error_rate: float,
    truth: Path | None = None,
    declarations: Path | None = None,
    seed: int | None = None,
) -> SampleResult:
    """Draw a sample and write it as a filled template (and the truth file and the employees'
    own declarations as CSV)."""
    from sqlalchemy import select

    from kkod.table.template import build_template
    from kkod.table.writer import patch_cells

    with engine.connect() as conn:
        if conn.scalar(select(Office.id).where(Office.krid == str(krid).strip())) is None:
            raise UnknownOffice(str(krid))
    sample = draw_sample(engine, rows, error_rate=error_rate, seed=seed)
    letters = [layout.COLUMN_OF_FIELD[f] for f in Person4T.FIELDS]
    values: dict[tuple[int, str], str] = {}
    b = layout.COLUMN_OF_FIELD["belso_azonosito"]
    for item in sample:
        values[(item.row, b)] = item.belso_azonosito
        for letter, text in zip(letters, item.fourt, strict=True):
            values[(item.row, letter)] = text
    path = Path(path)
    with atomic_write(path) as blank:
        build_template(blank, len(sample))
        patch_cells(blank, blank, values)
    if truth is not None:
        atomic_write_bytes(Path(truth), truth_csv(sample).encode("utf-8-sig"))
    if declarations is not None:
        atomic_write_bytes(Path(declarations), declarations_csv(sample).encode("utf-8-sig"))
    mistakes: dict[str, int] = {}
    expected: dict[MatchResult, int] = {}
    for item in sample:
        if item.mistake:
            mistakes[item.mistake] = mistakes.get(item.mistake, 0) + 1
        expected[item.expected] = expected.get(item.expected, 0) + 1
    return SampleResult(path, truth, len(sample), mistakes, expected)


def truth_csv(sample: list[SampleRow]) -> str:
    """The truth file: Excel row, registry person id, result of a perfect table, injected mistake."""
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow(TRUTH_HEADERS)
    out.writerows((s.row, s.person_id, s.expected.value, s.mistake) for s in sample)
    return buffer.getvalue()


DECLARATION_FIELDS = ("belso_azonosito", *Person4T.FIELDS)


def declarations_csv(sample: list[SampleRow]) -> str:
    """The employees' own declared 4T (what ``kkod validate --declarations`` reads): the
    table's headers for Belső azonosító and the 4T columns, one line per employee."""
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow(layout.BY_FIELD[f].header for f in DECLARATION_FIELDS)
    out.writerows((s.belso_azonosito, *s.declared) for s in sample)
    return buffer.getvalue()


def read_truth(path: Path) -> list[tuple[int, int, MatchResult, str]]:
    """Rows of a truth file written by :func:`write_sample_table`."""
    reader = csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig")), delimiter=";")
    next(reader)
    return [(int(r[0]), int(r[1]), MatchResult(r[2]), r[3]) for r in reader if r]
