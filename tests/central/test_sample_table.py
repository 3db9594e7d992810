"""Sample tables drawn from the registry: a perfect table gets exactly the truth's results."""

from __future__ import annotations

from collections import Counter

import pytest

from kkod.central.interface import MatchResult, OfficeInfo, UnknownOffice
from kkod.central.registry import add_office
from kkod.central.sample_table import MISTAKES, draw_sample, read_truth, write_sample_table
from kkod.central.service import InProcessCentral
from kkod.central.synthetic import seed_registry
from kkod.errors import KkodError
from kkod.fourt.canonical import canonical
from kkod.table.reader import read_table

from .conftest import KRID, SECRET


@pytest.fixture
def seeded(engine):
    seed_registry(engine, 3000, seed=4)
    add_office(engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal"))
    return engine


def test_a_clean_sample_table_matches_as_the_truth_says(seeded, tmp_path):
    table, truth = tmp_path / "t.xlsx", tmp_path / "truth.csv"
    result = write_sample_table(
        seeded, table, krid=KRID, rows=300, error_rate=0.0, truth=truth, seed=1
    )
    assert result.rows == 300 and not result.mistakes
    rows = read_table(table).rows
    expected = read_truth(truth)
    assert [r.row for r in rows] == [t[0] for t in expected]
    assert len({t[1] for t in expected}) == 300  # 300 different people
    central = InProcessCentral(seeded, SECRET)
    outcomes = central.match_and_issue(KRID, [canonical(r.person).match_key() for r in rows])
    assert [o.result for o in outcomes] == [t[2] for t in expected]
    mix = Counter(t[2] for t in expected)
    assert mix[MatchResult.KOD] > 240 and mix[MatchResult.NINCS_TALALAT] > 10
    assert mix[MatchResult.TOBB_TALALAT] > 0
    assert all(r.belso_azonosito.startswith("T-") for r in rows)


def test_mistakes_are_injected_at_the_rate_and_recorded(seeded):
    sample = draw_sample(seeded, 1000, error_rate=0.5, seed=2)
    kinds = Counter(s.mistake for s in sample if s.mistake)
    assert 400 < sum(kinds.values()) < 600
    assert set(kinds) == set(MISTAKES)
    for s in sample:
        if s.mistake == "missing_district":
            assert s.fourt[3] == "Budapest"
        if s.mistake == "latin1":
            assert any(c in "".join(s.fourt) for c in "õûÕÛ")
        if s.mistake == "married_mother":
            assert s.fourt[2].endswith("né")


def test_a_sample_needs_a_known_office_and_a_seeded_registry(engine, tmp_path):
    with pytest.raises(UnknownOffice):
        write_sample_table(engine, tmp_path / "t.xlsx", krid="999", rows=5, error_rate=0)
    add_office(engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal"))
    with pytest.raises(KkodError, match="üres"):
        write_sample_table(engine, tmp_path / "t.xlsx", krid=KRID, rows=5, error_rate=0)
    assert not (tmp_path / "t.xlsx").exists()


def test_the_declarations_file_takes_every_mistaken_row_back_to_the_truth(seeded, tmp_path):
    from kkod.employer.validation import validate_table, write_fixed_table

    table, truth = tmp_path / "t.xlsx", tmp_path / "truth.csv"
    declarations, fixed = tmp_path / "nyilatkozatok.csv", tmp_path / "fixed.xlsx"
    result = write_sample_table(
        seeded, table, krid=KRID, rows=200, error_rate=0.6, truth=truth,
        declarations=declarations, seed=5,
    )  # fmt: skip
    assert sum(result.mistakes.values()) > 80
    header = declarations.read_text(encoding="utf-8-sig").splitlines()[0]
    assert (
        header
        == "Belső azonosító;Viselt név;Születési név;Anyja születési neve;Születési hely;Születési idő"
    )

    checked = validate_table(table, declarations=declarations)
    assert any(f.rule == "X01" for f in checked.findings)
    write_fixed_table(checked, fixed)
    again = validate_table(fixed, declarations=declarations)
    assert not [f for f in again.findings if f.rule in ("X01", "X02")]
    assert not again.has_errors

    central = InProcessCentral(seeded, SECRET)
    rows = read_table(fixed).rows
    outcomes = central.match_and_issue(KRID, [canonical(r.person).match_key() for r in rows])
    assert [o.result for o in outcomes] == [t[2] for t in read_truth(truth)]
