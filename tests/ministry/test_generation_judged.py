"""A row without a code is judged as ``kkod validate`` judges it; column E is the ministry's."""

from __future__ import annotations

import csv

from python_calamine import CalamineWorkbook

from kkod.central.interface import MatchResult
from kkod.ministry.generation import generate
from kkod.table.template import build_template
from kkod.table.writer import patch_cells

from .test_generation import KRID, central  # noqa: F401 (central is a fixture)

# (Belső azonosító, D, E, F, G, H, I): E as the employer left it.
ROWS = [
    ("T-1", "Kovács\nPéter", "", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12"),
    ("T-2", "Nagy Jánosné", "7K3M-9XQ2-HT5W-R8P1-Z", "Tóth Éva", "Horváth Ilona", "Debrecen", "1962.07.01"),
    ("T-3", "Kiss Gábor", "tavalyi kód", "Kiss Gábor", "Varga Anna", "Szeged", "1990.01.30"),
    ("T-4", "Molnár Katalin 😀", "", "Molnár Katalin", "Lakatos Judit", "Győr", "1999.02.28"),
    ("T-5", "Kiss Gábor", "", "Kiss Gábor", "Varga Anna", "Szeged", "1990.01.30"),
    ("T-6", "Kiss Gábor", "", "Kiss Gábor", "Varga Anna", "Szeged", "2031.01.30"),
]  # fmt: skip


def _table(tmp_path):
    path = tmp_path / "munkatarsak.xlsx"
    build_template(path, 10)
    values = {
        (row, letter): text
        for row, cells in enumerate(ROWS, start=2)
        for letter, text in zip("BDEFGHI", cells, strict=True)
        if text
    }
    patch_cells(path, path, values)
    return path


def test_rows_without_a_code_are_judged_and_column_e_is_the_ministrys(central, tmp_path):  # noqa: F811
    table = _table(tmp_path)
    report = tmp_path / "jelentes.csv"
    result = generate(table, KRID, central, tmp_path / "ki.xlsx", report)

    by_row = {r.row: r for r in result.rows}
    # Alt+Enter in a name reads as a space: the person is found and coded.
    assert by_row[2].result is MatchResult.KOD
    # A code the employer typed is replaced by the one the ministry issues ...
    assert by_row[3].result is MatchResult.KOD and by_row[3].code != ROWS[1][2]
    # ... and where none is issued, E comes back empty, the report saying what was removed.
    assert by_row[4].result is MatchResult.NINCS_TALALAT
    assert "„tavalyi kód” állt" in by_row[4].note and "törölte" in by_row[4].note
    # validate calls these errors: never "nincs találat" for them.
    assert by_row[5].result is MatchResult.HIBAS_SOR and by_row[5].note.startswith("E08:")
    assert by_row[6].result is MatchResult.HIBAS_SOR and "E11:" in by_row[6].note
    assert "a 4. sorban" in by_row[6].note
    assert by_row[7].result is MatchResult.HIBAS_SOR and by_row[7].note.startswith("E03:")

    grid = CalamineWorkbook.from_path(tmp_path / "ki.xlsx").get_sheet_by_index(0).to_python()
    assert grid[2][4] == by_row[3].code and grid[3][4] == ""
    lines = {
        int(r["Excel-sor"]): r
        for r in csv.DictReader(report.open(encoding="utf-8-sig"), delimiter=";")
    }
    assert (
        lines[5]["Eredmény"] == "hibás sor"
        and "nem megengedett karaktert" in lines[5]["Megjegyzés"]
    )
