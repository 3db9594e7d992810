"""Generation at scale, on SQLite and PostgreSQL: seed a registry, make a big sample table,
time ``kkod generate`` — its first run, which issues the codes, and a repeated run, which finds
them stored — against a naive baseline, all in one run.

``BENCH_PEOPLE`` (default 1,000,000; 10,000,000 for the national-scale run) sets the registry
size, ``BENCH_ROWS`` (default 100,000) the table, ``BENCH_GENERATE_BACKENDS`` the backends
(default ``sqlite,postgresql``). The baseline is what one would write first: openpyxl load →
one SELECT per row → openpyxl save. Both backends are seeded first; then the runs alternate
(first, repeat, baseline on one backend, the same on the other, the backends' order swapped
each round): a change in the shared machine's speed hits all of them alike, the ratio
PostgreSQL / SQLite included (run one backend after the other, it measured the host's drift).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import time
from pathlib import Path

from common import KKOD, WORK, central_database, run_measured

DEFAULT_PEOPLE = 1_000_000
KRID = "500100"
SECRET_HEX = "5a" * 32
BASELINE_REPEAT = 3


def run() -> dict:
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office
    from kkod.central.sample_table import write_sample_table
    from kkod.central.synthetic import seed_registry
    from kkod.db import make_engine, migrate

    people = int(os.environ.get("BENCH_PEOPLE", DEFAULT_PEOPLE))
    rows = int(os.environ.get("BENCH_ROWS", 100_000))
    repeat = int(os.environ.get("BENCH_REPEAT", 4))
    backends = os.environ.get("BENCH_GENERATE_BACKENDS", "sqlite,postgresql").split(",")
    folder = WORK / f"generate-{people}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    figures: dict[str, object] = {
        "registry people": people,
        "table rows": rows,
        "load average before the run (2 cores, shared)": round(os.getloadavg()[0], 1),
    }
    checks: list[tuple[str, bool]] = []
    table = folder / "tabla.xlsx"
    medians: dict[str, dict[str, float]] = {}
    coded_by_backend: dict[str, int] = {}
    with contextlib.ExitStack() as databases:
        setups: dict[str, tuple[object, str]] = {}
        seeded_by_backend = {}
        for backend in backends:
            url = databases.enter_context(central_database(backend, folder))
            engine = make_engine(url)
            databases.callback(engine.dispose)
            migrate(engine, "central")
            print(f"  seeding {people:,} people ({backend})", flush=True)
            seeded_by_backend[backend] = seed_registry(engine, people, seed=2026)
            add_office(engine, OfficeInfo(KRID, "BENCH", "Benchmark Hivatal"))
            if not table.exists():  # the same people on both backends (the same seed)
                start = time.perf_counter()
                write_sample_table(engine, table, krid=KRID, rows=rows, error_rate=0.05, seed=1)
                figures["sample table seconds (not a target)"] = round(
                    time.perf_counter() - start, 2
                )
            setups[backend] = (engine, url)
        found_by_backend = _runs(setups, folder, table, repeat)
    for backend in backends:
        found, seeded = found_by_backend[backend], seeded_by_backend[backend]
        medians[backend] = found.pop("_medians")
        coded_by_backend[backend] = found["kkod generate coded rows"]
        figures[f"{backend}: seed people/s"] = round(seeded.people_per_second)
        figures.update({f"{backend}: {k}": v for k, v in found.items()})
        first, again = medians[backend]["first"], medians[backend]["repeat"]
        checks += [
            (
                f"{backend}: {rows:,} rows against {people:,} people end to end ≤ 10 s",
                again <= 10,
            ),
            (
                f"{backend}: first run (issues the codes) ≤ 1.25× a repeated run "
                f"(measured {first / again:.2f}×)",
                first <= 1.25 * again,
            ),
            (
                f"{backend}: ≥ 15× faster than the naive path "
                f"(measured {found['speed-up vs naive baseline']}×)",
                found["speed-up vs naive baseline"] >= 15,
            ),
            (
                f"{backend}: peak RSS ≤ 350 MB "
                f"(measured {found['kkod generate peak RSS MiB (with its writer process)']} MiB)",
                found["kkod generate peak RSS MiB (with its writer process)"] * 2**20 <= 350e6,
            ),
        ]
        if backend == "sqlite":
            checks.append(
                ("sqlite: registry seed ≥ 100,000 people/s", seeded.people_per_second >= 100_000)
            )
    if len(set(coded_by_backend.values())) > 1:
        raise RuntimeError(f"the backends coded different numbers of rows: {coded_by_backend}")
    if {"sqlite", "postgresql"} <= medians.keys():
        for kind, label in (("first", "first runs"), ("repeat", "repeated runs")):
            ratio = medians["postgresql"][kind] / medians["sqlite"][kind]
            figures[f"PostgreSQL / SQLite, {label}"] = round(ratio, 2)
            checks.append(
                (f"PostgreSQL ≤ 1.15× SQLite, {label} (measured {ratio:.2f}×)", ratio <= 1.15)
            )
    result = {
        "title": f"Generation: {rows:,} rows against {people:,} people ({', '.join(backends)})",
        "figures": figures,
        "checks": checks,
    }
    if people != DEFAULT_PEOPLE:
        result["result_suffix"] = (
            f"-{people // 1_000_000}m" if people % 1_000_000 == 0 else f"-{people}"
        )
    return result


def _runs(setups: dict, folder: Path, table: Path, repeat: int) -> dict[str, dict]:
    """Each backend's first and repeated runs (the connections removed before each first run)
    and naive baseline runs, the backends taking turns round by round."""
    # The registry and the table were just written: let the kernel flush them to disk first,
    # or its writeback competes with whatever is timed next.
    os.sync()
    runs = {
        backend: _Runs(backend, engine, url, folder, table, repeat)
        for backend, (engine, url) in setups.items()
    }
    order = list(runs.values())
    for index in range(max(repeat, BASELINE_REPEAT)):
        for backend_runs in order if index % 2 == 0 else order[::-1]:
            backend_runs.take_turn(index)
    return {backend: backend_runs.figures() for backend, backend_runs in runs.items()}


class _Runs:
    """One backend's runs of ``kkod generate`` and of the baseline, and their figures."""

    def __init__(
        self, backend: str, engine, url: str, folder: Path, table: Path, repeat: int
    ) -> None:
        self.engine = engine
        self.repeat = repeat  # first and repeated runs of kkod generate each
        self.table = table
        self.folder = folder / backend
        self.folder.mkdir(parents=True, exist_ok=True)
        self.argv = [KKOD, "generate", str(table), "--krid", KRID, "--json", "--force",
                     "-o", str(self.folder / "tabla-kodokkal.xlsx"),
                     "--report", str(self.folder / "jelentes.xlsx")]  # fmt: skip
        self.env = {
            "KKOD_DATA_DIR": str(self.folder / "data"),
            "KKOD_CODE_SECRET": SECRET_HEX,
            "KKOD_CENTRAL_DATABASE_URL": url,
        }
        self.firsts: list[float] = []
        self.repeats: list[float] = []
        self.peaks: list[int] = []
        self.baseline_runs: list[tuple[float, int]] = []

    def take_turn(self, index: int) -> None:
        """Round ``index``: a first and a repeated run (of :attr:`repeat`), and a baseline run."""
        if index < self.repeat:
            _forget_connections(self.engine)
            for runs in (self.firsts, self.repeats):
                seconds, peak = run_measured(self.argv, env=self.env)
                runs.append(seconds)
                self.peaks.append(peak)
        if index < BASELINE_REPEAT:
            self.baseline_runs.append(
                _baseline(self.table, self.engine, self.folder / "baseline.xlsx")
            )

    def figures(self) -> dict:
        repeat = self.repeat
        from kkod.table.reader import read_table

        output = read_table(self.folder / "tabla-kodokkal.xlsx")
        coded = sum(1 for r in output.rows if r.kapcsolati_kod)
        baseline_seconds = statistics.median(seconds for seconds, _ in self.baseline_runs)
        first, again = statistics.median(self.firsts), statistics.median(self.repeats)
        return {
            f"kkod generate first run seconds (issues the codes; median of {repeat})": round(
                first, 2
            ),
            f"kkod generate repeated run seconds (codes stored; median of {repeat})": round(
                again, 2
            ),
            "first / repeated": round(first / again, 2),
            "kkod generate peak RSS MiB (with its writer process)": round(max(self.peaks) / 2**20),
            f"naive baseline seconds (openpyxl + SELECT per row, median of {BASELINE_REPEAT})": (
                round(baseline_seconds, 2)
            ),
            "speed-up vs naive baseline": round(baseline_seconds / again, 1),
            "baseline coded rows": self.baseline_runs[0][1],
            "kkod generate coded rows": coded,
            "_medians": {"first": first, "repeat": again},
        }


def _forget_connections(engine) -> None:
    """The office connected to no one: the next run issues every code, as a first run does."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM central_connections")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE central_connections")


def _baseline(table: Path, engine, output: Path) -> tuple[float, int]:
    """The naive way: openpyxl load, one SELECT per row, a code per match, openpyxl save."""
    from openpyxl import load_workbook

    from kkod.central.codes import derive_code, format_code
    from kkod.fourt.canonical import canonical
    from kkod.fourt.model import Person4T

    secret = bytes.fromhex(SECRET_HEX)
    marker = "%s" if engine.dialect.name == "postgresql" else "?"
    start = time.perf_counter()
    book = load_workbook(table)
    sheet = book.worksheets[0]
    raw = engine.raw_connection()
    cursor = raw.cursor()
    coded = 0
    for row in sheet.iter_rows(min_row=2):
        values = ["" if c.value is None else str(c.value) for c in row[:9]]
        if not values[3]:
            continue
        form = canonical(Person4T(values[3], values[5], values[6], values[7], values[8]))
        if form is None:
            continue
        cursor.execute(
            "SELECT COUNT(DISTINCT p.id), COUNT(a.id), MIN(a.id) FROM central_people p "
            "LEFT JOIN central_accounts a ON a.person_id = p.id AND a.active "
            f"WHERE p.match_key = {marker}",
            (form.match_key(),),
        )
        found = cursor.fetchone()
        if found[0] == 1 and found[1] == 1:
            row[4].value = format_code(derive_code(secret, 1, KRID, found[2]))
            coded += 1
    cursor.close()
    raw.close()
    book.save(output)
    return time.perf_counter() - start, coded
