"""Codes written in batches (the generation's streaming path) give exactly what one write gives."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkod.errors import TableError
from kkod.table.template import build_template
from kkod.table.writer import PreparedTable, patch_cells, write_code_batches, write_codes

from ..tables import members, with_cell
from .conftest import assert_only_changed

CODES = {row: f"{row:04d}-AAAA-BBBB-CCCC-D" for row in range(2, 42)}


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    """A template of 60 rows with 4T text in rows 2–41 (the cells of column E exist)."""
    path = build_template(tmp_path_factory.mktemp("batches") / "tabla.xlsx", rows=60)
    patch_cells(path, path, {(row, "D"): f"Név {row}" for row in CODES})
    return path


def _batches(codes: dict[int, str], cuts: list[int]) -> list[dict[int, str]]:
    rows = sorted(codes)
    bounds = [0, *sorted(set(cuts)), len(rows)]
    return [{r: codes[r] for r in rows[a:b]} for a, b in pairwise(bounds)]


@given(cuts=st.lists(st.integers(0, len(CODES)), max_size=6))
def test_ordered_batches_stream_to_the_same_workbook(table, tmp_path_factory, cuts):
    folder = tmp_path_factory.mktemp("out")
    write_codes(table, folder / "egyben.xlsx", CODES)
    write_code_batches(table, folder / "reszletekben.xlsx", _batches(CODES, cuts))
    assert members(folder / "reszletekben.xlsx") == members(folder / "egyben.xlsx")


@given(block=st.integers(16, 4096), cuts=st.lists(st.integers(0, len(CODES)), max_size=4))
def test_a_sheet_inflated_block_by_block_gives_the_same_workbook(
    table, tmp_path_factory, block, cuts
):
    """Blocks of any size, cutting cells, rows and tags anywhere, change nothing written."""
    folder = tmp_path_factory.mktemp("out")
    write_codes(table, folder / "egyben.xlsx", CODES)
    prepared = PreparedTable(table, ["E"], streamed=True, block=block)
    assert prepared._streamed is not None
    prepared.write_code_batches(folder / "blokkokban.xlsx", _batches(CODES, cuts))
    assert members(folder / "blokkokban.xlsx") == members(folder / "egyben.xlsx")


def test_a_sheet_of_one_block_is_kept_whole_and_gives_the_same_workbook(table, tmp_path):
    """Streaming a sheet that fits in one block would only inflate it twice."""
    write_codes(table, tmp_path / "egyben.xlsx", CODES)
    prepared = PreparedTable(table, ["E"], streamed=True)  # 22 KB against 4 MiB blocks
    assert prepared._streamed is None
    prepared.write_code_batches(tmp_path / "egeszben.xlsx", _batches(CODES, [10, 20]))
    assert members(tmp_path / "egeszben.xlsx") == members(tmp_path / "egyben.xlsx")


@given(order=st.permutations(range(4)))
def test_batches_out_of_order_fall_back_to_one_write(table, tmp_path_factory, order):
    folder = tmp_path_factory.mktemp("out")
    batches = _batches(CODES, [10, 20, 30])
    write_codes(table, folder / "egyben.xlsx", CODES)
    write_code_batches(table, folder / "kevert.xlsx", [batches[i] for i in order])
    assert members(folder / "kevert.xlsx") == members(folder / "egyben.xlsx")


def test_rows_without_cells_fall_back_and_are_inserted(table, tmp_path):
    codes = {**CODES, 80: "NEW0-AAAA-BBBB-CCCC-D"}  # row 80 is not in the sheet
    write_code_batches(table, tmp_path / "uj.xlsx", [dict(list(CODES.items())[:5]), codes])
    assert_only_changed(table, tmp_path / "uj.xlsx", {(r, "E"): c for r, c in codes.items()})


def test_the_table_is_prepared_before_the_first_batch_is_taken(tmp_path):
    path = tmp_path / "nem.xlsx"
    path.write_text("ez nem munkafüzet")
    taken = []

    def batches():
        taken.append(True)
        yield CODES

    with pytest.raises(TableError, match="CSV- vagy szövegfájl"):
        write_code_batches(path, tmp_path / "ki.xlsx", batches())
    assert taken == [] and not (tmp_path / "ki.xlsx").exists()


def test_a_shared_formula_in_column_e_is_refused_while_streaming(table, tmp_path):
    cell = '<c r="E3" s="4"><f t="shared" ref="E3:E5" si="0">1+1</f><v>2</v></c>'
    broken = with_cell(table, tmp_path / "keplet.xlsx", "E3", cell)
    with pytest.raises(TableError, match="E3"):
        PreparedTable(broken, ["E"]).write_code_batches(tmp_path / "ki.xlsx", [{2: "X"}, {3: "Y"}])
    assert not (tmp_path / "ki.xlsx").exists()
