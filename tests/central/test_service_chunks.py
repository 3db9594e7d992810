"""The in-process Central's chunk pipeline: what a failure or an early stop leaves, on both backends.

What every Central must do with chunks is in ``test_contract.py``."""

from __future__ import annotations

from contextlib import closing

import pytest
from sqlalchemy import func, select

from kkod.central.interface import MatchResult
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


def _audit_before_matching(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action != "match_and_issue")
        )
