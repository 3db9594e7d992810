"""The in-process Central's chunk pipeline: what a failure or an early stop leaves, on both backends.

What every Central must do with chunks is in ``test_contract.py``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from kkod.central.codes import format_code
from kkod.central.interface import MatchResult
from kkod.central.models import AuditEntry, Connection, Person

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


# Chunks this big are joined through temporary tables in a thread of their own, and on
# PostgreSQL their new connections are stored behind the run.
def _big(*people, salt: int) -> list[bytes]:
    from kkod.central.matching import DIRECT_KEYS_AT_MOST

    padding = [bytes([salt, i % 256, i // 256, 7]) * 4 for i in range(DIRECT_KEYS_AT_MOST + 1)]
    return [*padding, *(key(p) for p in people)]


def _store_threads(engine) -> tuple[list[str], Callable[[], None]]:
    """The names of the threads that write the audit entries of matched chunks."""
    names: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "INSERT INTO central_audit" in statement:
            names.append(threading.current_thread().name)

    event.listen(engine, "before_cursor_execute", seen)
    return names, lambda: event.remove(engine, "before_cursor_execute", seen)


def test_big_chunks_connect_a_person_in_two_chunks_once(central, engine):
    """The second chunk's join may not see the first chunk's connections yet (on PostgreSQL
    they are stored behind): the person gets the code handed out first, stored once."""
    names, stop = _store_threads(engine)
    try:
        first, second = central.match_and_issue_chunks(
            KRID, [_big(KOVACS, salt=1), _big(NAGYNE, KOVACS, salt=2)]
        )
    finally:
        stop()
    assert first[-1].result is MatchResult.KOD and first[-1].code == second[-1].code
    assert second[-2].result is MatchResult.KOD and second[-2].code != first[-1].code
    assert _count(engine, Connection) == 2
    with engine.connect() as conn:
        details = conn.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "match_and_issue")
            .order_by(AuditEntry.id)
        ).all()
    assert [d.rsplit(" ", 1)[-1] for d in details] == ["new_connections=1"] * 2
    behind = engine.dialect.name == "postgresql"
    assert names == (["kkod-store_0"] * 2 if behind else ["MainThread"] * 2)


def test_big_chunks_handed_out_are_stored_when_the_caller_stops_early(central, engine):
    with closing(
        central.match_and_issue_chunks(KRID, [_big(KOVACS, salt=1), _big(NAGYNE, salt=2)])
    ) as matched:
        first = next(matched)
    assert first[-1].result is MatchResult.KOD
    with engine.connect() as conn:
        stored = conn.scalars(select(Connection.code)).all()
    assert [format_code(c) for c in stored] == [first[-1].code]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_chunk_that_cannot_be_stored_behind_fails_the_run_and_nothing_after_it_is_stored(
    central, engine
):
    """PostgreSQL (where storing goes behind): the first chunk's connections cannot be written
    (a trigger refuses them): the run raises although its outcomes were handed out, and no
    later chunk is stored."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'a lemez megtelt'; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON central_connections "
            "FOR EACH ROW WHEN (NEW.reference = 'KK-1') EXECUTE FUNCTION refuse()"
        )
    handed_out = []
    matched = central.match_and_issue_chunks(
        KRID, [_big(KOVACS, salt=1), _big(NAGYNE, salt=2)], reference="KK-1"
    )
    with pytest.raises(DBAPIError, match="a lemez megtelt"):
        for outcomes in matched:
            handed_out.append(outcomes)
    assert handed_out and handed_out[0][-1].result is MatchResult.KOD
    assert _count(engine, Connection) == 0
    assert _count(engine, AuditEntry) == _audit_before_matching(engine)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_join_waits_for_connections_that_would_mislead_its_plan(central, engine):
    """A chunk that makes 1,000 connections or more in a young table: the next chunk's join
    is planned only once they are stored and their statistics refreshed (a join planned with
    statistics that call the table empty scanned it once per key)."""
    from kkod.central.synthetic import seed_registry

    seed_registry(engine, 3_000, seed=11)
    with engine.connect() as conn:
        people = conn.scalars(select(Person.match_key).order_by(Person.id)).all()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "INSERT INTO central_audit" in statement or "kkod_tmp_match_rows AS" in statement:
            statements.append("store" if "audit" in statement else "join")
        elif statement.startswith("ANALYZE central_connections"):
            statements.append("analyze")

    event.listen(engine, "before_cursor_execute", seen)
    try:
        first, second = central.match_and_issue_chunks(
            KRID, [people[:2_500], [*people[2_500:], *_big(salt=3)]]
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    coded = sum(o.result is MatchResult.KOD for o in first)
    assert coded >= 1_000
    assert statements[:4] == ["join", "analyze", "store", "join"]
    assert _count(engine, Connection) == coded + sum(o.result is MatchResult.KOD for o in second)
