"""Result writer and reader on a 100,000-row table: our stream-patch vs an openpyxl load + save.

The input is `kkod template --rows N` filled with synthetic Hungarian rows (cached in bench/work/).
``BENCH_TABLE_ROWS`` changes N.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from common import WORK, median_seconds

from kkod.table.reader import read_table
from kkod.table.template import build_template
from kkod.table.writer import patch_cells, write_codes

ROWS = int(os.environ.get("BENCH_TABLE_ROWS", "100000"))
FAMILY = ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh")  # fmt: skip
GIVEN = ("László", "István", "József", "Mária", "Erzsébet", "Katalin", "Zoltán", "Éva", "Ilona")  # fmt: skip
PLACES = ("Budapest 11", "Budapest 03", "Debrecen", "Szeged", "Miskolc", "Pécs", "Győr")  # fmt: skip


def filled_table(rows: int) -> Path:
    """The template with ``rows`` rows, all filled (built once, then reused)."""
    path = WORK / f"table_{rows}.xlsx"
    if path.exists():
        return path
    rng = random.Random(20170101)
    blank = WORK / f"template_{rows}.xlsx"
    build_template(blank, rows=rows)
    values: dict[tuple[int, str], str] = {}
    for row in range(2, rows + 2):
        name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
        values[(row, "B")] = f"T-{row:06d}"
        values[(row, "D")] = name
        values[(row, "F")] = name
        values[(row, "G")] = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
        values[(row, "H")] = rng.choice(PLACES)
        values[(row, "I")] = (
            f"{rng.randint(1945, 2005)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}"
        )
    patch_cells(blank, path, values)
    blank.unlink()
    return path


def run() -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    cached = (WORK / f"table_{ROWS}.xlsx").exists()
    start = time.perf_counter()
    src = filled_table(ROWS)
    setup = time.perf_counter() - start
    out = WORK / f"table_{ROWS}_codes.xlsx"
    codes = {row: f"{row:04X}-9XQ2-HT5W-R8P1-Z"[-21:] for row in range(2, ROWS + 2)}

    ours = median_seconds(lambda: write_codes(src, out, codes), repeat=3)
    read = median_seconds(lambda: read_table(out), repeat=3)
    from python_calamine import CalamineWorkbook

    calamine = median_seconds(
        lambda: CalamineWorkbook.from_path(out).get_sheet_by_index(0).to_python(), repeat=3
    )
    table = read_table(out)
    all_written = len(table.rows) == ROWS and all(
        r.kapcsolati_kod == codes[r.row] for r in table.rows
    )

    import openpyxl

    baseline_out = WORK / f"table_{ROWS}_openpyxl.xlsx"

    def openpyxl_round_trip() -> None:
        wb = openpyxl.load_workbook(src)
        ws = wb.worksheets[0]
        for row, code in codes.items():
            ws[f"E{row}"] = code
        wb.save(baseline_out)

    baseline = median_seconds(openpyxl_round_trip, repeat=1)
    baseline_out.unlink(missing_ok=True)
    ratio = baseline / ours
    return {
        "title": f"Table writer and reader, {ROWS:,} rows",
        "figures": {
            "rows": ROWS,
            "file size (MiB)": round(src.stat().st_size / 2**20, 1),
            "input built in (s)": "cached" if cached else round(setup, 2),
            "write_codes, median of 3 (s)": round(ours, 3),
            "openpyxl load + set + save (s)": round(baseline, 2),
            "speed-up": round(ratio, 1),
            "read_table, median of 3 (s)": round(read, 3),
            "of which calamine parsing alone (s)": round(calamine, 3),
        },
        "checks": [
            ["every code written and read back", all_written],
            ["result writer >= 10x faster than openpyxl load + save", ratio >= 10],
            [f"read_table of {ROWS:,} rows < 1.5 s", read < 1.5],
        ],
    }
