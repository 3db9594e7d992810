"""The reason report: readable for the officer, and read back exactly by the import."""

from __future__ import annotations

from typing import NamedTuple

from openpyxl import load_workbook

from kkod.central.interface import MatchResult
from kkod.exchange.reason_report import build_reason_report, parse_result, read_reason_report
from kkod.reports import Report, write_report


class Row(NamedTuple):
    row: int
    sorszam: str
    belso_azonosito: str
    viselt_nev: str
    result: MatchResult
    code: str | None = None
    note: str | None = None


ROWS = [
    Row(2, "1", "HR-001", "Kiss Anna", MatchResult.KOD, "7K3M-9XQ2-HT5W-R8P1-Z"),
    Row(3, "2", "HR-002", "Tóth Pálné", MatchResult.NINCS_TALALAT),
    Row(4, "3", "", "Horváth Zoltán", MatchResult.TOBB_TALALAT),
    Row(5, "4", "HR-004", "Papp Ferenc", MatchResult.HIBAS_SOR, None, "E01: üres kötelező mező"),
]
COUNTS = {MatchResult.KOD: 1, MatchResult.NINCS_TALALAT: 1, MatchResult.TOBB_TALALAT: 1,
          MatchResult.HIBAS_SOR: 1}  # fmt: skip


def _written(tmp_path, suffix=".xlsx"):
    path = tmp_path / f"jelentes{suffix}"
    write_report(path, build_reason_report(ROWS, "tabla.xlsx", COUNTS, "KK-2026-000001"))
    return path


def test_the_officer_s_sheet_names_each_person_in_words(tmp_path):
    book = load_workbook(_written(tmp_path))
    sheet = book["Kód nélküli sorok"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(line[0], line[2], line[3]) for line in lines] == [
        ("2", "Tóth Pálné", "nincs találat"),
        ("3", "Horváth Zoltán", "több találat"),
        ("4", "Papp Ferenc", "hibás sor"),
    ]
    assert lines[2][6] == "E01: üres kötelező mező"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet.column_dimensions["E"].width > 40  # explanations are readable
    assert sheet["E2"].alignment.wrap_text
    assert "Kapcsolati kód elkészült: 1" in [r[0].value for r in book["Összesítés"].iter_rows()]


def test_the_import_reads_reasons_and_confirmed_codes_back(tmp_path):
    path = _written(tmp_path)
    report = read_reason_report(path.name, path.read_bytes())
    assert report.codes == {2: "7K3M-9XQ2-HT5W-R8P1-Z"}
    assert {row: r.result for row, r in report.reasons.items()} == {
        3: MatchResult.NINCS_TALALAT,
        4: MatchResult.TOBB_TALALAT,
        5: MatchResult.HIBAS_SOR,
    }
    assert report.reasons[5].note == "E01: üres kötelező mező"


def test_a_csv_report_gives_reasons_but_confirms_no_code(tmp_path):
    path = _written(tmp_path, ".csv")
    report = read_reason_report(path.name, path.read_bytes())
    assert set(report.reasons) == {3, 4, 5} and report.codes is None


def test_the_older_layout_is_still_read(tmp_path):
    path = tmp_path / "regi.xlsx"
    old = Report("Kapcsolati kódok – indoklás", ("Sor", "Belső azonosító", "Eredmény"),
                 [(3, "HR-002", "NINCS_TALALAT")])  # fmt: skip
    write_report(path, old)
    report = read_reason_report(path.name, path.read_bytes())
    assert report.reasons[3].result is MatchResult.NINCS_TALALAT and report.codes is None


def test_other_files_are_not_reports(tmp_path):
    table = tmp_path / "t.xlsx"
    write_report(table, Report("Munkalap", ("Név", "Kor"), [("Kiss Anna", 40)]))
    assert read_reason_report(table.name, table.read_bytes()) is None
    assert read_reason_report("level.pdf", b"%PDF-1.7") is None
    assert parse_result("Nincs Találat") is MatchResult.NINCS_TALALAT
    assert parse_result("valami más") is None


def test_each_listed_row_s_sorszam_and_belso_azonosito_are_read_back(tmp_path):
    path = _written(tmp_path)
    report = read_reason_report(path.name, path.read_bytes())
    assert report.identities == {
        2: ("1", "HR-001"),
        3: ("2", "HR-002"),
        4: ("3", ""),
        5: ("4", "HR-004"),
    }
