"""What the intake read from a table survives the trip through the request store exactly."""

from __future__ import annotations

import marshal
import zlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kkod.fourt.model import OpaqueCell
from kkod.table import columns_codec
from kkod.table.columns_codec import ColumnsUnreadable, decode_columns, encode_columns
from kkod.table.reader import FourTColumns

CELLS = st.one_of(
    st.none(),
    st.text(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False),
    st.dates(),
    st.sampled_from([OpaqueCell("error"), OpaqueCell("richvalue")]),
)
ROWS = st.tuples(
    st.integers(min_value=2, max_value=1_048_576),
    st.text(),
    st.text(),
    st.text(),
    st.one_of(st.none(), st.tuples(*[CELLS] * 5)),
    st.frozensets(st.sampled_from("DEFGHI")),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(ROWS, max_size=30))
def test_every_kind_of_cell_comes_back_as_it_was(rows):
    columns = FourTColumns(
        numbers=[r[0] for r in rows],
        sorszam=[r[1] for r in rows],
        belso_azonosito=[r[2] for r in rows],
        kapcsolati_kod=[r[3] for r in rows],
        fourt=[r[4] for r in rows],
        blocked={r[0]: (r[4] or (None,) * 5, r[5]) for r in rows if r[4] is None},
    )
    back = decode_columns(encode_columns(columns))
    assert back == columns
    for before, after in zip(columns.fourt, back.fourt, strict=True):  # int stays int, date date
        assert [type(c) for c in before or ()] == [type(c) for c in after or ()]


def _written(*parts: object) -> bytes:
    return columns_codec._MAGIC + marshal.dumps(parts, 4)


ROW = ([2], ["1"], ["B"], [""])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not columns",
        # what the version before wrote: zlib-compressed JSON
        zlib.compress(
            b'{"v":1,"numbers":[],"sorszam":[],"belso":[],"codes":[],"fourt":[],"blocked":[]}'
        ),
        columns_codec._MAGIC,
        columns_codec._MAGIC + b"\xff\x00",
        _written(1, 2),
        _written(None, *ROW, [("a",) * 5], []),
        _written(False, [2, 3], ["1"], ["B"], [""], [("a",) * 5], []),
        _written(False, ["2"], ["1"], ["B"], [""], [("a",) * 5], []),
        _written(False, *ROW, [["a"] * 5], []),
        _written(False, *ROW, [("a", "b", "c", "d", ["e"])], []),
        _written(False, *ROW, [("a", "b", "c", "d", ("date", 1))], []),
        _written(False, *ROW, [("a", "b", "c", "d", compile("1", "x", "eval"))], []),
        _written(True, *ROW, [("a", "b", "c", "d", ("date", "1985-03-12"))], []),
        _written(True, *ROW, [("a", "b", "c", "d", ("opaque", "other"))], []),
        _written(True, *ROW, [("a", "b", "c", "d", ("date", 0))], []),
        _written(False, *ROW, [None], [(2, ("a",), {"D"})]),
        _written(False, *ROW, [None], [(2, ("a", b"x"), frozenset("D"))]),
    ],
    ids=[
        "empty",
        "not-columns",
        "the-version-before",
        "only-the-mark",
        "not-marshal",
        "not-the-columns",
        "untagged",
        "lengths-differ",
        "a-row-number-as-text",
        "a-row-as-a-list",
        "a-list-cell",
        "a-tuple-cell-untagged",
        "a-code-object",
        "a-date-as-text",
        "an-unknown-opaque-kind",
        "a-date-out-of-range",
        "blocked-letters-as-a-set",
        "a-blocked-bytes-cell",
    ],
)
def test_what_this_version_did_not_write_is_refused(data):
    with pytest.raises(ColumnsUnreadable):
        decode_columns(data)


def test_plain_cells_are_written_as_they_are_and_a_date_makes_them_tagged():
    plain = FourTColumns(*ROW, [("a", "b", None, 1011, 2.5)], {})
    dated = FourTColumns(*ROW, [("a", "b", None, 1011, date(1985, 3, 12))], {})
    assert marshal.loads(encode_columns(plain)[len(columns_codec._MAGIC) :])[0] is False
    assert marshal.loads(encode_columns(dated)[len(columns_codec._MAGIC) :])[0] is True
    assert decode_columns(encode_columns(plain)) == plain


def test_a_date_cell_is_a_date_again():
    columns = FourTColumns([2], ["1"], ["B"], [""], [("a", "b", "c", "d", date(1985, 3, 12))], {})
    assert decode_columns(encode_columns(columns)).fourt[0][4] == date(1985, 3, 12)
