"""``kkod employer from-export``: HR exports with other headers, orders, forms and encodings
become the table, which then validates; ambiguous or missing columns are refused with the
``--map`` that solves them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.employer.hrexport.convert import split_place_and_date
from kkod.employer.hrexport.headers import RECOGNISED, fold, recognise
from kkod.employer.hrexport.mapping import choose_mapping
from kkod.employer.hrexport.read import decode, read_export
from kkod.employer.validation import validate_table
from kkod.errors import TableError
from kkod.table.limits import TableLimits
from kkod.table.reader import read_table

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "employer.md"

# A typical export: split current name, one column for place and date, the id in front.
SPLIT_HEADER = ["Törzsszám", "Vezetéknév", "Keresztnév", "Születési név", "Anyja neve",
                "Születési hely, idő", "Beosztás"]  # fmt: skip
SPLIT_ROWS = [
    ["T-004512", "Kiss", "Anna", "Nagy Anna", "Szabó Mária", "Budapest 11, 1985.03.12", "referens"],
    ["T-004513", "Kovács", "Béla", "", "Molnár Erzsébet", "Pécs, 1990. 01. 30.", "osztályvezető"],
    ["T-004514", "Szűcs", "Ödön", "Szűcs Ödön", "Lakatos Júlia", "Győr 1999-12-31", "ügyintéző"],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], *, encoding: str, sep: str = ";") -> Path:
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: object):
    return runner.invoke(app, ["employer", "from-export", *map(str, args)])


def table_values(path: Path) -> list[tuple[str, ...]]:
    return [tuple(r.text(letter) for letter in "BDFGHI") for r in read_table(path).rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2"])
def test_a_csv_export_in_any_hungarian_encoding_becomes_the_table(tmp_path, encoding):
    export = write_csv(tmp_path / "dolgozok.csv", [SPLIT_HEADER, *SPLIT_ROWS], encoding=encoding)
    result = run(export, "-o", tmp_path / "tabla.xlsx")
    assert result.exit_code == 0, result.output
    assert table_values(tmp_path / "tabla.xlsx") == [
        ("T-004512", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12"),
        ("T-004513", "Kovács Béla", "Kovács Béla", "Molnár Erzsébet", "Pécs", "1990.01.30"),
        ("T-004514", "Szűcs Ödön", "Szűcs Ödön", "Lakatos Júlia", "Győr", "1999.12.31"),
    ]
    checked = validate_table(tmp_path / "tabla.xlsx")
    assert checked.rows == 3 and not checked.has_errors
    # The mapping chosen is shown, the unknown column named as left out.
    assert "Beosztás" in result.stdout and "nem kerül a táblázatba" in result.stdout
    assert "Üres születési név a viselt névből" in result.stdout


def test_the_encoding_is_told_apart_by_the_bytes():
    text = "Név;Születési hely\nŐri Ödön;Szőny\n"
    assert decode(text.encode("utf-8")) == (text, "UTF-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"))[1] == "UTF-8 (BOM)"
    assert decode(text.encode("cp1250"))[0] == text
    # „…” exist only in Windows-1250 (0x84, 0x94); ISO-8859-2 has Ą Ś Ź at 0xA1 0xA6 0xAC.
    quoted = "Megjegyzés;„Kiss” Anna\n"
    assert decode(quoted.encode("cp1250")) == (quoted, "Windows-1250")
    polish = "Név;Śląski Łukasz\n"
    assert decode(polish.encode("iso-8859-2")) == (polish, "ISO-8859-2")


def test_an_xlsx_export_with_a_title_above_and_excel_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Dolgozók"
    ws.append(["Dolgozói lista, 2026.12.01"])
    ws.append([])
    ws.append(
        [
            "Szül. idő",
            "Dolgozó neve",
            "Szül. név",
            "Anyja születési neve",
            "Szül. hely",
            "Azonosító",
        ]
    )
    ws.append([dt.datetime(1985, 3, 12), "Kiss Anna", "Nagy Anna", "Szabó Mária", "Debrecen", 4512])
    ws.append([32172, "Tóth Pálné", "Varga Éva", "Fekete Ilona", "Eger", 4513])  # a serial date
    wb.save(tmp_path / "export.xlsx")
    result = run(tmp_path / "export.xlsx", "-o", tmp_path / "tabla.xlsx")
    assert result.exit_code == 0, result.output
    assert "3. sor a fejléc" in result.stdout and "Dolgozók" in result.stdout
    assert table_values(tmp_path / "tabla.xlsx") == [
        ("4512", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Debrecen", "1985.03.12"),
        ("4513", "Tóth Pálné", "Varga Éva", "Fekete Ilona", "Eger", "1988.01.30"),
    ]


def test_an_ambiguous_column_is_refused_naming_it_and_the_map_to_give(tmp_path):
    header = ["Név", "Teljes név", "Születési név", "Anyja neve", "Szül. hely", "Szül. idő"]
    export = write_csv(
        tmp_path / "e.csv",
        [header, ["Kiss Anna", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Eger", "1985.03.12"]],
        encoding="utf-8",
    )
    result = run(export, "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "„Név” (A oszlop) és „Teljes név” (B oszlop)" in said
    assert '--map "Teljes név=kihagy"' in said
    assert not (tmp_path / "t.xlsx").exists()
    again = run(export, "-o", tmp_path / "t.xlsx", "--map", "Teljes név=kihagy")
    assert again.exit_code == 0, again.output
    assert table_values(tmp_path / "t.xlsx")[0][1] == "Kiss Anna"


def test_an_unknown_header_is_mapped_by_its_letter_or_its_header(tmp_path):
    header = ["Név", "Születési név", "Anyuka", "Hol született", "Szül. idő"]
    export = write_csv(
        tmp_path / "e.csv",
        [header, ["Kiss Anna", "Nagy Anna", "Szabó Mária", "Eger", "1985.03.12"]],
        encoding="utf-8",
        sep=",",
    )
    refused = run(export, "-o", tmp_path / "t.xlsx")
    assert refused.exit_code == 2
    said = " ".join(refused.stderr.split())
    assert '--map "OSZLOP=anyja_szuletesi_neve"' in said and "„Anyuka” (C oszlop)" in said
    done = run(export, "-o", tmp_path / "t.xlsx", "--map", "C=anyja_szuletesi_neve",
               "--map", "Hol született=Születési hely")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert table_values(tmp_path / "t.xlsx") == [
        ("", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Eger", "1985.03.12")
    ]


def test_a_wrong_map_is_named():
    mapping = choose_mapping(["Név"], ["Név=nincs_ilyen", "X=viselt_nev", "rossz"])
    said = " ".join(mapping.problems)
    assert "„nincs_ilyen”" in said and "nincs „X” fejlécű" in said and "OSZLOP=MEZŐ" in said


def test_a_too_big_export_is_refused_before_it_is_parsed(tmp_path):
    export = write_csv(
        tmp_path / "e.csv",
        [["Név", "Szül. idő"]] + [["Kiss Anna", "1985.03.12"]] * 20,
        encoding="utf-8",
    )
    with pytest.raises(TableError, match="KKOD_TABLE_MAX_FILE_BYTES"):
        read_export(export, TableLimits(max_file_bytes=100))
    with pytest.raises(TableError, match="KKOD_TABLE_MAX_ROWS"):
        read_export(export, TableLimits(max_rows=5))
    with pytest.raises(TableError, match="KKOD_TABLE_MAX_CELL_CHARS"):
        read_export(export, TableLimits(max_cell_chars=5))


def test_a_file_that_is_no_export_is_named(tmp_path):
    pdf = tmp_path / "export.csv"
    pdf.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    with pytest.raises(TableError, match="PDF"):
        read_export(pdf)


def test_the_output_is_not_replaced_without_force(tmp_path):
    export = write_csv(tmp_path / "e.csv", [SPLIT_HEADER, *SPLIT_ROWS], encoding="utf-8")
    (tmp_path / "t.xlsx").write_bytes(b"regi")
    result = run(export, "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2 and "már létezik" in result.stderr
    assert (tmp_path / "t.xlsx").read_bytes() == b"regi"


@pytest.mark.parametrize(
    ("cell", "place", "born"),
    [
        ("Debrecen, 1985.03.12", "Debrecen", "1985.03.12"),
        ("Budapest XI. ker., 1985. márc. 12.", "Budapest XI. ker.", "1985. márc. 12."),
        ("Eger 12.03.1985", "Eger", "12.03.1985"),
        ("Szeged", "Szeged", ""),
    ],
)
def test_place_and_date_in_one_cell_are_split(cell, place, born):
    assert split_place_and_date(cell) == (place, born)


def test_headers_are_compared_without_case_accents_and_dots():
    for written in ("SZULETESI HELY", "Szül. hely", "születési_hely", "Szül.hely:"):
        assert recognise(written) == "szuletesi_hely", written
    assert recognise("Szül.idő") == "szuletesi_ido"
    assert recognise("Beosztás") is None


def test_every_recognised_header_is_documented():
    documented = {fold(h) for h in re.findall(r"`([^`]+)`", DOCS.read_text(encoding="utf-8"))}
    missing = [h for headers in RECOGNISED.values() for h in headers if fold(h) not in documented]
    assert not missing, f"docs/employer.md does not list: {missing}"


def test_the_check_after_writing_is_what_validate_finds_in_the_file(tmp_path):
    from kkod.employer.hrexport.build import plan, validate_written, write_table

    rows = [*SPLIT_ROWS, ["T-9", "Nagy", "Janos", "", "Tóth Pálné", "Budapest, 1985.02.30", "x"]]
    export = write_csv(tmp_path / "e.csv", [SPLIT_HEADER, *rows], encoding="utf-8")
    converted = write_table(plan(export), tmp_path / "t.xlsx")
    said = validate_written(converted, tmp_path / "t.xlsx")
    read_back = validate_table(tmp_path / "t.xlsx")
    assert said.findings == read_back.findings
    assert {f.rule for f in said.findings} >= {"E02", "E05", "E07", "W07"}
