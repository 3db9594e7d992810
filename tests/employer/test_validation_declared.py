"""The cross-check of a table against the employees' own declared 4T (``--declarations``)."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from kkod.employer.declared import HEADERS, read_declarations
from kkod.employer.validation import validate_table
from kkod.errors import TableError

from ..tables import filled_table

TODAY = date(2025, 6, 1)
TABLE = [
    ("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12"),
    ("HR-2", "Tóth Pálné", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02"),
    ("", "Horváth Zoltán", "Horváth Zoltán", "Balogh Katalin", "Szeged", "1968.07.04"),
    ("HR-9", "Szűcs Ödön", "Szűcs Ödön", "Lakatos Júlia", "Győr", "1999.12.31"),
]
DECLARED = [
    # same as the table, written differently (case, spaces, district notation)
    ("HR-1", "KISS ANNA", "Nagy  Anna", "Szabó Mária", "Bp. XI. ker.", "1985-03-12"),
    # birth place and mother's name differ
    ("HR-2", "Tóth Pálné", "Varga Éva", "Fekete Ilona Mária", "Debrecen-Józsa", "1972.11.02"),
    # no Belső azonosító in the table: found by name and birth date; birth name differs
    ("HR-3", "Horváth Zoltán", "Horváth Zoltán Péter", "Balogh Katalin", "Szeged", "1968.07.04"),
]


def write_csv(path, rows, delimiter=";"):
    lines = [delimiter.join(HEADERS)] + [delimiter.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def x_findings(result):
    return {(f.rule, f"{f.column}{f.row}"): f for f in result.findings if f.rule.startswith("X")}


@pytest.fixture
def table(tmp_path):
    return filled_table(tmp_path / "tabla.xlsx", TABLE)


def test_each_differing_field_is_x01_with_both_values(table, tmp_path):
    result = validate_table(
        table, today=TODAY, declarations=write_csv(tmp_path / "d.csv", DECLARED)
    )
    found = x_findings(result)
    assert set(found) == {("X01", "G3"), ("X01", "H3"), ("X01", "F4"), ("X02", "B5")}
    place = found[("X01", "H3")]
    assert (place.value, place.suggestion) == ("Debrecen", "Debrecen-Józsa")
    assert "Debrecen-Józsa" in place.message and place.severity == "hiba"
    assert found[("X01", "F4")].suggestion == "Horváth Zoltán Péter"
    assert found[("X02", "B5")].severity == "figyelmeztetés"
    assert result.has_errors


def test_matching_declarations_give_no_findings(table, tmp_path):
    declared = [*DECLARED[:1], TABLE[1], TABLE[2], TABLE[3]]
    result = validate_table(
        table, today=TODAY, declarations=write_csv(tmp_path / "d.csv", declared, ",")
    )
    assert x_findings(result) == {}


def test_declarations_as_xlsx_with_a_date_cell(table, tmp_path):
    path = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(list(HEADERS))
    wb.active.append(
        ["HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", datetime(1985, 3, 13)]
    )
    wb.save(path)
    assert read_declarations(path)[0].values["szuletesi_ido"] == "1985.03.13"
    found = x_findings(validate_table(table, today=TODAY, declarations=path))
    assert found[("X01", "I2")].suggestion == "1985.03.13"


def test_a_declarations_file_without_a_column_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Belső azonosító;Viselt név\nHR-1;Kiss Anna\n", encoding="utf-8")
    with pytest.raises(TableError, match="Születési név"):
        read_declarations(path)


def test_a_belso_azonosito_twice_is_refused(tmp_path):
    path = write_csv(tmp_path / "d.csv", [DECLARED[0], DECLARED[0]])
    with pytest.raises(TableError, match="kétszer"):
        read_declarations(path)


def test_unknown_format_and_missing_file_are_refused(tmp_path):
    with pytest.raises(TableError):
        read_declarations(tmp_path / "nincs.csv")
    odt = tmp_path / "d.ods"
    odt.write_bytes(b"x")
    with pytest.raises(TableError, match="formátuma"):
        read_declarations(odt)
