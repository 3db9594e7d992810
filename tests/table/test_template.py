"""The empty template: looks, protection, validation, formats, guide sheet, and the `kkod template` command."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.table import layout
from kkod.table.reader import read_table
from kkod.table.template import build_template

EDITABLE = ("B", "C", "D", "F", "G", "H", "I")


def test_header_is_the_layout_styled_and_frozen(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    assert ws.title == layout.SHEET_TITLE
    assert [c.value for c in ws[1]] == [c.header for c in layout.COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    for column in layout.COLUMNS:
        assert ws.column_dimensions[column.letter].width == column.width


def test_rows_are_numbered_and_text_formatted(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    assert [ws[f"A{r}"].value for r in range(2, 22)] == list(range(1, 21))
    assert ws["A22"].value is None
    for letter in (*EDITABLE, "E"):
        assert ws[f"{letter}2"].number_format == "@"
        assert ws[f"{letter}21"].number_format == "@"


def test_protection_locks_number_code_and_header_only(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    assert ws.protection.sheet is True
    for row in (2, 11, 21):
        for letter in EDITABLE:
            assert ws[f"{letter}{row}"].protection.locked is False, f"{letter}{row}"
        assert ws[f"A{row}"].protection.locked is True
        assert ws[f"E{row}"].protection.locked is True
    assert all(cell.protection.locked for cell in ws[1])


def test_birth_date_has_an_input_message_and_a_validation(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    on_i = [v for v in ws.data_validations.dataValidation if "I2" in v.sqref]
    assert len(on_i) == 1
    validation = on_i[0]
    assert str(validation.sqref) == "I2:I21"
    assert validation.showInputMessage and validation.showErrorMessage
    assert "éééé.hh.nn" in validation.prompt
    assert "éééé.hh.nn" in validation.error
    assert (validation.type, validation.operator, validation.formula1) == (
        "textLength",
        "equal",
        "10",
    )


def test_guide_sheet_explains_every_column_with_examples(template: Path):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [layout.SHEET_TITLE, layout.GUIDE_SHEET_TITLE]
    guide = wb[layout.GUIDE_SHEET_TITLE]
    table = {row[0]: row for row in guide.iter_rows(min_row=5, values_only=True) if row[0]}
    assert set(table) == {c.letter for c in layout.COLUMNS}
    for column in layout.COLUMNS:
        _, header, _who, explanation, right, wrong = table[column.letter]
        assert header == column.header and explanation and right and wrong
    assert "Budapest 01" in table["H"][4]
    assert "1985.03.12" in table["I"][4] and "1985-03-12" in table["I"][5]
    assert "kötelező" in table["D"][2] and "kötelező" not in table["B"][2]


def test_empty_template_reads_as_no_rows(template: Path):
    table = read_table(template)
    assert table.rows == []
    assert table.sheet_name == layout.SHEET_TITLE


def test_build_template_leaves_no_temporary_file(tmp_path: Path):
    out = build_template(tmp_path / "t.xlsx", rows=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]
    assert openpyxl.load_workbook(out).worksheets[0].max_row == 4


def test_cli_template_writes_the_asked_number_of_rows(tmp_path: Path):
    out = tmp_path / "sablon.xlsx"
    result = CliRunner().invoke(app, ["template", str(out), "--rows", "7"])
    assert result.exit_code == 0, result.output
    assert "Elkészült" in result.output
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["A8"].value == 7 and ws["A9"].value is None


def test_cli_template_default_is_100_rows_and_rejects_zero(tmp_path: Path):
    out = tmp_path / "sablon.xlsx"
    assert CliRunner().invoke(app, ["template", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out).worksheets[0]["A101"].value == 100
    assert (
        CliRunner().invoke(app, ["template", str(tmp_path / "x.xlsx"), "--rows", "0"]).exit_code
        == 2
    )
    assert not (tmp_path / "x.xlsx").exists()
