"""Reading filled tables: values as Excel stored them, formulas reported, a changed layout refused."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from kkod.errors import TableError
from kkod.fourt.model import OpaqueCell, Person4T
from kkod.hungarian import article
from kkod.table import layout
from kkod.table.reader import TableRow, read_fourt, read_table, table_sha256
from kkod.table.template import build_template

from .conftest import fill


@pytest.fixture
def filled(template: Path) -> Path:
    """The template filled the ways real employers fill it."""
    fill(
        template,
        {
            2: {
                "B": "T-001",
                "D": "Kovács János",
                "F": "Kovács János",
                "G": "Szabó Mária",
                "H": "Budapest 11",
                "I": "1985.03.12",
            },
            3: {
                "B": 4512,
                "C": "részmunkaidős",
                "D": "Kovácsné Szabó Éva",
                "F": "Szabó Éva Mária",
                "G": "Nagy Ilona",
                "H": "Debrecen",
                "I": date(1979, 11, 2),
            },
            4: {"D": "Őri Ünige", "F": "Őri Ünige", "G": "Űrös Zsófia", "H": 1011, "I": 19900131},
            5: {
                "D": '=CONCATENATE("Varga ","Béla")',
                "F": "Varga Béla",
                "G": "Fekete Anna",
                "H": "Pécs",
                "I": datetime(1961, 7, 4, 0, 0),
            },
            6: {"B": 12.5, "D": "  Tóth  Péter ", "E": "kézzel írt"},
            # row 7 left empty: skipped; rows 8.. only numbered: skipped
        },
    )
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    ws.column_dimensions["C"].hidden = True
    for row in range(22, 40):  # trailing rows with styles but no values
        ws[f"D{row}"].number_format = "@"
    wb.create_sheet("Saját jegyzetek")["A1"] = "nem a táblázat része"
    wb.save(template)
    return template


def test_values_arrive_as_excel_stored_them(filled: Path):
    table = read_table(filled)
    assert [r.row for r in table.rows] == [2, 3, 4, 5, 6]
    first, second, third, fourth, fifth = table.rows
    assert first.cells == {"A": 1, "B": "T-001", "D": "Kovács János", "F": "Kovács János",
                           "G": "Szabó Mária", "H": "Budapest 11", "I": "1985.03.12"}  # fmt: skip
    assert second.cells["B"] == 4512 and isinstance(second.cells["B"], int)
    assert second.cells["I"] == date(1979, 11, 2) and second.cells["C"] == "részmunkaidős"
    assert third.cells["H"] == 1011 and third.cells["I"] == 19900131
    assert fourth.cells["I"] == date(1961, 7, 4) and type(fourth.cells["I"]) is date
    assert fifth.cells["B"] == 12.5 and fifth.cells["D"] == "  Tóth  Péter "


def test_formulas_are_reported_never_evaluated(filled: Path):
    table = read_table(filled)
    by_row = {r.row: r for r in table.rows}
    assert by_row[5].formulas == frozenset({"D"})
    assert "D" not in by_row[5].cells  # openpyxl stores no cached value; nothing is computed
    assert all(not r.formulas for n, r in by_row.items() if n != 5)


def test_text_person_and_named_fields(filled: Path):
    by_row = {r.row: r for r in read_table(filled).rows}
    assert by_row[3].text("B") == "4512"
    assert by_row[3].text("I") == "1979.11.02"
    assert by_row[4].text("I") == "19900131"
    assert by_row[6].text("B") == "12.5"
    assert by_row[6].text("H") == ""
    assert by_row[3].person == Person4T(
        "Kovácsné Szabó Éva", "Szabó Éva Mária", "Nagy Ilona", "Debrecen", date(1979, 11, 2)
    )
    assert (
        by_row[4].person.szuletesi_hely == "1011" and by_row[4].person.szuletesi_ido == "19900131"
    )
    assert by_row[2].belso_azonosito == "T-001" and by_row[3].megjegyzes == "részmunkaidős"
    assert by_row[6].kapcsolati_kod == "kézzel írt" and by_row[2].kapcsolati_kod == ""


def test_what_the_intake_read_is_kept_exactly_for_the_worker(filled: Path):
    from kkod.table.columns_codec import decode_columns, encode_columns

    fill(filled, {8: {"C": "=1+1"}, 9: {"E": "csak kód"}, 10: {"H": 1011, "I": "=A1"}})
    columns = read_fourt(filled)
    assert columns.blocked and any(c is not None and 1011 in c for c in columns.fourt)
    assert decode_columns(encode_columns(columns)) == columns


def test_the_generation_read_is_read_table_reduced(filled: Path):
    fill(filled, {8: {"C": "=1+1"}, 9: {"E": "csak kód"}, 10: {"H": "Pécs"}})
    table, columns = read_table(filled), read_fourt(filled)
    assert columns.numbers == [r.row for r in table.rows] == [2, 3, 4, 5, 6, 8, 9, 10]
    assert columns.belso_azonosito == [r.belso_azonosito for r in table.rows]
    assert columns.fourt == [
        None if r.formulas & set("DFGHI") else tuple(r.cells.get(x) for x in "DFGHI")
        for r in table.rows
    ]
    assert columns.fourt[3] is None  # the formula in D
    assert columns.fourt[4] == ("  Tóth  Péter ", None, None, None, None)


def test_numbers_in_the_text_columns_read_as_shown(filled: Path):
    """Sorszám, Belső azonosító and the code column as the text a user sees: whole numbers
    without ".0" (the generation read's fast path for them agrees with read_table)."""
    fill(filled, {2: {"A": 7, "B": 12345}, 3: {"A": 2.5, "B": 1e20}, 4: {"A": -0.0, "E": 3.0}})
    table, columns = read_table(filled), read_fourt(filled)
    assert columns.sorszam[:3] == ["7", "2.5", "0"]
    assert columns.belso_azonosito[:2] == ["12345", "100000000000000000000"]
    assert columns.kapcsolati_kod[2] == "3"
    assert columns.sorszam == [r.text("A") for r in table.rows]
    assert columns.belso_azonosito == [r.belso_azonosito for r in table.rows]


def test_hash_is_of_the_file_bytes(filled: Path):
    expected = hashlib.sha256(filled.read_bytes()).hexdigest()
    assert read_table(filled).sha256 == expected == table_sha256(filled)


def test_renamed_first_sheet_is_still_the_table(template: Path):
    wb = openpyxl.load_workbook(template)
    wb.worksheets[0].title = "Munka1"
    wb.worksheets[0]["D2"] = "Kiss Anna"
    wb.save(template)
    table = read_table(template)
    assert table.sheet_name == "Munka1" and table.rows[0].cells["D"] == "Kiss Anna"


@pytest.mark.parametrize(
    ("letter", "header", "expected"),
    [
        ("D", "Név", "„Név”, de „Viselt név” kellene"),
        ("I", None, "üres, de „Születési idő” kellene"),
        ("H", "Születési idő", "„Születési idő”, de „Születési hely” kellene"),
    ],
)
def test_changed_header_names_the_column(template: Path, letter, header, expected):
    fill(template, {1: {letter: header}})
    with pytest.raises(TableError) as caught:
        read_table(template)
    assert f"{article(letter)} {letter} oszlop fejléce {expected}" in caught.value.message
    assert "sablon.xlsx" in caught.value.message and caught.value.exit_code == 2


def test_header_whitespace_is_tolerated(template: Path):
    fill(template, {1: {"D": "  Viselt név "}, 2: {"D": "Kiss Anna"}})
    assert read_table(template).rows[0].text("D") == "Kiss Anna"


def test_inserted_column_is_refused(template: Path):
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    ws.insert_cols(3)
    ws["C1"] = "Osztály"
    wb.save(template)
    with pytest.raises(TableError, match="a C oszlop fejléce „Osztály”, de „Megjegyzés” kellene"):
        read_table(template)


def test_extra_header_column_is_refused(template: Path):
    fill(template, {1: {"J": "Adóazonosító"}})
    with pytest.raises(TableError, match="J oszlopban nem várt fejléc áll \\(„Adóazonosító”\\)"):
        read_table(template)


def test_guide_sheet_first_is_recognised(template: Path):
    wb = openpyxl.load_workbook(template)
    wb.move_sheet(layout.GUIDE_SHEET_TITLE, offset=-1)
    wb.worksheets[1]["D2"] = "Kiss Anna"
    wb.save(template)
    table = read_table(template)
    assert table.sheet_name == layout.SHEET_TITLE and table.rows[0].text("D") == "Kiss Anna"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("tabla.csv", "Sorszám;Viselt név\n1;Kiss Anna\n".encode(), "CSV- vagy szövegfájl"),
        ("tabla.xlsx", b"\x00\x01 garbage" * 50, "ismeretlen formátumú fájl, nem munkafüzet"),
        ("tabla.xlsx", b"PK\x03\x04 broken zip" * 10, "sérült vagy csonka zip-archívum"),
        ("ures.xlsx", b"", "üres fájl"),
    ],
)
def test_not_a_workbook_is_a_table_error(tmp_path: Path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=expected) as caught:
        read_table(path)
    assert caught.value.exit_code == 2 and name in caught.value.message


def test_zip_that_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "tabla.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(TableError, match=r"xl/workbook\.xml"):
        read_table(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(TableError, match="nem található"):
        read_table(tmp_path / "nincs.xlsx")


def test_rows_are_ordered_and_frozen_values(tmp_path: Path):
    path = build_template(tmp_path / "t.xlsx", rows=3)
    fill(path, {3: {"D": "Kiss Anna"}, 40: {"D": "Nagy Béla", "A": 39}})
    table = read_table(path)
    assert [(r.row, r.text("D")) for r in table.rows] == [(3, "Kiss Anna"), (40, "Nagy Béla")]
    assert isinstance(table.rows[0], TableRow)
    with pytest.raises(AttributeError):
        table.rows[0].row = 9  # type: ignore[misc]


def test_broken_sheet_xml_is_a_table_error(template: Path, tmp_path: Path):
    broken = tmp_path / "serult.xlsx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info.filename, data)
    with pytest.raises(TableError, match=r"serult\.xlsx") as caught:
        read_table(broken)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("sheet_data", "expected"),
    [
        ('<row r="2"><c r="D2"><f>1+1</f><v>2</v></c><c r="E2"><v>1</v></c></row>', {(2, "D")}),
        ("<row><c/><c><f>A1</f></c></row><row><c><v>1</v></c><c/><c><f/></c></row>", {(1, "B"), (2, "C")}),
        ('<x:row r="3"><x:c r="A3"><x:f t="shared" si="0"/></x:c></x:row>', {(3, "A")}),
        ('<row r="2"><c r="D2" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>f</t></r></is></c></row>', set()),
    ],
)  # fmt: skip
def test_formula_cells_found_by_byte_scan(sheet_data: str, expected: set):
    from kkod.table.sheet_xml import formula_cells

    prefix = "x:" if sheet_data.startswith("<x:") else ""
    xml = f"<{prefix}worksheet><{prefix}sheetData>{sheet_data}</{prefix}sheetData><headerFooter><firstFooter>f</firstFooter></headerFooter></{prefix}worksheet>"
    assert formula_cells(xml.encode()) == expected


def test_a_value_calamine_cannot_make_is_refused_where_it_is_taken(template: Path):
    """Calamine makes a row's values as the reader takes it: a failure then is the same
    refusal as a failure to parse, and the package is closed."""
    from kkod.table.locate import open_table
    from kkod.table.reader import _taken

    def rows():
        yield ["Sorszám"]
        yield [1, "T-001"]
        raise ValueError("a cell calamine cannot convert")

    table = open_table(template)
    taken = _taken(table, rows(), {(2, "D"): "error"})
    assert next(taken) == ["Sorszám"]
    assert next(taken) == [1, "T-001", "", OpaqueCell("error")]  # a special cell kept
    with pytest.raises(TableError, match=r"munkalap nem olvasható") as caught:
        next(taken)
    assert template.name in str(caught.value)
    with pytest.raises(ValueError, match="closed"):
        table.package.archive.read(table.sheet.part)


def test_a_sheet_whose_values_start_after_a1_is_read_from_a1(tmp_path: Path):
    """Calamine's row iterator leaves out the empty columns before the first value; the rows
    are then made from A1 all at once, as before."""
    from kkod.table.reader import parse_rows

    path = tmp_path / "b2.xlsx"
    book = openpyxl.Workbook()
    book.active["C3"] = "x"
    book.active["D5"] = 1.5
    book.save(path)
    rows, failure = parse_rows(path.read_bytes(), book.active.title)
    assert failure is None
    assert list(rows) == [["", "", "", ""], ["", "", "", ""], ["", "", "x", ""],
                          ["", "", "", ""], ["", "", "", 1.5]]  # fmt: skip
