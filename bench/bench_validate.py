"""Benchmark ``kkod validate`` on a 100,000-row table: the service function and the CLI.

The table is built once (template + patch_cells) with realistic rows and about 5% of them
carrying the mistakes the validator knows; it is cached in bench/work/.
Target (issue 2): read + rules for 100,000 rows ≤ 3 s on this machine.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

from common import KKOD, WORK, median_seconds

ROWS = int(os.environ.get("BENCH_VALIDATE_ROWS", "100000"))
TARGET_SECONDS = 3.0

_MISTAKES = (
    lambda r: r.update(D=f" {r['D']}  "),
    lambda r: r.update(I=r["I"].replace(".", "-")),
    lambda r: r.update(I=r["I"] + "."),
    lambda r: r.update(H="Budapest XI. ker."),
    lambda r: r.update(H="Budapest"),
    lambda r: r.update(G=r["G"].replace("ő", "õ").replace("ű", "û") + "õ"),
    lambda r: r.update(F=r["F"].replace("á", "a").replace("é", "e")),
    lambda r: r.update(H=r["H"][:-1] + "x"),
    lambda r: r.update(G="Tóth Pálné"),
    lambda r: r.update(D="dr. " + r["D"]),
)


def rows(n: int, seed: int = 2017) -> dict[tuple[int, str], str]:
    from kkod.fourt.names import _lines
    from kkod.places.settlements import settlements

    rnd = random.Random(seed)
    given = _lines("given_names.txt")
    family = _lines("family_names.txt")
    places = sorted(settlements() - {"Budapest"})
    values: dict[tuple[int, str], str] = {}
    for i in range(n):
        surname = rnd.choice(family)
        name = f"{surname} {rnd.choice(given)}"
        place = f"Budapest {rnd.randint(1, 23):02d}" if rnd.random() < 0.2 else rnd.choice(places)
        row = {
            "B": f"HR-{i:06d}",
            "D": name,
            "F": name,
            "G": f"{rnd.choice(family)} {rnd.choice(given)}",
            "H": place,
            "I": f"{rnd.randint(1950, 2005)}.{rnd.randint(1, 12):02d}.{rnd.randint(1, 28):02d}",
        }
        if rnd.random() < 0.05:
            rnd.choice(_MISTAKES)(row)
        for letter, text in row.items():
            values[(i + 2, letter)] = text
    return values


def build(path: Path, n: int) -> Path:
    from kkod.table.template import build_template
    from kkod.table.writer import patch_cells

    if path.exists():
        return path
    blank = path.with_name(f"blank-{n}.xlsx")
    if not blank.exists():
        build_template(blank, rows=n)
    patch_cells(blank, path, rows(n))
    return path


def run() -> dict:
    from kkod.employer.validation import validate_table

    WORK.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    table = build(WORK / f"validate-{ROWS}.xlsx", ROWS)
    build_seconds = time.perf_counter() - start

    result = validate_table(table)
    service = median_seconds(lambda: validate_table(table), repeat=3)

    def cli() -> None:
        proc = subprocess.run([KKOD, "validate", str(table), "--json"], capture_output=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError(proc.stderr.decode()[-2000:])

    cli_seconds = median_seconds(cli, repeat=3)
    return {
        "title": f"kkod validate, {ROWS:,} rows",
        "figures": {
            "rows": result.rows,
            "findings": len(result.findings),
            "errors": result.errors,
            "warnings": result.warnings,
            "service seconds (median of 3)": round(service, 3),
            "CLI seconds, end to end (median of 3)": round(cli_seconds, 3),
            "rows per second (service)": int(result.rows / service),
            "table build seconds (cached after first run)": round(build_seconds, 1),
        },
        "checks": [
            [
                f"validate {ROWS:,} rows (read + rules) ≤ {TARGET_SECONDS:.0f} s",
                service <= TARGET_SECONDS,
            ],
            [
                f"kkod validate CLI end to end ≤ {TARGET_SECONDS:.0f} s",
                cli_seconds <= TARGET_SECONDS,
            ],
        ],
    }
