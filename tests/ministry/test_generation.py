"""The generation pipeline: codes into column E only, a reason for every other row, nothing half-written."""

from __future__ import annotations

import csv
import zipfile

import pytest
from openpyxl import load_workbook

from kkod.central.codes import parse_code
from kkod.central.interface import EXPLANATION, MatchResult, OfficeInfo, UnknownOffice
from kkod.central.registry import NewAccount, add_office, add_person
from kkod.central.service import InProcessCentral
from kkod.db import make_engine, migrate
from kkod.errors import TableError
from kkod.fourt.model import Person4T
from kkod.ministry.generation import GenerationResult, default_output, default_report, generate
from kkod.table.reader import read_table
from kkod.table.template import build_template
from kkod.table.writer import patch_cells

KRID = "500100"
KOVACS = Person4T("Kovács Péter", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12")
NAGYNE = Person4T("Nagy Jánosné", "Tóth Éva", "Horváth Ilona", "Debrecen", "1962.07.01")
KISS = Person4T("Kiss Gábor", "Kiss Gábor", "Varga Anna", "Szeged", "1990.01.30")
MOLNAR = Person4T("Molnár Katalin", "Molnár Katalin", "Lakatos Judit", "Győr", "1999.02.28")

# (Belső azonosító, D, F, G, H, I) as an employer fills them in.
ROWS = [
    ("T-1", "Kovács Péter", "Kovács Péter", "Szabó Mária", "Bp. XI. ker.", "1985-03-12"),  # KOD
    ("T-2", "Nagy Jánosné", "Tóth Éva", "Horváth Ilona", "Debrecen", "1962.07.01"),  # KOD
    ("T-3", "Kiss Gábor", "Kiss Gábor", "Varga Anna", "Szeged", "1990.01.30"),  # no account
    ("T-4", "Molnár Katalin", "Molnár Katalin", "Lakatos Judit", "Győr", "1999.02.28"),  # two
    ("T-5", "Papp Ferenc", "", "Mészáros Rózsa", "Eger", "1970.09.09"),  # invalid: empty F
    ("T-6", "Fekete Anna", "Fekete Anna", "Kiss Ilona", "Pécs", "1980.02.30"),  # invalid date
]


@pytest.fixture
def central(db_url):
    engine = make_engine(db_url)
    migrate(engine, "central")
    add_office(engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal"))
    add_office(engine, OfficeInfo("500200", "MASIK", "Másik Hivatal"))
    add_person(engine, KOVACS, [NewAccount("kp", "kp@example.hu")])
    add_person(engine, NAGYNE, [NewAccount("ne", "ne@example.hu")])
    add_person(engine, KISS)
    add_person(
        engine, MOLNAR, [NewAccount("mk1", "1@example.hu"), NewAccount("mk2", "2@example.hu")]
    )
    yield InProcessCentral(engine, bytes.fromhex("ab" * 32))
    engine.dispose()


@pytest.fixture
def table(tmp_path):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "munkatarsak.xlsx"
    build_template(path, 10)
    values = {}
    for index, row in enumerate(ROWS):
        for letter, value in zip("BDFGHI", row, strict=True):
            if value:
                values[(index + 2, letter)] = value
    patch_cells(path, path, values)
    return path


def _cells(path):
    sheet = load_workbook(path).worksheets[0]
    return {(c.row, c.column_letter): c.value for row in sheet.iter_rows() for c in row}


def test_codes_go_into_column_e_and_nothing_else_changes(central, table):
    result = generate(table, KRID, central)
    assert isinstance(result, GenerationResult)
    assert result.output == default_output(table) and result.report == default_report(table)
    assert [r.result for r in result.rows] == [
        MatchResult.KOD,
        MatchResult.KOD,
        MatchResult.NINCS_TALALAT,
        MatchResult.TOBB_TALALAT,
        MatchResult.HIBAS_SOR,
        MatchResult.HIBAS_SOR,
    ]
    assert (result.coded, result.no_match, result.multiple, result.invalid) == (2, 1, 1, 2)
    before, after = _cells(table), _cells(result.output)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {(2, "E"), (3, "E")}
    assert parse_code(after[(2, "E")]) == after[(2, "E")] == result.rows[0].code
    with zipfile.ZipFile(table) as a, zipfile.ZipFile(result.output) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if "worksheets/sheet1" not in name:
                assert a.read(name) == b.read(name), name


def test_every_row_without_a_code_gets_its_reason_and_no_4t(central, table, tmp_path):
    report = tmp_path / "indoklas.csv"
    generate(table, KRID, central, report=report, reference="KK-2026-000007")
    text = report.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert rows[0] == [
        "Sorszám", "Belső azonosító", "Viselt név", "Eredmény", "Magyarázat", "Teendő",
        "Megjegyzés", "Excel-sor",
    ]  # fmt: skip
    # Sorszám as the table numbers its rows (the Excel row is one more), and the person's name
    assert [(r[0], r[1], r[2], r[3], r[7]) for r in rows[1:]] == [
        ("3", "T-3", "Kiss Gábor", "nincs találat", "4"),
        ("4", "T-4", "Molnár Katalin", "több találat", "5"),
        ("5", "T-5", "Papp Ferenc", "hibás sor", "6"),
        ("6", "T-6", "Fekete Anna", "hibás sor", "7"),
    ]
    assert rows[1][4] == EXPLANATION[MatchResult.NINCS_TALALAT]
    # the name identifies the row for the officer; no other 4T value is repeated
    for value in ("Varga Anna", "Lakatos Judit", "Mészáros Rózsa", "Kiss Ilona", "Szeged", "1990"):
        assert value not in text


def test_the_xlsx_and_html_reports_carry_the_counts(central, table, tmp_path):
    generate(table, KRID, central, report=tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.worksheets[0].max_row == 5
    summary = [row[0].value for row in book["Összesítés"].iter_rows()]
    assert "Kapcsolati kód elkészült: 2" in summary and "Sorok száma: 6" in summary
    generate(table, KRID, central, output=tmp_path / "o.xlsx", report=tmp_path / "r.html")
    assert "Hibás sor: 2" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_same_table_again_gets_the_same_codes(central, table, tmp_path):
    first = generate(table, KRID, central, output=tmp_path / "a.xlsx")
    second = generate(table, KRID, central, output=tmp_path / "b.xlsx")
    assert [r.code for r in first.rows] == [r.code for r in second.rows]
    other_office = generate(table, "500200", central, output=tmp_path / "c.xlsx")
    assert other_office.rows[0].code != first.rows[0].code
    assert central.lookup_code(KRID, first.rows[0].code).connected
    assert not central.lookup_code("500200", first.rows[0].code).connected


def test_a_wrong_krid_writes_nothing(central, table, tmp_path):
    with pytest.raises(UnknownOffice) as error:
        generate(
            table, "999999", central, output=table.parent / "o.xlsx", report=table.parent / "r.xlsx"
        )
    assert error.value.exit_code == 2
    assert sorted(p.name for p in table.parent.iterdir()) == ["munkatarsak.xlsx"]


def test_a_modified_table_is_refused_and_writes_nothing(central, table, tmp_path):
    patch_cells(table, table, {(1, "D"): "Név"})
    with pytest.raises(TableError) as error:
        generate(
            table, KRID, central, output=table.parent / "o.xlsx", report=table.parent / "r.xlsx"
        )
    assert "D oszlop" in error.value.message and error.value.exit_code == 2
    assert sorted(p.name for p in table.parent.iterdir()) == ["munkatarsak.xlsx"]


def test_progress_is_reported_per_stage(central, table):
    seen = []
    generate(
        table, KRID, central, progress=lambda stage, done, total: seen.append((stage, done, total))
    )
    stages = [s for s, _, _ in seen]
    assert stages[0] == "Táblázat beolvasása" and "Egyeztetés és kódkiadás" in stages
    assert ("Egyeztetés és kódkiadás", 6, 6) in seen


def test_the_output_reads_back_with_the_codes(central, table):
    result = generate(table, KRID, central)
    back = read_table(result.output)
    assert {r.row: r.kapcsolati_kod for r in back.rows} == {
        r.row: (r.code or "") for r in result.rows
    }
