"""The generation's memoised match keys are exactly those of ``canonical(row.person)``."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kkod.fourt.canonical import canonical
from kkod.ministry.generation import match_keys
from kkod.table.reader import TableRow

NAMES = ["Kovács Péter", "dr. Kovács  Péter", "KOVÁCS PÉTER", "Kovács Péterné", "Tóth\u00a0Éva", "", " ", "Nagy-Szabó Anna", "Nagy–Szabó Anna", "Kovacs Peter"]  # fmt: skip
PLACES = ["Budapest 11", "Bp. XI. ker.", "Budapest, 11. kerület", "Budapest", "Debrecen", "debrecen ", "Budapest 99", ""]  # fmt: skip
DATES = ["1985.03.12", "1985-03-12", "1985. márc. 12.", "19850312", "1985.02.30", "", "tegnap"]

text_or_pick = st.one_of(st.sampled_from(NAMES), st.text(max_size=12))
cell = st.one_of(st.none(), text_or_pick, st.integers(0, 99999))
date_cell = st.one_of(
    st.none(),
    st.sampled_from(DATES),
    st.dates(date(1900, 1, 1), date(2030, 1, 1)),
    st.integers(1, 60000),
)


@st.composite
def rows(draw):
    cells = {}
    for letter, strategy in (
        ("D", cell), ("F", cell), ("G", cell),
        ("H", st.one_of(st.none(), st.sampled_from(PLACES), st.text(max_size=10))),
        ("I", date_cell),
    ):  # fmt: skip
        value = draw(strategy)
        if value is not None and value != "":
            cells[letter] = value
    formulas = frozenset(draw(st.sets(st.sampled_from("DFGHIE"), max_size=1)))
    return TableRow(row=draw(st.integers(2, 1000)), cells=cells, formulas=formulas)


@settings(max_examples=300)
@given(st.lists(rows(), max_size=30))
def test_match_keys_equal_the_canonical_form(table_rows):
    expected = []
    for row in table_rows:
        if row.formulas - {"E"}:
            expected.append(None)
            continue
        form = canonical(row.person)
        expected.append(form.match_key() if form else None)
    assert match_keys(table_rows) == expected


def test_a_formula_in_a_4t_cell_makes_the_row_invalid():
    cells = {
        "D": "Kovács Péter",
        "F": "Kovács Péter",
        "G": "Szabó Mária",
        "H": "Pécs",
        "I": "1985.03.12",
    }
    assert match_keys([TableRow(2, cells, frozenset())])[0] is not None
    assert match_keys([TableRow(2, cells, frozenset({"H"}))]) == [None]
    assert match_keys([TableRow(2, cells, frozenset({"E"}))])[0] is not None
