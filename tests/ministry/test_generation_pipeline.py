"""The pipelined generation (chunks, a writer process) gives what the plain one gives."""

from __future__ import annotations

import pytest

import kkod.ministry.generation as generation
from kkod.errors import TableError
from kkod.ministry.generation import KeyMaker, generate, match_keys_of_cells
from kkod.table.reader import read_fourt

from ..tables import members, with_cell
from . import test_generation

KRID = test_generation.KRID
central = test_generation.central  # the same fixtures: registry and table
table = test_generation.table


@pytest.fixture
def plain(central, table, tmp_path, monkeypatch):
    """The outputs of one chunk, written in this process."""
    monkeypatch.setattr(generation, "WRITER_PROCESS_FROM_BYTES", 1 << 40)
    result = generate(table, KRID, central, tmp_path / "egyben.xlsx", tmp_path / "egyben.csv")
    monkeypatch.undo()
    return result


@pytest.mark.parametrize("chunk", [1, 2, 4, 100])
@pytest.mark.parametrize("in_child", [True, False], ids=["child-process", "in-process"])
def test_chunked_and_child_written_outputs_equal_the_plain_ones(
    central,
    table,
    plain,
    tmp_path,
    monkeypatch,
    chunk,
    in_child,
):
    monkeypatch.setattr(central, "chunk_rows", chunk)
    monkeypatch.setattr(generation, "WRITER_PROCESS_FROM_BYTES", 0 if in_child else 1 << 40)
    notes = []
    result = generate(
        table,
        KRID,
        central,
        tmp_path / "darabokban.xlsx",
        tmp_path / "darabokban.csv",
        progress=lambda stage, done, total: notes.append((stage, done, total)),
    )
    assert result.rows == plain.rows
    assert members(result.output) == members(plain.output)
    assert result.report.read_bytes() == plain.report.read_bytes()
    matching = [done for stage, done, _ in notes if stage.startswith("Egyeztetés")]
    assert matching == sorted(matching) and matching[-1] == len(plain.rows)
    assert len(matching) == 1 + -(-len(plain.rows) // chunk)


def test_an_error_in_the_child_writer_leaves_no_output(central, table, tmp_path, monkeypatch):
    """A shared formula in column E: only the writer finds it; nothing is left behind."""
    monkeypatch.setattr(generation, "WRITER_PROCESS_FROM_BYTES", 0)
    formula = '<c r="E2" s="4"><f t="shared" ref="E2:E3" si="0">1+1</f><v>2</v></c>'
    broken = with_cell(table, tmp_path / "keplet.xlsx", "E2", formula)
    out = tmp_path / "ki"
    out.mkdir()
    with pytest.raises(TableError, match="E2"):
        generate(broken, KRID, central, out / "ki.xlsx", out / "ki.csv")
    assert list(out.iterdir()) == []


def test_keys_made_chunk_by_chunk_equal_keys_made_at_once(table):
    cells = read_fourt(table).fourt
    make = KeyMaker()
    assert [k for start in range(0, len(cells), 2) for k in make(cells[start : start + 2])] == (
        match_keys_of_cells(cells)
    )


def test_a_warm_key_maker_gives_the_keys_a_new_one_does(central, table, tmp_path):
    cells = read_fourt(table).fourt
    others = [(f"Új{n} Név", f"Új{n} Név", "Anya Neve", "Pécs", "1980.01.02") for n in range(5)]
    warm = KeyMaker(limit=3)  # forgets what it kept once it holds more than 3 names
    assert warm(cells) == match_keys_of_cells(cells)
    assert warm.names_kept > 3
    assert warm(others) == match_keys_of_cells(others)
    assert warm.names_kept == 6  # forgotten before the chunk, then its 5 names and the mother's
    assert warm(cells) == match_keys_of_cells(cells)
    kept = KeyMaker(limit=None)
    assert kept(cells) == kept(cells) == match_keys_of_cells(cells)


def test_a_worker_style_generate_with_a_warm_key_maker_writes_the_same(central, table, tmp_path):
    warm = KeyMaker(limit=1000)
    first = generate(table, KRID, central, tmp_path / "a.xlsx", tmp_path / "a.csv", keys=warm)
    assert warm.names_kept > 0
    again = generate(table, KRID, central, tmp_path / "b.xlsx", tmp_path / "b.csv", keys=warm)
    fresh = generate(table, KRID, central, tmp_path / "c.xlsx", tmp_path / "c.csv")
    assert (
        [r.code for r in first.rows] == [r.code for r in again.rows] == [r.code for r in fresh.rows]
    )
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
