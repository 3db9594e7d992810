"""Reports a person opens: the same cells whether an .xlsx is built in memory or streamed."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

import kkod.reports as reports
from kkod.reports import BULK_ROWS_FROM, Report, UnknownReportFormat, write_report
from kkod.table.sheet_xml import formula_cells

ROWS = [
    (2, "T-1", "NINCS_TALALAT", "Nincs találat.", "Ellenőrizze."),
    (3, '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"),  # text that looks like a formula
    (4, None, 1.5, date(2026, 11, 26), True),
]
REPORT = Report(
    "Próba", ("Sor", "Azonosító", "Eredmény", "Magyarázat", "Teendő"), ROWS, ["Sorok: 3"]
)


def _cells(path):
    book = load_workbook(path)
    first = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    return first, [row[0].value for row in book["Összesítés"].iter_rows()]


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "streamed"])
def test_xlsx_cells_are_the_values_given_and_formula_lookalikes_stay_text(
    tmp_path, monkeypatch, in_memory
):
    monkeypatch.setattr(reports, "IN_MEMORY_CELLS", 10**6 if in_memory else 0)
    write_report(tmp_path / "r.xlsx", REPORT)
    rows, summary = _cells(tmp_path / "r.xlsx")
    assert rows[0] == list(REPORT.headers)
    assert rows[1] == list(ROWS[0])
    assert rows[2] == list(ROWS[1])  # strings, not formulas
    assert rows[3][:3] == [4, None, 1.5] and rows[3][3].date() == date(2026, 11, 26)
    assert rows[3][4] is True
    assert summary == ["Sorok: 3"]


def test_rows_given_as_an_iterator_are_streamed(tmp_path):
    write_report(tmp_path / "r.xlsx", Report("Próba", ("A",), iter([("x",), ("y",)])))
    assert _cells_of_first_sheet(tmp_path / "r.xlsx") == [["A"], ["x"], ["y"]]


def test_an_unknown_format_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(UnknownReportFormat):
        write_report(tmp_path / "r.pdf", REPORT)
    assert list(tmp_path.iterdir()) == []


def _cells_of_first_sheet(path):
    return [[c.value for c in row] for row in load_workbook(path).worksheets[0].iter_rows()]


INJECTIONS = [
    '=HYPERLINK("http://pelda.hu/?"&D2;"Kattintson ide")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_fields_that_look_like_formulas_stay_text_in_libreoffice(tmp_path):
    from tests.libreoffice import csv_as_workbook, formulas_in

    rows = [[i, text, "Kovács János"] for i, text in enumerate(INJECTIONS, start=2)]
    report = write_report(tmp_path / "r.csv", Report("Jelentés", ["Sor", "Érték", "Név"], rows))
    raw = report.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and "'+cmd" in raw and "'-2+3" in raw and "'@SUM" in raw

    opened = csv_as_workbook(report, tmp_path)
    assert formulas_in(opened) == frozenset()
    grid = CalamineWorkbook.from_path(opened).get_sheet_by_index(0).to_python()
    # (LibreOffice reads a CR inside a quoted field as a line break)
    assert [row[1] for row in grid[1:]] == [f"'{t}".replace("\r", "\n") for t in INJECTIONS]


def test_xlsx_reports_keep_formula_looking_text_as_text(tmp_path):
    rows = [[i, text] for i, text in enumerate(INJECTIONS, start=2)]
    report = write_report(tmp_path / "r.xlsx", Report("Jelentés", ["Sor", "Érték"], rows))
    with zipfile.ZipFile(report) as archive:
        assert formula_cells(archive.read("xl/worksheets/sheet1.xml")) == frozenset()
    grid = CalamineWorkbook.from_path(report).get_sheet_by_index(0).to_python()
    assert [row[1] for row in grid[1:]] == INJECTIONS


BULK_HEADERS = ("Excel-sor", "Sorszám", "Belső azonosító", "Kapcsolati kód")
BULK_ROWS = [
    (2, "1", "HR-0001", "ABCD-EFGH-IJKL"),
    (3, " 2 ", "a<b & c>d", '=HYPERLINK("http://x")'),  # spaces kept; markup and formulas text
    (5, "Árvíztűrő", "\ttabulátor", "@SUM(A1)"),
    (6, None, "", "+1"),  # an empty cell is left out
    (7, "két\nsor", "a\tb", "x"),  # inner line breaks and tabs kept (xml:space)
]


@pytest.mark.parametrize(
    "copies", [1, BULK_ROWS_FROM // len(BULK_ROWS)], ids=["few-by-xlsxwriter", "many-into-xml"]
)
def test_a_bulk_table_is_written_into_its_sheet_and_read_back_exactly(tmp_path, copies):
    """A few rows XlsxWriter writes, many go into the sheet's XML after it: the same cells,
    each with its column's format."""
    rows = BULK_ROWS * copies
    bulk = Report(
        "Kiadott kódok", BULK_HEADERS, rows, widths=(9, 9, 18, 26), wrap=frozenset({2}), bulk=True
    )
    report = write_report(tmp_path / "r.xlsx", Report("Próba", ("Sor",), [(7,)], more=(bulk,)))
    expected = [list(BULK_HEADERS), *([v if v != "" else None for v in r] for r in rows)]
    book = load_workbook(report)
    sheet = book["Kiadott kódok"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == expected
    last = len(rows) + 1
    assert sheet.auto_filter.ref == f"A1:D{last}" and sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet.dimensions == f"A1:D{last}"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                assert cell.alignment.vertical == "top", cell.coordinate
                assert bool(cell.alignment.wrap_text) == (cell.column == 3), cell.coordinate
    grid = CalamineWorkbook.from_path(report).get_sheet_by_name("Kiadott kódok").to_python()
    assert [[v if v != "" else None for v in row] for row in grid] == expected
    with zipfile.ZipFile(report) as archive:
        assert archive.testzip() is None
        assert formula_cells(archive.read("xl/worksheets/sheet2.xml")) == frozenset()
    assert [[c.value for c in row] for row in book["Próba"].iter_rows()] == [["Sor"], [7]]


def _workbook_as_seen(path) -> dict:
    """What a person sees of an .xlsx report: each sheet's cells with their look, widths,
    frozen panes, filter and extent, and the workbook's names."""
    from lxml import etree

    book = load_workbook(path)
    with zipfile.ZipFile(path) as archive:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    names = workbook.iterfind("{*}definedNames/{*}definedName")
    seen: dict = {"names": sorted((n.get("name"), n.get("localSheetId"), n.text) for n in names)}
    seen["sheets"] = []
    for sheet in book.worksheets:
        cells = [
            [
                (
                    c.value,
                    bool(c.font.b),
                    c.fill.fgColor.rgb if c.fill.fill_type else None,
                    bool(c.alignment.wrap_text),
                    c.alignment.vertical,
                    c.number_format,
                )
                for c in row
                if c.value is not None
            ]
            for row in sheet.iter_rows()
        ]
        widths = {k: (d.width, d.customWidth) for k, d in sheet.column_dimensions.items()}
        filters = (sheet.auto_filter.ref, sheet.freeze_panes, sheet.dimensions)
        seen["sheets"].append((sheet.title, cells, widths, filters))
    return seen


TEXTS = st.text(alphabet="aáéűőZ0 9<>&\"'\t\n=-+@.,;()", max_size=12)


@settings(max_examples=25, deadline=None)
@given(
    reasons=st.lists(st.tuples(TEXTS, TEXTS, st.integers(0, 10**6)), max_size=60),
    codes=st.lists(st.tuples(st.integers(2, 10**6), TEXTS), max_size=80),
    summary=st.lists(TEXTS.filter(str.strip), max_size=4),
)
def test_a_bulk_report_from_its_shapes_workbook_is_the_one_xlsxwriter_writes(
    tmp_path_factory, reasons, codes, summary
):
    """A report whose tables are all bulk is written from the workbook XlsxWriter made once for
    its shape: a person sees the same cells, looks, widths, filters and names as in the one
    written anew (XlsxWriter writing a few rows itself, the rest into the XML)."""
    folder = tmp_path_factory.mktemp("shapes")
    report = Report(
        "Kód nélküli sorok",
        ("Sorszám", "Magyarázat", "Excel-sor"),
        reasons,
        summary,
        widths=(9, 60, 9),
        wrap=frozenset({1}),
        bulk=True,
        more=(Report("Kiadott kódok", ("Excel-sor", "Kód"), codes, bulk=True),),
    )
    ours = write_report(folder / "sablonbol.xlsx", report)
    anew = folder / "ujonnan.xlsx"
    tables = [replace(t, bulk=False) if reports._few(t.rows) else t for t in (report, *report.more)]
    reports._write_xlsx(anew, report, tables, None)
    assert _workbook_as_seen(ours) == _workbook_as_seen(anew)
    with zipfile.ZipFile(ours) as archive:
        assert archive.testzip() is None


def test_a_report_from_its_shapes_workbook_is_dated_when_it_is_written(tmp_path, monkeypatch):
    report = Report("Kód nélküli sorok", ("Sor",), [(2,)], ["Sorok: 1"], bulk=True)
    made = reports._template(reports._shape(report, [report]))
    long_ago = made.core.replace(datetime.now(UTC).strftime("%Y-").encode(), b"2001-")
    assert long_ago != made.core
    monkeypatch.setattr(reports, "_template", lambda shape: replace(made, core=long_ago))
    with zipfile.ZipFile(write_report(tmp_path / "r.xlsx", report)) as archive:
        core = archive.read("docProps/core.xml").decode()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert core.count(f'W3CDTF">{today}T') == 2 and "2001-" not in core  # created, modified


def test_rows_go_into_an_empty_sheet_and_never_nowhere():
    empty = b'<worksheet><dimension ref="A1"/><sheetData/></worksheet>'
    xml = b"".join(reports._with_rows(empty, [("a",), ("b",)], 1, ("",), first=1))
    assert b'<dimension ref="A1:A2"/><sheetData><row r="1">' in xml
    assert xml.endswith(b"</row></sheetData></worksheet>")
    with pytest.raises(ValueError):  # an import would then confirm no code
        list(reports._with_rows(b"<worksheet/>", [("a",)], 1, ("",)))
