"""The table file as hostile input: limits from the settings, members copied as stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkod.config import get_settings
from kkod.errors import TableError
from kkod.table.package import Package
from kkod.table.reader import read_fourt, read_table
from kkod.table.writer import write_codes

from ..tables import filled_table

ROWS = [
    ("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Pécs", "1985.03.12"),
    ("HR-2", "Tóth Péter", "Tóth Péter", "Varga Éva", "Győr", "1979.11.02"),
    ("HR-3", "Kovács Béla", "Kovács Béla", "Molnár Erzsébet", "Szeged", "1990.01.30"),
]


@pytest.fixture
def limited(monkeypatch):
    """Settings with small limits, as an operator would set them."""

    def set_limits(**limits: int) -> None:
        for name, value in limits.items():
            monkeypatch.setenv(f"KKOD_TABLE_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield set_limits
    get_settings.cache_clear()


def test_more_rows_than_the_setting_allows_is_refused_naming_it(tmp_path, limited):
    path = filled_table(tmp_path / "t.xlsx", ROWS, template_rows=50)
    limited(max_rows=2)
    with pytest.raises(TableError, match="legfeljebb 2 adatsort") as caught:
        read_table(path)
    assert "KKOD_TABLE_MAX_ROWS" in caught.value.message and caught.value.exit_code == 2
    limited(max_rows=3)  # the 47 numbered rows after the data do not count
    assert len(read_table(path).rows) == 3


@pytest.mark.parametrize(
    ("limit", "value", "expected"),
    [
        ("max_file_bytes", 1000, "a fájl"),
        ("max_members", 5, "fájlt tartalmaz"),
        ("max_member_bytes", 4096, "kibontva"),
        ("max_total_bytes", 20_000, "összesen"),
    ],
)
def test_zip_limits_are_settings(tmp_path, limited, limit, value, expected):
    path = filled_table(tmp_path / "t.xlsx", ROWS)
    limited(**{limit: value})
    with pytest.raises(TableError, match=expected) as caught:
        read_table(path)
    assert f"KKOD_TABLE_{limit.upper()}" in caught.value.message


def test_a_table_in_memory_is_read_and_refused_as_its_file_would_be(tmp_path, limited):
    """The intake reads an attachment's bytes without writing them to disk: the same rows, the
    same refusals, the file named as it came."""
    path = filled_table(tmp_path / "t.xlsx", ROWS)
    named = Path("beerkezett.xlsx")
    assert read_fourt(named, data=path.read_bytes()) == read_fourt(path)
    with pytest.raises(TableError, match=r"„beerkezett\.xlsx”"):
        read_fourt(named, data=b"%PDF-1.7\n" + bytes(2000))
    limited(max_file_bytes=1000)
    with pytest.raises(TableError, match=r"„beerkezett\.xlsx” munkafüzet túl nagy") as caught:
        read_fourt(named, data=path.read_bytes())
    assert "KKOD_TABLE_MAX_FILE_BYTES" in caught.value.message


def test_untouched_members_are_copied_as_stored(tmp_path):
    path = filled_table(tmp_path / "t.xlsx", ROWS)
    write_codes(path, tmp_path / "ki.xlsx", {2: "7K3M-9XQ2-HT5W-R8P1-Z"})
    with Package(path) as before, Package(tmp_path / "ki.xlsx") as after:
        assert list(before.members) == list(after.members)
        for name in before.members:
            if name != "xl/worksheets/sheet1.xml":
                assert bytes(before.raw(name)) == bytes(after.raw(name)), name
        assert after.read("xl/worksheets/sheet1.xml").count(b"7K3M-9XQ2-HT5W-R8P1-Z") == 1
