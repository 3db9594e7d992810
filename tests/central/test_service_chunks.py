"""Match-and-issue chunk by chunk (the generation's pipelined path), on both backends."""

from __future__ import annotations

from contextlib import closing

import pytest
from sqlalchemy import func, select

from kkod.central.interface import MatchResult, UnknownOffice
from kkod.central.models import AuditEntry, Connection

from .conftest import KOVACS, KRID, NAGYNE, NO_ACCOUNT, TWIN, TWO_ACCOUNTS, UNKNOWN, key

CHUNKS = [
    [key(KOVACS), None, key(NO_ACCOUNT)],
    [],
    [None, None],
    [key(TWO_ACCOUNTS), key(NAGYNE), key(KOVACS)],
    [key(TWIN), key(UNKNOWN)],
]


def _count(engine, model):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_chunks_give_what_one_call_per_chunk_gives(central):
    chunked = list(central.match_and_issue_chunks(KRID, CHUNKS))
    one_by_one = [central.match_and_issue(KRID, chunk) for chunk in CHUNKS]
    assert chunked == one_by_one
    assert [[o.result for o in chunk] for chunk in chunked] == [
        [MatchResult.KOD, MatchResult.HIBAS_SOR, MatchResult.NINCS_TALALAT],
        [],
        [MatchResult.HIBAS_SOR, MatchResult.HIBAS_SOR],
        [MatchResult.TOBB_TALALAT, MatchResult.KOD, MatchResult.KOD],
        [MatchResult.TOBB_TALALAT, MatchResult.NINCS_TALALAT],
    ]
    assert chunked[0][0].code == chunked[3][2].code  # the same person, the same code


def test_chunks_are_taken_only_as_the_registry_needs_them(central):
    taken = []

    def chunks():
        for index, chunk in enumerate(CHUNKS):
            taken.append(index)
            yield chunk

    with closing(central.match_and_issue_chunks(KRID, chunks())) as matched:
        next(matched)
        # the first chunk is done and the second one taken, to be joined meanwhile
        assert taken == [0, 1]


def test_a_failing_chunk_source_keeps_the_chunks_before_and_rolls_back_the_rest(central, engine):
    def chunks():
        yield [key(KOVACS)]
        yield [key(NAGYNE)]
        raise RuntimeError("a kulcsok készítése megszakadt")

    matched = central.match_and_issue_chunks(KRID, chunks())
    with pytest.raises(RuntimeError, match="megszakadt"):
        list(matched)
    # chunk 1 was committed; chunk 2 was loaded and joined when the source failed: rolled back
    assert _count(engine, Connection) == 1
    assert _count(engine, AuditEntry) == 1 + _audit_before_matching(engine)
    # the registry is usable afterwards, and chunk 2 can be matched again
    [again] = central.match_and_issue(KRID, [key(NAGYNE)])
    assert again.result is MatchResult.KOD and _count(engine, Connection) == 2


def test_a_caller_that_stops_early_leaves_the_next_chunk_undone(central, engine):
    with closing(central.match_and_issue_chunks(KRID, [[key(KOVACS)], [key(NAGYNE)]])) as matched:
        [first] = next(matched)
    assert first.result is MatchResult.KOD
    assert _count(engine, Connection) == 1


def test_a_wrong_krid_is_refused_before_any_chunk_is_taken(central, engine):
    def chunks():
        raise AssertionError("no chunk may be taken")
        yield []

    with pytest.raises(UnknownOffice):
        next(central.match_and_issue_chunks("424242", chunks()))
    assert _count(engine, Connection) == 0


def _audit_before_matching(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action != "match_and_issue")
        )
