"""Benchmark ``kkod employer from-export`` on a 100,000-row HR export (CSV, Windows-1250,
split names, place and date in one column): the service (read, map, convert, write) and the
CLI end to end (also validating the result). Target (issue 10): ≤ 3 s."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from common import KKOD, WORK, median_seconds

ROWS = int(os.environ.get("BENCH_FROM_EXPORT_ROWS", "100000"))
TARGET_SECONDS = 3.0
HEADER = ("Törzsszám;Vezetéknév;Keresztnév;Születési név;Anyja neve;Születési hely, idő;"
          "Beosztás;Szervezeti egység")  # fmt: skip


def build(path: Path, n: int, seed: int = 2026) -> Path:
    """An export of ``n`` employees (cached in bench/work/)."""
    from kkod.fourt.names import _lines
    from kkod.places.settlements import settlements

    if path.exists():
        return path
    rnd = random.Random(seed)
    given, family = _lines("given_names.txt"), _lines("family_names.txt")
    places = sorted(settlements() - {"Budapest"})
    lines = [HEADER]
    for i in range(n):
        surname, first = rnd.choice(family), rnd.choice(given)
        born = f"{rnd.randint(1950, 2005)}.{rnd.randint(1, 12):02d}.{rnd.randint(1, 28):02d}"
        place = f"Budapest {rnd.randint(1, 23):02d}" if rnd.random() < 0.2 else rnd.choice(places)
        birth_name = "" if rnd.random() < 0.6 else f"{rnd.choice(family)} {first}"
        mother = f"{rnd.choice(family)} {rnd.choice(given)}"
        lines.append(f"T-{i:06d};{surname};{first};{birth_name};{mother};{place}, {born};"
                     "ügyintéző;Humánpolitikai Főosztály")  # fmt: skip
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1250"))
    return path


def run() -> dict:
    from kkod.employer.hrexport.build import plan, write_table

    WORK.mkdir(parents=True, exist_ok=True)
    export = build(WORK / f"hr-export-{ROWS}.csv", ROWS)
    out = WORK / f"from-export-{ROWS}.xlsx"

    def service() -> None:
        out.unlink(missing_ok=True)
        write_table(plan(export), out)

    seconds = median_seconds(service, repeat=3)

    def cli() -> None:
        proc = subprocess.run(
            [KKOD, "employer", "from-export", str(export), "-o", str(out), "--force"],
            capture_output=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.decode()[-2000:])

    cli_seconds = median_seconds(cli, repeat=3)
    from kkod.employer.validation import validate_table

    checked = validate_table(out)
    return {
        "title": f"kkod employer from-export, {ROWS:,} rows",
        "figures": {
            "rows written": checked.rows,
            "errors in the result": checked.errors,
            "service seconds: read, map, convert, write (median of 3)": round(seconds, 3),
            "CLI seconds end to end, with the check of the result (median of 3)": round(
                cli_seconds, 3
            ),
            "rows per second (service)": int(ROWS / seconds),
        },
        "checks": [
            [f"from-export {ROWS:,} rows (read + write) ≤ {TARGET_SECONDS:.0f} s",
             seconds <= TARGET_SECONDS],
            [f"kkod employer from-export CLI end to end ≤ {TARGET_SECONDS:.0f} s",
             cli_seconds <= TARGET_SECONDS],
            [f"every export row in the table ({ROWS:,})", checked.rows == ROWS],
        ],
    }  # fmt: skip
