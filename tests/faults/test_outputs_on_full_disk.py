"""A report or a template written on a full disk: the write fails with the disk's own error,
nothing is left behind and nothing is printed later — the libraries that zip the workbook
(XlsxWriter, openpyxl) leave their zip file open when a write fails, and its clean-up at
garbage collection fails again and prints a traceback.
"""

from __future__ import annotations

import errno
import gc
import sys

import pytest

from kkod.reports import BULK_ROWS_FROM, IN_MEMORY_CELLS, Report, write_report
from kkod.table.template import build_template

from .smalldisk import SmallDisk


@pytest.fixture
def full_disk(tmp_path):
    disk = SmallDisk(tmp_path / "kicsi", 4 * 1024 * 1024)
    filler = disk.fill(leave=0)
    yield disk, filler
    disk.close()


@pytest.fixture
def unraisable(monkeypatch):
    """What the interpreter could not raise (a failing ``__del__``) during the test."""
    seen: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(info))
    return seen


def _rows(count: int) -> list[tuple[object, ...]]:
    return [(n, f"Név {n}", "hiányzó adat" * 3) for n in range(count)]


HEADERS = ("Sor", "Név", "Ok")
TABLES = {
    "few rows": lambda: Report("Okok", HEADERS, _rows(5)),
    "a bulk table": lambda: Report("Okok", HEADERS, _rows(BULK_ROWS_FROM * 4), bulk=True),
    # More cells than are built in memory, given as an iterator: streamed through files.
    "streamed": lambda: Report("Okok", HEADERS, iter(_rows(IN_MEMORY_CELLS // 3 + 1))),
}


@pytest.mark.parametrize("table", TABLES, ids=str)
def test_a_report_on_a_full_disk_fails_with_the_disks_error_and_leaves_nothing(
    full_disk, unraisable, table
):
    disk, filler = full_disk
    with pytest.raises(OSError) as failed:
        write_report(disk.path / "okok.xlsx", TABLES[table]())
    assert failed.value.errno == errno.ENOSPC
    del failed
    gc.collect()
    assert unraisable == []
    assert sorted(disk.path.iterdir()) == [filler]


def test_a_template_on_a_full_disk_fails_with_the_disks_error_and_leaves_nothing(
    full_disk, unraisable
):
    disk, filler = full_disk
    with pytest.raises(OSError) as failed:
        build_template(disk.path / "sablon.xlsx")
    assert failed.value.errno == errno.ENOSPC
    del failed
    gc.collect()
    assert unraisable == []
    assert sorted(disk.path.iterdir()) == [filler]
