"""The empty template: looks, protection, validation, formats, guide sheet, and the `kkod template` command."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
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


def test_only_the_header_is_locked_and_the_sheet_allows_what_a_longer_list_needs(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    assert ws.protection.sheet is True and not ws.protection.password
    assert all(cell.protection.locked for cell in ws[1])
    for row in (2, 11, 21):  # sorting a range with a locked cell is refused by Excel
        for letter in (*EDITABLE, "A", "E"):
            assert ws[f"{letter}{row}"].protection.locked is False, f"{letter}{row}"
    # False = the action is not protected
    assert (ws.protection.insertRows, ws.protection.deleteRows) == (False, False)
    assert (ws.protection.sort, ws.protection.autoFilter) == (False, False)
    assert ws.auto_filter.ref == "A1:I1048576"  # the buttons must exist before protection


def test_rows_below_the_numbered_ones_are_open_and_text_formatted(template: Path):
    """A 250-person body pastes its export into the default template: the whole column is
    unlocked and, where Excel would convert, text-formatted (column styles)."""
    ws = openpyxl.load_workbook(template).worksheets[0]
    for col in layout.COLUMNS:
        dimension = ws.column_dimensions[col.letter]
        assert dimension.protection.locked is False, col.letter
        assert (dimension.number_format == "@") == col.text_format, col.letter
    assert ws.column_dimensions["E"].fill.fgColor.rgb.endswith("E7E6E6")


def test_required_columns_are_marked(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    fills = {c.letter: ws[f"{c.letter}1"].fill.fgColor.rgb[-6:] for c in layout.COLUMNS}
    required = {c.letter for c in layout.COLUMNS if c.required}
    assert required == {"D", "F", "G", "H", "I"}
    assert {fills[letter] for letter in required} == {"1F4E79"}
    assert all(fills[letter] != "1F4E79" for letter in "ABCE")
    assert ws["D1"].comment.text.startswith("Kötelező.") and ws["B1"].comment.text.startswith(
        "Nem kötelező."
    )
    assert "minisztérium" in ws["E1"].comment.text
    hinted = {str(v.sqref) for v in ws.data_validations.dataValidation if v.showInputMessage}
    assert {f"{letter}2:{letter}1048576" for letter in (*required, "E")} <= hinted


def test_print_area_titles_and_page(template: Path):
    wb = openpyxl.load_workbook(template)
    ws, guide = wb.worksheets
    assert ws.print_area == "'Kapcsolati kód adattáblázat'!$A$1:$I$1048576"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert guide.print_area.endswith("$A$1:$F$14")


def test_birth_date_has_an_input_message_and_a_validation(template: Path):
    ws = openpyxl.load_workbook(template).worksheets[0]
    on_i = [v for v in ws.data_validations.dataValidation if "I2" in v.sqref]
    assert len(on_i) == 1
    validation = on_i[0]
    assert str(validation.sqref) == "I2:I1048576"
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
    table = {row[0]: row for row in guide.iter_rows(min_row=6, values_only=True) if row[0]}
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


def test_the_guide_rows_are_tall_enough_for_their_wrapped_text(template: Path):
    guide = openpyxl.load_workbook(template)[layout.GUIDE_SHEET_TITLE]
    widths = {letter: guide.column_dimensions[letter].width for letter in "ABCDEF"}
    for row in guide.iter_rows(min_row=6):
        height = guide.row_dimensions[row[0].row].height
        for cell in row:
            if cell.value:
                lines = -(-len(str(cell.value)) // int(widths[cell.column_letter]))
                assert height >= lines * 15, (cell.coordinate, height, lines)
    whole = sum(widths.values())
    for number in (2, 3):  # the merged notes
        text = guide.cell(number, 1).value
        assert guide.row_dimensions[number].height >= -(-len(text) // int(whole)) * 15
    assert "Hosszabb lista" in guide["A3"].value and "rendezni" in guide["A3"].value


def test_a_longer_list_pasted_below_the_numbered_rows_is_read_and_coded(tmp_path: Path):
    from kkod.table.writer import patch_cells, write_codes

    from .conftest import assert_only_changed

    table = build_template(tmp_path / "t.xlsx", rows=3)
    values = {}
    for row in range(2, 8):  # six people in a three-row template
        for letter, text in zip(
            "DFGHI",
            ("Kiss Anna", "Nagy Anna", "Szabó Mária", "Pécs", f"1985.03.{row:02d}"),
            strict=True,
        ):
            values[(row, letter)] = text
    patch_cells(table, table, values)
    read = read_table(table)
    assert [r.row for r in read.rows] == [2, 3, 4, 5, 6, 7]
    assert read.rows[-1].text("I") == "1985.03.07" and read.rows[-1].text("A") == ""
    out = tmp_path / "kesz.xlsx"
    write_codes(table, out, {7: "7K3M-9XQ2-HT5W-R8P1-Z"})
    assert_only_changed(table, out, {(7, "E"): "7K3M-9XQ2-HT5W-R8P1-Z"})
    cell = openpyxl.load_workbook(out).worksheets[0]["E7"]
    assert cell.number_format == "@"  # styled like its column


@pytest.mark.filterwarnings("ignore:Print area cannot be set:UserWarning")  # openpyxl, $A:$I
def test_the_template_survives_a_libreoffice_round_trip(tmp_path: Path):
    """scripts/make_lo_fixtures.sh: a 3-row template holding five people, saved by Calc."""
    from kkod.table.writer import write_codes

    from .conftest import FIXTURES, assert_only_changed

    saved = FIXTURES / "lo_template.xlsx"
    read = read_table(saved)
    assert [r.row for r in read.rows] == [2, 3, 4, 5, 6]
    assert read.rows[4].person.anyja_szuletesi_neve == "Molnár Erzsébet"
    assert read.rows[4].text("I") == "2001.02.28"
    with pytest.warns(UserWarning, match="Print area"):  # openpyxl cannot read Calc's $A:$I
        ws = openpyxl.load_workbook(saved).worksheets[0]
    with zipfile.ZipFile(saved) as archive:
        assert "!$A:$I</definedName>" in archive.read("xl/workbook.xml").decode()
    assert ws.protection.sheet and not (ws.protection.sort or ws.protection.insertRows)
    assert not ws.protection.autoFilter and ws.auto_filter.ref == "A:I"
    assert ws.print_title_rows == "$1:$1"
    assert all(ws[f"{letter}1"].protection.locked for letter in "ABCDEFGHI")
    # Calc keeps the open columns (it may group equal neighbours: F–G)
    groups = {(d.min, d.max): d for d in ws.column_dimensions.values() if d.min}
    for (low, high), dimension in groups.items():
        if high <= 9:
            assert dimension.protection.locked is False, (low, high)
    assert ws["I6"].number_format == "@" and ws["D1"].comment.text.startswith("Kötelező.")
    copy = tmp_path / "lo_template.xlsx"
    copy.write_bytes(saved.read_bytes())
    out = tmp_path / "kesz.xlsx"
    write_codes(copy, out, {6: "7K3M-9XQ2-HT5W-R8P1-Z"})
    assert_only_changed(copy, out, {(6, "E"): "7K3M-9XQ2-HT5W-R8P1-Z"})


def test_cli_template_offers_no_more_rows_than_kkod_reads(tmp_path: Path, monkeypatch):
    """A 1,048,575-row template took minutes and gigabytes to build, and more rows than the
    reader takes: the cap is the KKOD_TABLE_MAX_ROWS limit, said with the way round it."""
    from kkod.config import get_settings

    monkeypatch.setenv("KKOD_TABLE_MAX_ROWS", "50")
    get_settings.cache_clear()
    try:
        out = tmp_path / "sablon.xlsx"
        refused = CliRunner().invoke(app, ["template", str(out), "--rows", "51"])
        assert refused.exit_code == 2 and not out.exists()
        assert "Legfeljebb 50 előre számozott sor" in refused.output
        assert "KKOD_TABLE_MAX_ROWS" in refused.output
        assert CliRunner().invoke(app, ["template", str(out), "--rows", "50"]).exit_code == 0
    finally:
        get_settings.cache_clear()
