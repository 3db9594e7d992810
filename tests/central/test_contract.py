"""The Central protocol's contract, run against both implementations on both backends.

``any_central`` is the in-process :class:`InProcessCentral` and :class:`HttpCentral` talking
to a real server on loopback (with the ministry's key), each on SQLite and on PostgreSQL:
what the ministry and the employer get must not depend on where the registry runs.
"""

from __future__ import annotations

from contextlib import closing

import pytest
from sqlalchemy import func, select

from kkod.central.codes import parse_code
from kkod.central.interface import Central, MatchResult, UnknownOffice
from kkod.central.models import Connection
from kkod.central.registry import set_account_active

from .conftest import (
    KOVACS,
    KRID,
    MATCHING_CASES,
    NAGYNE,
    NO_ACCOUNT,
    OTHER_KRID,
    TWIN,
    TWO_ACCOUNTS,
    UNKNOWN,
    key,
)

CHUNKS = [
    [key(KOVACS), None, key(NO_ACCOUNT)],
    [],
    [None, None],
    [key(TWO_ACCOUNTS), key(NAGYNE), key(KOVACS)],
    [key(TWIN), key(UNKNOWN)],
]


def _connections(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Connection))


def test_it_is_a_central_that_knows_the_offices(any_central):
    implementation: Central = any_central  # type-checks against the protocol
    office = implementation.office(KRID)
    assert (office.short_name, office.name) == ("PMHIV", "Példa Megyei Hivatal")
    assert office.email_domains == ("pelda.gov.hu",)
    assert office.organisation_id == "VATHU-15000000"
    assert implementation.office("999") is None


@pytest.mark.parametrize(("person", "expected"), MATCHING_CASES)
def test_matching_semantics_in_bulk_and_one_by_one(any_central, person, expected):
    [outcome] = any_central.match_and_issue(KRID, [key(person)])
    assert outcome.result is expected
    assert (outcome.code is not None) == (expected is MatchResult.KOD)
    assert any_central.connect_one(KRID, key(person)) == outcome


def test_bulk_gives_one_outcome_per_key_in_order_with_none_as_hibas_sor(any_central):
    keys = [key(KOVACS), None, key(TWIN), key(NO_ACCOUNT), key(KOVACS), key(NAGYNE)]
    outcomes = any_central.match_and_issue(KRID, keys, reference="KK-2026-000001")
    assert [o.result for o in outcomes] == [
        MatchResult.KOD,
        MatchResult.HIBAS_SOR,
        MatchResult.TOBB_TALALAT,
        MatchResult.NINCS_TALALAT,
        MatchResult.KOD,
        MatchResult.KOD,
    ]
    assert outcomes[0].code == outcomes[4].code  # the same person twice: the same code
    assert outcomes[0].code != outcomes[5].code
    assert parse_code(outcomes[0].code) == outcomes[0].code
    assert any_central.match_and_issue(KRID, []) == []


def test_codes_are_stable_and_stored_once_per_office_and_account(any_central, engine):
    first = any_central.match_and_issue(KRID, [key(KOVACS), key(NAGYNE)])
    again = any_central.match_and_issue(KRID, [key(NAGYNE), key(KOVACS)])
    assert [o.code for o in first] == [o.code for o in reversed(again)]
    assert any_central.connect_one(KRID, key(KOVACS)).code == first[0].code
    assert any_central.connect_one(KRID, None).result is MatchResult.HIBAS_SOR
    assert _connections(engine) == 2
    with engine.connect() as conn:
        assert set(conn.scalars(select(Connection.via)).all()) == {"bulk"}


def test_codes_differ_per_office(any_central):
    assert (
        any_central.connect_one(KRID, key(KOVACS)).code
        != any_central.connect_one(OTHER_KRID, key(KOVACS)).code
    )


def test_lookup_code_is_limited_to_the_office_it_was_issued_to(any_central):
    code = any_central.connect_one(KRID, key(KOVACS)).code
    assert any_central.lookup_code(KRID, code).connected
    assert any_central.lookup_code(KRID, code.lower().replace("-", "")).connected
    other = any_central.lookup_code(OTHER_KRID, code)
    assert other.valid and not other.connected
    bad = any_central.lookup_code(KRID, code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert not bad.valid and not bad.connected


def test_a_closed_account_disconnects_its_code(any_central, engine):
    code = any_central.connect_one(KRID, key(KOVACS)).code
    set_account_active(engine, "kovacs.peter", False)
    assert not any_central.lookup_code(KRID, code).connected
    assert any_central.connect_one(KRID, key(KOVACS)).result is MatchResult.NINCS_TALALAT


def test_a_wrong_krid_is_refused_and_nothing_is_written(any_central, engine):
    with pytest.raises(UnknownOffice) as error:
        any_central.match_and_issue("424242", [key(KOVACS)])
    assert error.value.exit_code == 2
    assert "424242" in error.value.message
    with pytest.raises(UnknownOffice):
        any_central.connect_one("424242", key(KOVACS))
    with pytest.raises(UnknownOffice):
        any_central.lookup_code("424242", "0000-0000-0000-0000-0")
    assert _connections(engine) == 0


def test_chunks_give_what_one_call_per_chunk_gives(any_central):
    chunked = list(any_central.match_and_issue_chunks(KRID, CHUNKS))
    one_by_one = [any_central.match_and_issue(KRID, chunk) for chunk in CHUNKS]
    assert chunked == one_by_one
    assert [[o.result for o in chunk] for chunk in chunked] == [
        [MatchResult.KOD, MatchResult.HIBAS_SOR, MatchResult.NINCS_TALALAT],
        [],
        [MatchResult.HIBAS_SOR, MatchResult.HIBAS_SOR],
        [MatchResult.TOBB_TALALAT, MatchResult.KOD, MatchResult.KOD],
        [MatchResult.TOBB_TALALAT, MatchResult.NINCS_TALALAT],
    ]
    assert chunked[0][0].code == chunked[3][2].code  # the same person, the same code


def test_chunks_are_taken_only_as_the_registry_needs_them(any_central):
    taken = []

    def chunks():
        for index, chunk in enumerate(CHUNKS):
            taken.append(index)
            yield chunk

    with closing(any_central.match_and_issue_chunks(KRID, chunks())) as matched:
        next(matched)
        # the first chunk is done and the second one taken, to be matched meanwhile
        assert taken == [0, 1]


def test_a_caller_that_stops_after_a_chunk_keeps_it(any_central, engine):
    with closing(
        any_central.match_and_issue_chunks(KRID, [[key(KOVACS)], [key(NAGYNE)], [key(TWIN)]])
    ) as matched:
        [first] = next(matched)
    assert first.result is MatchResult.KOD
    assert _connections(engine) >= 1  # the chunk being matched meanwhile may be done too


def test_a_wrong_krid_is_refused_before_any_chunk_is_taken(any_central, engine):
    def chunks():
        raise AssertionError("no chunk may be taken")
        yield []

    with pytest.raises(UnknownOffice):
        next(any_central.match_and_issue_chunks("424242", chunks()))
    assert _connections(engine) == 0
