"""Helpers for the table tests: a template filled with openpyxl, and comparisons of two workbooks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kkod.table.template import build_template

from ..tables import members

FIXTURES = Path(__file__).parent / "fixtures"


def fill(path: Path, rows: dict[int, dict[str, object]]) -> Path:
    """Set cells of the first sheet (row → letter → value) with openpyxl and save in place."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for row, cells in rows.items():
        for letter, value in cells.items():
            ws[f"{letter}{row}"] = value
    wb.save(path)
    return path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return build_template(tmp_path / "sablon.xlsx", rows=20)


def cell_snapshot(path: Path) -> dict[tuple[str, str], tuple]:
    """(sheet, coordinate) → (value, number format, font, fill, border, protection, alignment).

    Only cells present in the file's XML (openpyxl's ``_cells``): ``iter_rows`` would invent the
    missing ones with openpyxl's own default style, which is not what Excel shows for them.
    """
    wb = openpyxl.load_workbook(path)
    snapshot = {}
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            snapshot[(ws.title, cell.coordinate)] = (
                cell.value,
                cell.number_format,
                repr(cell.font),
                repr(cell.fill),
                repr(cell.border),
                repr(cell.protection),
                repr(cell.alignment),
            )
    return snapshot


def sheet_features(path: Path) -> dict[str, object]:
    """What a sheet carries besides cells: widths, hidden columns, panes, validations, protection."""
    wb = openpyxl.load_workbook(path)
    features = {}
    for ws in wb.worksheets:
        features[ws.title] = (
            {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            ws.freeze_panes,
            [
                (str(v.sqref), v.type, v.prompt, v.formula1)
                for v in ws.data_validations.dataValidation
            ],
            repr(ws.protection),
            ws.merged_cells.ranges and sorted(str(r) for r in ws.merged_cells.ranges),
        )
    features["sheets"] = wb.sheetnames
    return features


def assert_only_changed(before: Path, after: Path, changed: dict[tuple[int, str], str]) -> None:
    """Every cell but ``changed`` (first sheet) keeps value and style; other members identical."""
    old, new = cell_snapshot(before), cell_snapshot(after)
    first = openpyxl.load_workbook(before).sheetnames[0]
    for key, value in old.items():
        sheet, coordinate = key
        if sheet == first and _split(coordinate) in changed:
            continue
        assert new[key] == value, key
    for (row, letter), text in changed.items():
        got = new.get((first, f"{letter}{row}"), (None,))
        assert got[0] == (text or None), (row, letter)
        if (first, f"{letter}{row}") in old:
            assert got[1:] == old[(first, f"{letter}{row}")][1:], "style of a patched cell changed"
    assert sheet_features(before) == sheet_features(after)
    old_members, new_members = members(before), members(after)
    assert list(old_members) == list(new_members)
    sheet_part = _table_sheet_part(before)
    for name, content in old_members.items():
        if name != sheet_part:
            assert new_members[name] == content, name


def _split(coordinate: str) -> tuple[int, str]:
    letters = coordinate.rstrip("0123456789")
    return int(coordinate[len(letters) :]), letters


def _table_sheet_part(path: Path) -> str:
    from kkod.table.locate import open_table

    with open_table(path) as table:
        return table.sheet.part
