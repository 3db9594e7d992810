"""The writer's guarantee on many generated workbooks: patched cells get the text, nothing else changes."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from kkod.table import layout
from kkod.table.writer import patch_cells

from .conftest import FIXTURES, assert_only_changed

LETTERS = "ABCDEFGHIJKL"
STYLES = [
    {},
    {"font": Font(bold=True, color="FF0000")},
    {"fill": PatternFill("solid", fgColor="FFFF00"), "number_format": "@"},
    {"protection": Protection(locked=False), "border": Border(left=Side(style="thin"))},
    {"number_format": "yyyy.mm.dd"},
]
texts = st.text(alphabet=st.sampled_from("aáeéiíoóöőuúüűAÁŐŰ &<>\"'_x0123-\n"), max_size=12)
values = st.one_of(
    st.none(),
    texts.filter(lambda t: t.strip() == t and t != "" and not t.startswith("=")),
    st.integers(0, 10**6),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(lambda f: round(f, 3)),
    st.dates(date(1900, 3, 1), date(2030, 12, 31)),
    st.just("=1+2"),
)
cells = st.dictionaries(  # below the table's header (row 1), which the writer finds the sheet by
    st.tuples(st.integers(2, 31), st.sampled_from(LETTERS)),
    st.tuples(values, st.integers(0, len(STYLES) - 1)),
    max_size=60,
)
patches = st.dictionaries(
    st.tuples(st.integers(1, 45), st.sampled_from(LETTERS + "M")),
    texts.filter(lambda t: "_x" not in t),
    min_size=1,
    max_size=25,
)


def _build(folder: Path, content: dict, hidden: str | None, extra_sheet: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Adatok"
    for column in layout.COLUMNS:
        ws[f"{column.letter}1"] = column.header
    for (row, letter), (value, style) in content.items():
        cell = ws[f"{letter}{row}"]
        cell.value = value
        for name, attribute in STYLES[style].items():
            setattr(cell, name, attribute)
    ws.column_dimensions["B"].width = 31
    if hidden:
        ws.column_dimensions[hidden].hidden = True
    validation = DataValidation(
        type="textLength", operator="equal", formula1="10", prompt="éééé.hh.nn"
    )
    validation.add("I2:I40")
    ws.add_data_validation(validation)
    ws.protection.sheet = True
    if extra_sheet:
        other = wb.create_sheet("Másik")
        other["A1"], other["B2"] = "másik lap", 42
        other.merge_cells("C3:D4")
    path = folder / "in.xlsx"
    wb.save(path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=cells,
    hidden=st.sampled_from([None, "C", "E"]),
    extra_sheet=st.booleans(),
    changes=patches,
)
def test_generated_workbooks_change_only_patched_cells(content, hidden, extra_sheet, changes):
    with tempfile.TemporaryDirectory() as folder:
        src = _build(Path(folder), content, hidden, extra_sheet)
        dst = Path(folder) / "out.xlsx"
        patch_cells(src, dst, changes)
        assert_only_changed(src, dst, changes)
        _assert_calamine_sees(dst, changes)


@settings(max_examples=25, deadline=None)
@given(
    base=st.sampled_from(["lo_filled.xlsx", "lo_from_csv.xlsx"]),
    changes=patches,
    in_place=st.booleans(),
)
def test_libreoffice_files_change_only_patched_cells(base, changes, in_place):
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / base
        shutil.copy(FIXTURES / base, src)
        reference = Path(folder) / f"ref-{base}"
        shutil.copy(src, reference)
        dst = src if in_place else Path(folder) / "out.xlsx"
        patch_cells(src, dst, changes)
        assert_only_changed(reference, dst, changes)
        _assert_calamine_sees(dst, changes)
        assert sorted(p.name for p in Path(folder).iterdir()) == sorted(
            {base, reference.name, dst.name}
        )


def _assert_calamine_sees(path: Path, changes: dict) -> None:
    grid = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(skip_empty_area=False)
    for (row, letter), text in changes.items():
        line = grid[row - 1] if row <= len(grid) else []
        assert (line[ord(letter) - 65] if ord(letter) - 65 < len(line) else "") == text
