"""``kkod validate`` end to end through the CLI: exit codes, --json, --fix, --report, --declarations."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.table.reader import read_table

from ..tables import filled_table

runner = CliRunner()
CLEAN = [
    ("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12"),
    ("HR-2", "Varga Éva", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02"),
]
WARNINGS_ONLY = [
    ("HR-1", " Kiss Anna", "Nagy Anna", "Szabó Mária", "Bp. XI. ker.", "1985-03-12"),
    ("HR-2", "Varga Éva", "Varga Éva", "Fekete Ilona", "Debrecn", "1972.11.02"),
]
WITH_ERRORS = [
    ("HR-1", "Kiss Anna", "Nagy Anna", "Tóth Pálné", "Budapest", "1985.02.30"),
    ("HR-2", "Varga Éva", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02"),
]


def run(*args):
    return runner.invoke(app, ["validate", *map(str, args)])


def test_exit_0_for_a_clean_table_with_a_summary(tmp_path):
    result = run(filled_table(tmp_path / "t.xlsx", CLEAN))
    assert result.exit_code == 0, result.output
    assert "Sorok: 2; hibák: 0" in result.stdout and "beküldhető" in result.stdout


def test_exit_0_when_there_are_only_warnings(tmp_path):
    result = run(filled_table(tmp_path / "t.xlsx", WARNINGS_ONLY))
    assert result.exit_code == 0
    assert "W03" in result.stdout and "W06" in result.stdout and "Debrecen" in result.stdout


def test_exit_1_when_there_are_errors(tmp_path):
    result = run(filled_table(tmp_path / "t.xlsx", WITH_ERRORS))
    assert result.exit_code == 1
    for rule in ("E02", "E05", "E07"):
        assert rule in result.stdout


def test_exit_2_when_the_file_is_unreadable_or_not_the_template(tmp_path):
    missing = run(tmp_path / "nincs.xlsx")
    assert missing.exit_code == 2 and "nincs.xlsx" in missing.stderr
    other = tmp_path / "mas.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Sorszám", "Azonosító"])
    wb.save(other)
    changed = run(other)
    assert changed.exit_code == 2 and "B oszlop" in changed.stderr


def test_json_output_is_exactly_rows_and_findings(tmp_path):
    result = run(filled_table(tmp_path / "t.xlsx", WITH_ERRORS), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"rows", "empty", "findings"} and data["rows"] == 2
    assert data["empty"] is False
    keys = {"row", "column", "rule", "severity", "value", "message", "suggestion"}
    assert all(set(f) == keys for f in data["findings"])
    place = next(f for f in data["findings"] if f["rule"] == "E05")
    assert (place["row"], place["column"], place["severity"], place["value"]) == (
        2,
        "H",
        "hiba",
        "Budapest",
    )


def test_fix_writes_a_copy_where_only_fixed_cells_change(tmp_path):
    table = filled_table(tmp_path / "t.xlsx", WARNINGS_ONLY)
    out = tmp_path / "javitott.xlsx"
    result = run(table, "--fix", out)
    assert result.exit_code == 0 and "Javítva: 3 cella" in result.stdout
    before = {r.row: r.cells for r in read_table(table).rows}
    after = {r.row: r.cells for r in read_table(out).rows}
    changed = {
        (row, letter): (before[row].get(letter), after[row].get(letter))
        for row in before
        for letter in "ABCDEFGHI"
        if before[row].get(letter) != after[row].get(letter)
    }
    assert changed == {
        (2, "D"): (" Kiss Anna", "Kiss Anna"),
        (2, "H"): ("Bp. XI. ker.", "Budapest 11"),
        (2, "I"): ("1985-03-12", "1985.03.12"),
    }
    again = run(out, "--json")
    assert {f["rule"] for f in json.loads(again.stdout)["findings"]} == {"W06"}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".html"])
def test_report_in_each_format(tmp_path, suffix):
    report = tmp_path / f"jelentes{suffix}"
    result = run(filled_table(tmp_path / "t.xlsx", WITH_ERRORS), "--report", report)
    assert result.exit_code == 1 and report.exists()
    if suffix == ".csv":
        rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
        assert {r[2] for r in rows[1:]} == {"E02", "E05", "E07"}
    elif suffix == ".html":
        assert "E05" in report.read_text(encoding="utf-8")
    else:
        rows = list(openpyxl.load_workbook(report).worksheets[0].iter_rows(values_only=True))
        assert {r[2] for r in rows[1:]} == {"E02", "E05", "E07"}


def test_unknown_report_format_is_refused_before_anything_is_written(tmp_path):
    table = filled_table(tmp_path / "t.xlsx", WARNINGS_ONLY)
    fixed = tmp_path / "javitott.xlsx"
    result = run(table, "--fix", fixed, "--report", tmp_path / "jelentes.pdf")
    assert result.exit_code == 2 and "jelentes.pdf" in result.stderr
    assert not (tmp_path / "jelentes.pdf").exists() and not fixed.exists()


def test_declarations_cross_check(tmp_path):
    declared = tmp_path / "nyilatkozatok.csv"
    declared.write_text(
        "Belső azonosító;Viselt név;Születési név;Anyja születési neve;Születési hely;Születési idő\n"
        "HR-1;Kiss Anna;Nagy Anna;Szabó Mária;Budapest 12;1985.03.12\n"
        "HR-2;Varga Éva;Varga Éva;Fekete Ilona;Debrecen;1972.11.02\n",
        encoding="utf-8",
    )
    result = run(filled_table(tmp_path / "t.xlsx", CLEAN), "--declarations", declared, "--json")
    assert result.exit_code == 1
    (x01,) = json.loads(result.stdout)["findings"]
    assert (x01["rule"], x01["row"], x01["column"]) == ("X01", 2, "H")
    assert (x01["value"], x01["suggestion"]) == ("Budapest 11", "Budapest 12")


def test_the_installed_command_runs_as_a_subprocess(tmp_path):
    kkod = Path(sys.executable).with_name("kkod")
    proc = subprocess.run(
        [str(kkod), "validate", str(filled_table(tmp_path / "t.xlsx", WITH_ERRORS)), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["rows"] == 2


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def wide(monkeypatch):
    """A terminal wide enough that no table cell wraps (so a sentence can be looked for)."""
    from kkod.cli import common

    monkeypatch.setattr(common.console, "width", 250)


def test_errors_come_first_and_every_rule_says_what_to_do(tmp_path, wide):
    from kkod.fourt.rules import RULES

    rows = [
        ("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Bp. XI. ker.", "1985.03.12"),
        ("HR-2", "Varga Éva", "Varga Éva", "Tóth Pálné", "Debrecen", "1972.11.02"),
    ]
    result = run(filled_table(tmp_path / "t.xlsx", rows))
    assert result.exit_code == 1
    # The W03 of row 2 is found before the E07 of row 3, but the error is listed first.
    assert result.stdout.index("E07") < result.stdout.index("W03")
    said = _words(result.stdout)
    assert "Teendő" in said
    for rule in ("E07", "W03"):
        assert f"Teendő: {RULES[rule].fix}" in said


def test_an_empty_table_is_an_error_not_ready_to_send(tmp_path):
    """Issue 12 item 4: an empty template is not "beküldhető" — nothing to ask codes for."""
    empty = filled_table(tmp_path / "ures.xlsx", [])
    result = run(empty)
    assert result.exit_code == 1
    assert "beküldhető" not in result.stdout.replace("nem küldhető", "")
    assert "nincs egyetlen kitöltött adatsor" in result.stdout
    data = json.loads(run(empty, "--json").stdout)
    assert data == {"rows": 0, "empty": True, "findings": []}


def test_the_spaces_that_matter_are_shown(tmp_path):
    rows = [("HR-1", " Kiss  Anna", "Nagy\u00a0Anna", "Szabó\tMária", "Eger", "1985.03.12")]
    result = run(filled_table(tmp_path / "t.xlsx", rows))
    assert "·Kiss··Anna" in result.stdout
    assert "Nagy[NBSP]Anna" in result.stdout and "Szabó[TAB]Mária" in result.stdout


def test_after_a_run_with_errors_the_next_command_line(tmp_path):
    table = filled_table(tmp_path / "t.xlsx", [*WITH_ERRORS, WARNINGS_ONLY[0]])
    result = run(table)
    assert result.exit_code == 1
    said = _words(result.stderr)
    assert "javítsa a hibás cellákat" in said
    # Whole, on a line of its own, to copy: the safe fixes into a corrected copy.
    assert f"  kkod validate {table} --fix {tmp_path / 't-javitott.xlsx'}\n" in result.stderr
    only_errors = run(filled_table(tmp_path / "e.xlsx", [WITH_ERRORS[0]]))
    assert f"  kkod validate {tmp_path / 'e.xlsx'}\n" in only_errors.stderr


def test_after_fix_the_counts_and_the_exit_code_are_the_fixed_copys(tmp_path, wide):
    declared = tmp_path / "nyilatkozatok.csv"
    declared.write_text(
        "Belső azonosító;Viselt név;Születési név;Anyja születési neve;Születési hely;Születési idő\n"
        "HR-1;Kiss Anna;Nagy Anna;Szabó Mária;Budapest 11;1985.03.12\n",
        encoding="utf-8",
    )
    rows = [("HR-1", " Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 12", "1985.03.12")]
    table = filled_table(tmp_path / "t.xlsx", rows)
    before = run(table, "--declarations", declared)
    assert before.exit_code == 1 and "hibák: 1; figyelmeztetések: 1" in before.stdout
    fixed = tmp_path / "javitott.xlsx"
    after = run(table, "--declarations", declared, "--fix", fixed)
    assert after.exit_code == 0, after.output
    said = _words(after.stdout)
    assert "Javítva: 2 cella (W02: 1, X01: 1)." in said
    assert said.endswith(
        "A javított példány ellenőrzése: Fájl: javitott.xlsx "
        "Sorok: 1; hibák: 0; figyelmeztetések: 0; tájékoztatások: 0. "
        "Összevetve a nyilatkozatokkal: nyilatkozatok.csv A táblázat beküldhető."
    )


def test_a_day_first_date_is_a_warning_with_the_date_it_means(tmp_path):
    rows = [("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Eger", "12.03.1985")]
    result = run(filled_table(tmp_path / "t.xlsx", rows), "--json")
    assert result.exit_code == 0
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["suggestion"]) == ("W01", "1985.03.12")
