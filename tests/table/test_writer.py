"""The result writer changes the patched cells and nothing else, atomically."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from kkod.errors import TableError
from kkod.table.reader import read_table
from kkod.table.writer import patch_cells, write_codes

from ..tables import with_sheet_xml
from .conftest import assert_only_changed, fill

CODE = "7K3M-9XQ2-HT5W-R8P1-Z"


@pytest.fixture
def filled(template: Path) -> Path:
    fill(
        template,
        {
            2: {"B": "T-001", "D": "Kovács János", "F": "Kovács János", "G": "Szabó Mária", "H": "Budapest 11", "I": "1985.03.12"},
            3: {"B": 4512, "D": "Kiss Anna", "F": "Kiss Anna", "G": "Nagy Ilona", "H": "Debrecen", "I": date(1979, 11, 2)},
            4: {"D": "=1+1", "F": "Varga Béla"},
        },
    )  # fmt: skip
    return template


def test_codes_land_in_column_e_and_nothing_else_changes(filled: Path, tmp_path: Path):
    out = tmp_path / "kesz.xlsx"
    write_codes(filled, out, {2: CODE, 3: "0000-0000-0000-0000-0"})
    assert_only_changed(filled, out, {(2, "E"): CODE, (3, "E"): "0000-0000-0000-0000-0"})
    table = read_table(out)
    assert [r.kapcsolati_kod for r in table.rows] == [CODE, "0000-0000-0000-0000-0", ""]
    assert table.rows[1].cells["I"] == date(1979, 11, 2) and table.rows[2].formulas == {"D"}


def test_patched_cell_keeps_its_style(filled: Path, tmp_path: Path):
    out = tmp_path / "kesz.xlsx"
    write_codes(filled, out, {2: CODE})
    before, after = openpyxl.load_workbook(filled).active, openpyxl.load_workbook(out).active
    assert repr(after["E2"].fill) == repr(before["E2"].fill)
    assert repr(after["E2"].protection) == repr(before["E2"].protection)
    assert after["E2"].number_format == "@" and after["E2"].data_type == "s"


def test_dst_may_be_src(filled: Path):
    copy = filled.with_name("masolat.xlsx")
    shutil.copy(filled, copy)
    write_codes(filled, filled, {3: CODE})
    assert_only_changed(copy, filled, {(3, "E"): CODE})
    assert sorted(p.name for p in filled.parent.iterdir()) == ["masolat.xlsx", "sablon.xlsx"]


@pytest.mark.parametrize(
    "text",
    ["A & B <c> \"d\" 'e'", "  szóköz elöl és hátul  ", "két\nsor", "vezérlő\x01karakter\x1f",
     "_x0041_ marad szó szerint", "őŐűŰ ÿ 漢字 🙂", "tab\there", "kocsi\rvissza", ""],
)  # fmt: skip
def test_any_text_round_trips_through_excel_readers(filled: Path, tmp_path: Path, text: str):
    out = tmp_path / "kesz.xlsx"
    patch_cells(filled, out, {(2, "C"): text, (3, "E"): text})
    ws = openpyxl.load_workbook(out).active
    if not any(c in text for c in "\x01\r_"):  # openpyxl does not decode _xHHHH_ in inline strings
        assert ws["C2"].value == (text or None) and ws["E3"].value == (text or None)
    values = CalamineWorkbook.from_path(out).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert values[1][2] == text and values[2][4] == text


def test_missing_rows_and_cells_are_inserted_in_order(filled: Path, tmp_path: Path):
    out = tmp_path / "kesz.xlsx"
    changes = {
        (2, "K"): "új oszlop",
        (30, "E"): CODE,
        (25, "B"): "T-025",
        (1000, "A"): "távoli",
        (3, "E"): CODE,
    }
    patch_cells(filled, out, changes)
    assert_only_changed(filled, out, changes)
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 1000 and ws.max_column == 11
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:K1000"/>' in sheet
    rows = [int(x) for x in __import__("re").findall(rb'<row r="(\d+)"', sheet)]
    assert rows == sorted(rows) and len(rows) == len(set(rows))


def test_clearing_a_cell_keeps_its_style(filled: Path, tmp_path: Path):
    out = tmp_path / "kesz.xlsx"
    patch_cells(filled, out, {(2, "D"): ""})
    ws = openpyxl.load_workbook(out).active
    assert (
        ws["D2"].value is None
        and ws["D2"].protection.locked is False
        and ws["D2"].number_format == "@"
    )


def test_a_formula_cell_is_replaced_by_text(filled: Path, tmp_path: Path):
    out = tmp_path / "kesz.xlsx"
    patch_cells(filled, out, {(4, "D"): "Varga Béla"})
    row = next(r for r in read_table(out).rows if r.row == 4)
    assert row.formulas == frozenset() and row.text("D") == "Varga Béla"


def test_shared_formula_master_is_refused(tmp_path: Path):
    src = _workbook_with_sheet(
        tmp_path,
        '<sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1+1</f><v>1</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>1</v></c></row></sheetData>',
    )
    dst = tmp_path / "kesz.xlsx"
    with pytest.raises(TableError, match="A1 cellában"):
        patch_cells(src, dst, {(1, "A"): "x"})
    assert not dst.exists()
    patch_cells(src, dst, {(2, "A"): "x"})  # a dependent cell alone may be overwritten
    assert openpyxl.load_workbook(dst).active["A2"].value == "x"


def test_prefixed_elements_and_implicit_positions(tmp_path: Path):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    src = _workbook_with_sheet(
        tmp_path,
        '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a1</x:t></x:is></x:c><x:c/>'
        '<x:c s="0"><x:v>3</x:v></x:c></x:row><x:row r="3" spans="1:3"><x:c r="C3"><x:v>5</x:v></x:c>'
        "</x:row></x:sheetData>",
        root=f'<x:worksheet xmlns:x="{ns}"><x:dimension ref="A1:C3"/>',
        close="</x:worksheet>",
    )
    dst = tmp_path / "kesz.xlsx"
    patch_cells(src, dst, {(1, "B"): "b1", (3, "A"): "a3", (2, "B"): "b2", (3, "D"): "d3"})
    ws = openpyxl.load_workbook(dst).active
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=3, max_col=4)] == [
        ["a1", "b1", 3, None],
        [None, "b2", None, None],
        ["a3", None, 5, "d3"],
    ]
    assert b'spans="1:4"' in zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml")


def test_error_midway_leaves_dst_untouched_and_no_temp_file(filled: Path, tmp_path: Path):
    broken = tmp_path / "serult.xlsx"
    _corrupt_last_member(filled, broken)
    dst = tmp_path / "kesz.xlsx"
    dst.write_bytes(b"previous result")
    with pytest.raises(TableError, match="sérült"):
        write_codes(broken, dst, {2: CODE})
    assert dst.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kesz.xlsx", "sablon.xlsx", "serult.xlsx"]


@pytest.mark.parametrize(
    ("values", "error"),
    [({(0, "E"): "x"}, ValueError), ({(2, "e"): "x"}, ValueError), ({(2, "E"): 5}, TypeError),
     ({(2, "AAAA"): "x"}, ValueError)],
)  # fmt: skip
def test_bad_coordinates_are_refused_before_writing(filled: Path, tmp_path: Path, values, error):
    with pytest.raises(error):
        patch_cells(filled, tmp_path / "kesz.xlsx", values)
    assert not (tmp_path / "kesz.xlsx").exists()


def test_non_xlsx_source_is_a_table_error(tmp_path: Path):
    src = tmp_path / "tabla.csv"
    src.write_text("a;b\n")
    with pytest.raises(TableError):
        write_codes(src, tmp_path / "kesz.xlsx", {2: CODE})
    assert not (tmp_path / "kesz.xlsx").exists()


# --- helpers ----------------------------------------------------------------------------------


def _workbook_with_sheet(
    tmp_path: Path, sheet_data: str, root: str | None = None, close: str | None = None
) -> Path:
    """A minimal valid workbook whose first sheet XML is hand-written."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    root = root or f'<worksheet xmlns="{ns}"><dimension ref="A1"/>'
    close = close or "</worksheet>"
    wb = openpyxl.Workbook()
    base = tmp_path / "alap.xlsx"
    wb.save(base)
    path = with_sheet_xml(
        base,
        tmp_path / "kezi.xlsx",
        lambda _: '<?xml version="1.0" encoding="UTF-8"?>' + root + sheet_data + close,
    )
    base.unlink()
    return path


def _corrupt_last_member(src: Path, dst: Path) -> None:
    """Copy ``src`` flipping bytes in the compressed data of its last member (a CRC error on read)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        last = archive.infolist()[-1]
        first_sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert last.header_offset > first_sheet.header_offset
    start = last.header_offset + 30 + len(last.filename.encode()) + len(last.extra)
    for offset in range(start, start + max(1, last.compress_size // 2)):
        data[offset] ^= 0x5A
    dst.write_bytes(bytes(data))


def test_empty_sheet_data_and_self_closing_rows(tmp_path: Path):
    src = _workbook_with_sheet(tmp_path, "<sheetData/>")
    dst = tmp_path / "kesz.xlsx"
    patch_cells(src, dst, {(2, "B"): "b2", (1, "A"): "a1"})
    assert [[c.value for c in r] for r in openpyxl.load_workbook(dst).active.iter_rows()] == [
        ["a1", None],
        [None, "b2"],
    ]
    src = _workbook_with_sheet(
        tmp_path, '<sheetData><row r="1"/><row r="2"><c r="A2"><v>1</v></c></row></sheetData>'
    )
    patch_cells(src, dst, {(1, "B"): "b1", (2, "C"): "c2"})
    ws = openpyxl.load_workbook(dst).active
    assert (ws["B1"].value, ws["A2"].value, ws["C2"].value) == ("b1", 1, "c2")


def test_inserted_cells_take_the_row_or_column_style(tmp_path: Path):
    src = _workbook_with_sheet(
        tmp_path,
        '<sheetData><row r="1" s="1" customFormat="1"><c r="A1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c></row></sheetData>',
        root='<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:A2"/><cols><col min="3" max="4" width="12" style="1" customWidth="1"/></cols>',
    )
    dst = tmp_path / "kesz.xlsx"
    patch_cells(src, dst, {(1, "B"): "sor", (2, "C"): "oszlop", (2, "B"): "semmi"})
    sheet = zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml")
    assert b'<c r="B1" s="1" t="inlineStr">' in sheet
    assert b'<c r="C2" s="1" t="inlineStr">' in sheet
    assert b'<c r="B2" t="inlineStr">' in sheet
    assert b'<dimension ref="A1:C2"/>' in sheet


def test_comment_inside_sheet_data_is_refused(tmp_path: Path):
    src = _workbook_with_sheet(tmp_path, '<sheetData><!-- <row r="9"> --><row r="1"/></sheetData>')
    with pytest.raises(TableError, match="megjegyzést"):
        patch_cells(src, tmp_path / "kesz.xlsx", {(1, "A"): "x"})
    assert not (tmp_path / "kesz.xlsx").exists()


def test_found_missing_and_reordered_cells_in_one_patch(tmp_path: Path):
    src = _workbook_with_sheet(
        tmp_path,
        '<sheetData><row r="1"><c s="0" r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="C2"/></row></sheetData>',
    )
    dst = tmp_path / "kesz.xlsx"
    changes = {(1, "A"): "r nem első", (1, "C"): "hiányzott", (2, "C"): "megvolt", (2, "A"): "elé"}
    patch_cells(src, dst, changes)
    ws = openpyxl.load_workbook(dst).active
    assert {k: ws[f"{k[1]}{k[0]}"].value for k in changes} == changes
    sheet = zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml")
    assert b'<c s="0" r="A1" t="inlineStr">' in sheet  # attribute order kept
    assert sheet.index(b'r="A2"') < sheet.index(b'r="C2"')
