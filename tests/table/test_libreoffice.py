"""Tables saved by LibreOffice Calc (committed fixtures, see scripts/make_lo_fixtures.sh) read and patch correctly."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from kkod.errors import TableError
from kkod.table.reader import read_table
from kkod.table.writer import write_codes

from .conftest import FIXTURES, assert_only_changed

CODES = {2: "7K3M-9XQ2-HT5W-R8P1-Z", 4: "0000-0000-0000-0000-0"}


def test_template_saved_by_calc_reads_faithfully():
    table = read_table(FIXTURES / "lo_filled.xlsx")
    assert table.sheet_name == "Kapcsolati kód adattáblázat"
    with zipfile.ZipFile(FIXTURES / "lo_filled.xlsx") as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()  # Calc writes shared strings
    rows = {r.row: r for r in table.rows}
    assert sorted(rows) == [2, 3, 4, 5, 6]
    assert rows[2].person.szuletesi_hely == "Budapest 11" and rows[2].text("I") == "1985.03.12"
    assert rows[3].cells["I"] == date(1979, 11, 2) and rows[3].megjegyzes == "áthelyezve"
    assert rows[4].cells["B"] == 4512 and rows[4].person.anyja_szuletesi_neve == "Űrös Zsófia"
    assert rows[5].cells["I"] == 19850312
    assert (
        rows[6].formulas == frozenset({"D"}) and rows[6].cells["D"] == "Varga Béla"
    )  # Calc's cached value
    assert all(not r.kapcsolati_kod for r in table.rows)


def test_csv_converted_by_calc_reads_faithfully():
    table = read_table(FIXTURES / "lo_from_csv.xlsx")
    assert table.sheet_name == "lo_from_csv"  # Calc names the sheet after the file: accepted
    rows = {r.row: r for r in table.rows}
    assert sorted(rows) == [2, 3, 4]  # row 5 holds only a Sorszám
    assert rows[2].cells["B"] == 4512  # Calc turned "004512" into a number
    assert rows[3].megjegyzes == "vesszővel, idézőjelben"
    assert rows[4].cells["I"] == date(1990, 1, 31)  # and "1990-01-31" into a date cell
    assert rows[2].cells["I"] == "1985.03.12"


@pytest.mark.parametrize("name", ["lo_filled.xlsx", "lo_from_csv.xlsx"])
def test_codes_written_into_calc_files_change_nothing_else(tmp_path: Path, name: str):
    src = tmp_path / name
    shutil.copy(FIXTURES / name, src)
    out = tmp_path / "kesz.xlsx"
    write_codes(src, out, CODES)
    assert_only_changed(src, out, {(row, "E"): code for row, code in CODES.items()})
    read = {r.row: r.kapcsolati_kod for r in read_table(out).rows}
    assert read[2] == CODES[2] and read[4] == CODES[4] and read[3] == ""


@pytest.mark.parametrize(
    ("name", "what"), [("lo_filled.ods", "OpenDocument"), ("lo_filled.xls", ".xls")]
)
def test_other_spreadsheet_formats_are_refused(name: str, what: str):
    with pytest.raises(TableError, match=what) as caught:
        read_table(FIXTURES / name)
    assert caught.value.exit_code == 2 and name in caught.value.message
