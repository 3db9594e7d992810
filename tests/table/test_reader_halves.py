"""A big sheet parsed as two halves at once reads exactly as the whole sheet parsed once; a
sheet that cannot be cut cleanly is parsed whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kkod.table import reader
from kkod.table.locate import open_table
from kkod.table.reader import parse_big_sheet, parse_rows, read_fourt
from kkod.table.sheet_xml import halves
from kkod.table.template import build_template

from ..tables import filled_table, with_sheet_xml

LETTERS = "ABCDEFGHIJK"


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, cells: dict[str, object]) -> str:
    inner = "".join(_cell(f"{letter}{number}", v) for letter, v in sorted(cells.items()))
    return f'<row r="{number}">{inner}</row>'


def _sheet(template: Path, path: Path, rows_xml: str) -> Path:
    """``template`` with its data rows (all but the header) replaced by ``rows_xml``."""

    def change(xml: str) -> str:
        header = re.search(r'<row r="1".*?</row>', xml, re.S)
        assert header is not None
        start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
        return xml[:start] + header[0] + rows_xml + xml[end:]

    return with_sheet_xml(template, path, change)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list, int]:
    """The rows read as halves and as the whole; how often the whole was parsed on the way."""
    monkeypatch.setattr(reader, "_HALVES_FROM", 0)
    wholes = []

    def counted(data: bytes, sheet: str):
        wholes.append(sheet)
        return parse_rows(data, sheet)

    table = open_table(path)
    package, sheet = table.package, table.sheet
    with monkeypatch.context() as patched:
        patched.setattr(reader, "parse_rows", counted)
        rows, failure = parse_big_sheet(package, sheet.part, sheet.name, package.xml(sheet.part))
        assert failure is None
        rows = list(rows)
    whole, failure = parse_rows(package.data, sheet.name)
    assert failure is None
    package.close()
    return rows, list(whole), len(wholes)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("halves") / "sablon.xlsx", rows=5)


def test_a_dense_table_reads_the_same_from_its_halves(template, tmp_path, monkeypatch):
    rows = "".join(
        _row(n, {"A": n - 1, "B": f"T-{n:03}", "D": f"Név {n}", "I": "1980.01.02"})
        for n in range(2, 60)
    )
    halved, whole, wholes = _both(_sheet(template, tmp_path / "t.xlsx", rows), monkeypatch)
    assert halved == whole and len(whole) == 59
    assert wholes == 0  # the halves were used


def test_halves_of_other_widths_and_a_gap_read_the_same(template, tmp_path, monkeypatch):
    """The first half reaches column K, the second starts at column C; rows without cells and
    missing rows lie around the middle."""
    first = "".join(_row(n, {"A": n, "K": f"megjegyzés {n} " * 3}) for n in range(2, 30))
    empty = "".join(f'<row r="{n}"></row>' for n in range(30, 36))
    second = "".join(_row(n, {"C": f"c{n}", "E": f"e{n}"}) for n in range(41, 70))
    halved, whole, wholes = _both(
        _sheet(template, tmp_path / "t.xlsx", first + empty + second), monkeypatch
    )
    assert halved == whole and len(whole) == 69 and len(whole[0]) == 11
    assert wholes == 0


def test_a_second_half_without_values_reads_the_same(template, tmp_path, monkeypatch):
    first = "".join(_row(n, {"D": "x" * 200}) for n in range(2, 12))
    empty = "".join(f'<row r="{n}"><c r="D{n}" s="1"/></row>' for n in range(12, 60))
    halved, whole, wholes = _both(_sheet(template, tmp_path / "t.xlsx", first + empty), monkeypatch)
    assert halved == whole and len(whole) == 11
    assert wholes == 0


def test_a_sheet_beyond_the_halves_limit_is_parsed_whole(template, tmp_path, monkeypatch):
    """The halves' copies cost memory: a sheet of more XML than the limit is parsed once."""
    rows = "".join(_row(n, {"B": f"T-{n}", "D": f"Név {n}"}) for n in range(2, 40))
    path = _sheet(template, tmp_path / "t.xlsx", rows)
    monkeypatch.setattr(reader, "_HALVES_UP_TO", 1_000)
    halved, whole, wholes = _both(path, monkeypatch)
    assert halved == whole
    assert wholes == 1


@pytest.mark.parametrize(
    "shuffle",
    [
        pytest.param(lambda rows: rows[-1:] + rows[:-1], id="the last row written first"),
        pytest.param(lambda rows: rows[:3] + rows[-1:] + rows[3:-1], id="a late row early"),
        pytest.param(lambda rows: rows[1:] + rows[:1], id="the first row written last"),
    ],
)
def test_rows_out_of_order_are_parsed_whole(template, tmp_path, monkeypatch, shuffle):
    rows = [_row(n, {"B": f"T-{n}", "D": f"Név {n}"}) for n in range(2, 40)]
    halved, whole, wholes = _both(
        _sheet(template, tmp_path / "t.xlsx", "".join(shuffle(rows))), monkeypatch
    )
    assert halved == whole
    assert wholes == 1


@pytest.mark.parametrize("wrap", [("<!-- ", " -->"), ("<![CDATA[", "]]>")])
def test_a_cut_inside_a_comment_or_cdata_is_parsed_whole(template, tmp_path, monkeypatch, wrap):
    """The only row boundary after the middle lies inside a comment: the cut found by bytes
    makes the first half unreadable, and the whole is read as calamine reads it."""
    opened, closed = wrap
    rows = "".join(_row(n, {"D": "y"}) for n in range(2, 4))
    hidden = "p" * 5000 + "".join(_row(n, {"D": "z"}) for n in (90, 91))
    xml = rows + f'<row r="4">{opened}{hidden}{closed}{_cell("D4", "v")}</row>'
    path = _sheet(template, tmp_path / "t.xlsx", xml)
    assert halves(open_table(path).package.xml("xl/worksheets/sheet1.xml")) is not None
    halved, whole, wholes = _both(path, monkeypatch)
    assert halved == whole
    assert wholes == 1


values = st.one_of(
    st.text(alphabet="abcÁőű 0-", min_size=1, max_size=12).filter(lambda t: t.strip() == t),
    st.integers(min_value=-1000, max_value=10**6),
)
grids = st.dictionaries(
    st.tuples(st.integers(min_value=2, max_value=80), st.sampled_from(LETTERS)), values, max_size=80
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(grid=grids)
def test_any_sparse_sheet_reads_the_same_from_its_halves(template, tmp_path, monkeypatch, grid):
    by_row: dict[int, dict[str, object]] = {}
    for (number, letter), value in grid.items():
        by_row.setdefault(number, {})[letter] = value
    rows = "".join(_row(n, by_row[n]) for n in sorted(by_row))
    halved, whole, _ = _both(_sheet(template, tmp_path / "t.xlsx", rows), monkeypatch)
    assert halved == whole


def test_a_big_table_reads_the_same_with_and_without_halves(tmp_path, monkeypatch):
    rows = [
        (f"T-{n}", f"Kovács {n}", "Kovács Anna", "Szabó Éva", "Budapest", "1980.03.04")
        for n in range(300)
    ]
    path = filled_table(tmp_path / "t.xlsx", rows, template_rows=300)
    monkeypatch.setattr(reader, "_PARSE_BESIDE_FROM", 0)
    monkeypatch.setattr(reader, "_HALVES_FROM", 10**12)
    once = read_fourt(path)
    monkeypatch.setattr(reader, "_HALVES_FROM", 0)
    cut = read_fourt(path)
    assert cut == once and len(cut.numbers) == 300


def test_a_cut_before_a_row_numbered_absurdly_is_bounded_not_an_error():
    """The row number after the cut is read as every other of the file's numbers is
    (``bounded_int``): 5,000 digits are past ``int``'s limit, and beyond any sheet's last row."""
    xml = (
        b'<worksheet><sheetData><row r="1"><c>' + b"x" * 9000 + b'</c></row><row r="'
        + b"9" * 5000 + b'"><c/></row></sheetData></worksheet>'
    )  # fmt: skip
    cut = halves(xml)
    assert cut is not None and cut[2] == 10**9
