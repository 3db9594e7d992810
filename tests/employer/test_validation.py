"""The validate service on real files: template → filled → validated → fixed → reported."""

from __future__ import annotations

import csv
import logging
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from kkod.employer.validation import (
    summary_lines,
    validate_table,
    write_findings_report,
    write_fixed_table,
)
from kkod.errors import TableError
from kkod.table.reader import read_table
from kkod.table.template import build_template

from ..tables import filled_table

TODAY = date(2025, 6, 1)
ROWS = [
    # B, D, F, G, H, I
    ("HR-1", "Kovács János", "Kovács János", "Nagy Mária", "Debrecen", "1985.03.12"),
    (
        "HR-2",
        " Tóth  Pálné ",
        "Szabó Éva",
        "Tóthné Kiss Ilona",
        "Budapest XI. ker.",
        "1972. márc. 5.",
    ),
    ("HR-3", "dr. Kovacs Béla", "Kovacs Béla", "Kõvári Erzsébet", "Debrecn", "1990-01-30"),
    ("HR-4", "Kovács János", "Kovács János", "Nagy Mária", "Debrecen", "1985.03.12"),
    ("HR-5", "Horváth Zoltán", "Horváth Zoltán", "Balogh Katalin", "Kolozsvár", "1968.07.04"),
]


@pytest.fixture
def table(tmp_path) -> Path:
    return filled_table(tmp_path / "tabla.xlsx", ROWS)


def rules_at(result) -> set[tuple[str, str]]:
    return {(f.rule, f"{f.column}{f.row}") for f in result.findings}


def test_findings_of_a_table_with_typical_mistakes(table):
    result = validate_table(table, today=TODAY)
    assert result.rows == 5
    assert {
        ("W02", "D3"), ("E07", "G3"), ("W03", "H3"), ("W01", "I3"),
        ("W08", "D4"), ("W07", "F4"), ("W04", "G4"), ("W06", "H4"), ("W01", "I4"),
        ("E11", "D5"), ("I01", "H6"),
    } <= rules_at(result)  # fmt: skip
    assert result.errors == 2 and result.has_errors
    assert not [f for f in result.findings if f.row == 2]  # the clean row


def test_json_shape(table):
    data = validate_table(table, today=TODAY).as_json()
    assert set(data) == {"rows", "empty", "findings"} and data["rows"] == 5
    for finding in data["findings"]:
        assert set(finding) == {
            "row",
            "column",
            "rule",
            "severity",
            "value",
            "message",
            "suggestion",
        }


def test_fixed_copy_changes_only_the_fixed_cells(table, tmp_path):
    result = validate_table(table, today=TODAY)
    out = tmp_path / "javitott.xlsx"
    changed = write_fixed_table(result, out)
    before = {r.row: r.cells for r in read_table(table).rows}
    after = {r.row: r.cells for r in read_table(out).rows}
    differences = {
        (row, letter): after[row].get(letter)
        for row in before
        for letter in set(before[row]) | set(after[row])
        if before[row].get(letter) != after[row].get(letter)
    }
    assert differences == {
        (3, "D"): "Tóth Pálné",
        (3, "H"): "Budapest 11",
        (3, "I"): "1972.03.05",
        (4, "D"): "Kovacs Béla",
        (4, "G"): "Kővári Erzsébet",
        (4, "I"): "1990.01.30",
    }
    assert changed == len(differences)
    # the place typo and the accents are only suggested, never applied
    assert after[4]["H"] == "Debrecn" and after[4]["F"] == "Kovacs Béla"
    # every zip member but the sheet is byte-identical
    with zipfile.ZipFile(table) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        differing = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert differing == ["xl/worksheets/sheet1.xml"]


def test_fixing_a_fixed_copy_changes_nothing(table, tmp_path):
    out = tmp_path / "javitott.xlsx"
    write_fixed_table(validate_table(table, today=TODAY), out)
    again = validate_table(out, today=TODAY)
    assert again.validation.fixes == {}
    assert {f.rule for f in again.findings} >= {"E07", "E11", "W06", "W07"}  # the rest remains


def test_fix_log_names_rules_and_cells_never_values(table, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="kkod.employer.validation"):
        write_fixed_table(validate_table(table, today=TODAY), tmp_path / "javitott.xlsx")
    text = caplog.text
    assert "D3 (W02)" in text and "G4 (W04)" in text and "D4 (W08)" in text
    for row in ROWS:
        for value in row[1:]:
            assert value.strip() not in text


def test_openpyxl_filled_template_with_date_cells_numbers_and_formulas(tmp_path):
    path = tmp_path / "openpyxl.xlsx"
    build_template(path, rows=5)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for row, values in ((2, ("Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11")),
                        (3, ("Varga Éva", "Varga Éva", "Fekete Ilona", "Pécs")),
                        (4, ("Kovács Béla", "Kovács Béla", "Molnár Erzsébet", "Győr"))):  # fmt: skip
        for letter, value in zip("DFGH", values, strict=True):
            ws[f"{letter}{row}"] = value
    ws["I2"] = datetime(1985, 3, 12)  # an Excel date cell
    ws["I3"] = 19720305  # typed as a number
    ws["I4"] = '=TEXT(DATE(1990,1,30),"yyyy.mm.dd")'  # a formula
    wb.save(path)
    result = validate_table(path, today=TODAY)
    found = {(f.rule, f"{f.column}{f.row}"): f for f in result.findings}
    assert found[("W01", "I2")].suggestion == "1985.03.12"
    assert found[("W01", "I3")].suggestion == "1972.03.05"
    assert ("E09", "I4") in found


def test_not_the_template_is_a_table_error_with_exit_code_2(tmp_path):
    other = tmp_path / "mas.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Név", "Születési idő"])
    wb.save(other)
    with pytest.raises(TableError) as raised:
        validate_table(other)
    assert raised.value.exit_code == 2
    garbage = tmp_path / "szemet.xlsx"
    garbage.write_bytes(b"not a zip")
    with pytest.raises(TableError):
        validate_table(garbage)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".html"])
def test_report_in_every_format(table, tmp_path, suffix):
    result = validate_table(table, today=TODAY)
    write_fixed_table(result, tmp_path / "javitott.xlsx")
    report = write_findings_report(tmp_path / f"jelentes{suffix}", result)
    if suffix == ".csv":
        rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
        assert rows[0][:3] == ["Sor", "Oszlop", "Szabály"]
        by_cell = {(r[1] + r[0], r[2]): r for r in rows[1:]}
        assert by_cell[("H3", "W03")][7:] == ["Budapest 11", "igen"]
        assert by_cell[("H4", "W06")][7:] == ["Debrecen", ""]  # suggested, not applied
        assert len(rows) - 1 == len(result.findings)
    elif suffix == ".html":
        html = report.read_text(encoding="utf-8")
        assert "E07" in html and "Tóthné Kiss Ilona" in html and "hibák: 2" in html
    else:
        ws = openpyxl.load_workbook(report).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        assert values[0][0] == "Sor" and len(values) - 1 == len(result.findings)


def test_an_empty_table_has_no_findings_but_cannot_be_sent(tmp_path):
    path = tmp_path / "ures.xlsx"
    build_template(path, rows=20)
    result = validate_table(path)
    assert (result.rows, result.findings, result.empty, result.has_errors) == (0, [], True, True)
    assert "beküldhető" not in " ".join(summary_lines(result))


def test_a_filled_code_column_is_reported_and_fix_empties_it(tmp_path):
    path = filled_table(
        tmp_path / "t.xlsx",
        [
            ("HR-1", "Kiss Anna", "7K3M-9XQ2-HT5W-R8P1-Z", "Nagy Anna", "Szabó Mária", "Pécs", "1985.03.12"),
            ("HR-2", "Kovács\nJános", "", "Kovács János", "Tóth Éva", "Győr", "1979.11.02"),
        ],
        columns="BDEFGHI",
    )  # fmt: skip
    result = validate_table(path, today=date(2026, 12, 6))
    rules = {(f.row, f.column): f.rule for f in result.findings}
    assert rules == {(2, "E"): "W14", (3, "D"): "W13"} and not result.has_errors
    write_fixed_table(result, tmp_path / "javitott.xlsx")
    fixed = read_table(tmp_path / "javitott.xlsx").rows
    assert "E" not in fixed[0].cells and fixed[1].cells["D"] == "Kovács János"
