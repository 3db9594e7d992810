"""The in-process Central's own ways: key rotation, secrets, the audit, set-based matching.

What every Central must do is in ``test_contract.py``."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from kkod.central.codes import CodeError, derive_code, format_code, normalize
from kkod.central.interface import MatchResult, Via
from kkod.central.models import Account, AuditEntry, Connection
from kkod.central.service import InProcessCentral

from .conftest import (
    KOVACS,
    KRID,
    MATCHING_CASES,
    NAGYNE,
    NO_ACCOUNT,
    OTHER_KRID,
    SECRET,
    TWO_ACCOUNTS,
    key,
)


def test_a_stored_code_never_changes_even_after_key_rotation(central, engine):
    before = central.match_and_issue(KRID, [key(KOVACS)])[0].code
    rotated = InProcessCentral(engine, bytes.fromhex("22" * 32), key_id=2)
    assert rotated.match_and_issue(KRID, [key(KOVACS)])[0].code == before
    # A new pair gets a code from the new key, and the key id is kept with it.
    rotated.connect_one(KRID, key(NAGYNE), via=Via.MANUAL)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Connection.via, Connection.key_id)).all())
    assert rows == {"bulk": 1, "manual": 2}


def test_codes_differ_per_office_and_depend_on_the_secret(central, engine):
    ours = central.connect_one(KRID, key(KOVACS)).code
    theirs = central.connect_one(OTHER_KRID, key(KOVACS)).code
    assert ours != theirs
    other_secret = InProcessCentral(engine, bytes.fromhex("33" * 32))
    issued = other_secret.connect_one(KRID, key(NAGYNE)).code
    with engine.connect() as conn:
        account_id = conn.scalar(select(Account.id).where(Account.username == "nagy.eva"))
    assert issued == format_code(derive_code(bytes.fromhex("33" * 32), 1, KRID, account_id))
    assert issued != format_code(derive_code(SECRET, 1, KRID, account_id))


def test_the_audit_records_counts_and_never_4t(central, engine):
    central.match_and_issue(
        KRID, [key(KOVACS), key(NO_ACCOUNT), None], reference="KK-1", actor="worker-1"
    )
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "match_and_issue")).one()
    assert entry.actor == "worker-1" and entry.krid == KRID
    assert "rows=3" in entry.detail and "KOD=1" in entry.detail and "HIBAS_SOR=1" in entry.detail
    assert "KK-1" in entry.detail
    for value in ("Kovács", "Kiss", "Szabó", "1985", "Budapest"):
        assert value not in entry.detail


def test_bulk_matching_is_set_based_for_many_keys(central, engine):
    """Thousands of keys (most unknown) go through in one call with the same results."""
    unknown = [bytes([i % 256, i // 256]) * 8 for i in range(3000)]
    keys = [*unknown, key(KOVACS), key(TWO_ACCOUNTS)]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        outcomes = central.match_and_issue(KRID, keys)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [o.result for o in outcomes[-2:]] == [MatchResult.KOD, MatchResult.TOBB_TALALAT]
    assert all(o.result is MatchResult.NINCS_TALALAT for o in outcomes[:-2])
    assert len(statements) < 20  # a handful of statements, not one per key


def test_a_small_chunk_joined_by_one_statement_matches_as_a_big_one(central, engine):
    """Up to DIRECT_KEYS_AT_MOST keys are joined by a statement that carries them, more
    through temporary tables: each matching case gets the same result and code either way."""
    from kkod.central.matching import DIRECT_KEYS_AT_MOST

    people = [case.values[0] for case in MATCHING_CASES]
    padding = [bytes([i % 256, i // 256]) * 8 for i in range(DIRECT_KEYS_AT_MOST + 1)]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        small = central.match_and_issue(KRID, [key(p) for p in people])
        temporary_in_small = [s for s in statements if "TEMPORARY" in s]
        big = central.match_and_issue(KRID, [*padding, *(key(p) for p in people)])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert temporary_in_small == []
    assert any("TEMPORARY" in s for s in statements)  # the big one went the other way
    assert big[len(padding) :] == small
    assert [o.result for o in small] == [case.values[1] for case in MATCHING_CASES]
    assert all(o.code for o in small if o.result is MatchResult.KOD)


def test_the_code_parser_rejects_what_lookup_calls_invalid():
    with pytest.raises(CodeError):
        normalize("not-a-code")


@pytest.mark.parametrize("others", [1, 2_500], ids=["as-arrays", "by-copy"])
def test_issuing_again_keeps_what_another_worker_stored(central, engine, others):
    """A pair connected meanwhile (here: with another key) keeps its stored code; the others
    are created (on PostgreSQL, many: the COPY is undone and redone skipping it)."""
    from kkod.central.matching import issue_codes

    stored, office_id, account_id, rest = _kovacs_connected_and_others(central, engine, others)
    with engine.begin() as conn:
        codes, created = issue_codes(
            conn, office_id=office_id, krid=KRID, account_ids=[*rest, account_id],
            secret=bytes.fromhex("99" * 32), key_id=7, via="bulk", reference=None, known_missing=True,
        )  # fmt: skip
    assert len(rest) == others and format_code(codes[account_id]) == stored
    assert created == others
    assert {a: codes[a] for a in rest} == {
        a: derive_code(bytes.fromhex("99" * 32), 7, KRID, a) for a in rest
    }
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).select_from(Connection).where(Connection.office_id == office_id)
        )
    assert count == others + 1


@pytest.mark.parametrize("count", [1, 250, 2_500], ids=["one", "as-arrays", "many-by-copy"])
def test_issuing_creates_each_missing_connection_once_with_its_derived_code(central, engine, count):
    """One INSERT of arrays for up to a few thousand, COPY into the table for more
    (PostgreSQL): the same codes, created once, and issuing again creates nothing."""
    from kkod.central.matching import issue_codes
    from kkod.central.models import Office
    from kkod.central.synthetic import seed_registry

    seed_registry(engine, 2 * count, seed=3)  # not everyone has an account
    secret = bytes.fromhex("77" * 32)
    with engine.begin() as conn:
        office_id = conn.scalar(select(Office.id).where(Office.krid == KRID))
        unconnected = Account.id.not_in(select(Connection.account_id))
        accounts = conn.scalars(select(Account.id).where(unconnected).limit(count)).all()
    assert len(accounts) == count
    results = []
    for _ in range(2):
        with engine.begin() as conn:
            issued = issue_codes(
                conn, office_id=office_id, krid=KRID, account_ids=accounts, secret=secret,
                key_id=3, via="bulk", reference="KK-1", known_missing=not results,
            )  # fmt: skip
            results.append(issued)
    (codes, created), (again, created_again) = results
    assert created == count and created_again == 0 and again == codes
    assert codes == {a: derive_code(secret, 3, KRID, a) for a in accounts}
    with engine.connect() as conn:
        stored = conn.execute(
            select(Connection.account_id, Connection.code, Connection.reference).where(
                Connection.office_id == office_id
            )
        ).all()
    assert sorted(stored) == sorted((a, codes[a], "KK-1") for a in accounts)


@pytest.mark.postgres
def test_a_big_issue_refreshes_the_statistics_of_a_young_connections_table(pg_database):
    """PostgreSQL: the next chunk's join is planned with the connections just made, not with
    statistics that still say the table is empty (a nested loop then scanned it per key)."""
    from kkod.central.interface import OfficeInfo
    from kkod.central.matching import issue_codes
    from kkod.central.models import Office
    from kkod.central.registry import add_office
    from kkod.central.synthetic import seed_registry
    from kkod.db import make_engine, migrate

    engine = make_engine(pg_database)
    migrate(engine, "central")
    add_office(engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal"))
    seed_registry(engine, 3_000, seed=9)
    reltuples = text("SELECT reltuples FROM pg_class WHERE relname = 'central_connections'")
    try:
        with engine.begin() as conn:
            office_id = conn.scalar(select(Office.id).where(Office.krid == KRID))
            accounts = conn.scalars(select(Account.id).limit(1_500)).all()
            assert conn.execute(reltuples).scalar() <= 0  # never analysed, or empty
            issue_codes(
                conn, office_id=office_id, krid=KRID, account_ids=accounts, secret=SECRET,
                key_id=1, via="bulk", reference=None, known_missing=True,
            )  # fmt: skip
        with engine.connect() as conn:
            assert conn.execute(reltuples).scalar() == len(accounts) == 1_500
            # the columns the joins look up by are sampled (the rest is left to autovacuum)
            sampled = conn.scalars(
                text("SELECT attname FROM pg_stats WHERE tablename = 'central_connections'")
            ).all()
            assert {"office_id", "account_id"} <= set(sampled)
    finally:
        engine.dispose()


def test_an_offices_connections_searched_by_part_of_a_code(central, engine):
    from kkod.central.codes import searchable
    from kkod.central.connections import search_connections

    mine = [central.connect_one(KRID, key(p)).code for p in (KOVACS, NAGYNE)]
    theirs = central.connect_one(OTHER_KRID, key(KOVACS)).code
    with engine.connect() as conn:
        everything, total = search_connections(conn, central_office_id(conn, KRID))
        part = searchable(mine[0][5:12].lower())
        found, found_total = search_connections(conn, central_office_id(conn, KRID), part)
        none, _ = search_connections(conn, central_office_id(conn, KRID), searchable(theirs))
        paged, _ = search_connections(conn, central_office_id(conn, KRID), offset=1, limit=1)
    assert [e.code for e in everything] == mine[::-1] and total == 2  # newest first
    assert [e.code for e in found] == [mine[0]] and found_total == 1
    assert none == []  # another office's code is not found here
    assert [e.code for e in paged] == [mine[0]]


def central_office_id(conn, krid: str) -> int:
    from kkod.central.models import Office

    return conn.scalar(select(Office.id).where(Office.krid == krid))


@pytest.mark.parametrize("others", [1, 2_500], ids=["as-arrays", "by-copy"])
def test_codes_handed_out_must_be_the_ones_stored(central, engine, others):
    """Storing behind a run (the codes handed out already): a pair another worker connected
    meanwhile with the same code is fine, the rest are created; with another code (another
    key), :class:`CodesChanged` — and nothing of the chunk stays."""
    from kkod.central.interface import CodesChanged
    from kkod.central.matching import new_connections, store_given_codes

    shown, office_id, kovacs, rest = _kovacs_connected_and_others(central, engine, others)
    stored = normalize(shown)

    def rows(secret: bytes, key_id: int):
        return new_connections(
            office_id=office_id, krid=KRID, account_ids=[*rest, kovacs], secret=secret,
            key_id=key_id, via="bulk", reference=None,
        )  # fmt: skip

    with pytest.raises(CodesChanged, match="1 személyt más kóddal"), engine.begin() as conn:
        store_given_codes(conn, office_id, rows(bytes.fromhex("99" * 32), 7))
    assert _connections(engine, office_id) == 1
    with engine.begin() as conn:
        same = rows(SECRET, 1)
        assert same[-1][2] == stored
        assert store_given_codes(conn, office_id, same) == others
    assert _connections(engine, office_id) == others + 1


def _connections(engine, office_id: int) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(Connection).where(Connection.office_id == office_id)
        )


def _kovacs_connected_and_others(central, engine, others: int):
    """Kovács connected to the office (his code as shown), and ``others`` unconnected accounts
    of a seeded registry: (code, office id, Kovács's account id, the other account ids)."""
    from kkod.central.models import Office
    from kkod.central.synthetic import seed_registry

    stored = central.connect_one(KRID, key(KOVACS)).code
    seed_registry(engine, 2 * others, seed=5)
    with engine.connect() as conn:
        office_id = conn.scalar(select(Office.id).where(Office.krid == KRID))
        kovacs = conn.scalar(select(Account.id).where(Account.username == "kovacs.peter"))
        unconnected = Account.id.not_in(select(Connection.account_id))
        rest = conn.scalars(select(Account.id).where(unconnected).limit(others)).all()
    return stored, office_id, kovacs, rest


@pytest.mark.parametrize("others", [1, 2_500], ids=["as-arrays", "by-copy"])
def test_a_code_another_account_holds_is_refused_never_skipped(central, engine, others):
    """Two accounts of one office may never share a code: were a derived code the one already
    stored for another account, issuing (and storing codes handed out) stops with
    :class:`CodeTaken` and nothing of the chunk stays — not an account left without a code."""
    from kkod.central.interface import CodeTaken
    from kkod.central.matching import issue_codes, new_connections, store_given_codes

    _, office_id, kovacs, rest = _kovacs_connected_and_others(central, engine, others)
    newcomer = rest[-1]
    with engine.begin() as conn:  # Kovács's stored code made the one the newcomer derives
        conn.execute(
            text("UPDATE central_connections SET code = :code WHERE account_id = :kovacs"),
            {"code": derive_code(SECRET, 1, KRID, newcomer), "kovacs": kovacs},
        )
    with pytest.raises(CodeTaken, match="1 személy kódja"), engine.begin() as conn:
        issue_codes(
            conn, office_id=office_id, krid=KRID, account_ids=rest, secret=SECRET, key_id=1,
            via="bulk", reference=None,
        )  # fmt: skip
    assert _connections(engine, office_id) == 1
    rows = new_connections(
        office_id=office_id, krid=KRID, account_ids=rest, secret=SECRET, key_id=1, via="bulk",
        reference=None,
    )  # fmt: skip
    with pytest.raises(CodeTaken, match="1 személy kódja"), engine.begin() as conn:
        store_given_codes(conn, office_id, rows)
    assert _connections(engine, office_id) == 1


@pytest.mark.parametrize("size", [1, 2_500], ids=["as-arrays", "by-copy"])
def test_two_workers_issuing_the_same_pairs_at_once_both_get_the_stored_codes(db_url, size):
    """Two transactions issuing the same pairs at the same moment (two servers' connect-one,
    two workers' chunks; SQLite's writers one at a time, as servers run it): the second
    waits for the first and takes its codes. On PostgreSQL an insert that skipped only
    conflicts on (office, account) could hit the twin row's (office, code) first, when both
    checked before either inserted, and fail."""
    import threading

    from kkod.central.interface import OfficeInfo
    from kkod.central.matching import issue_codes
    from kkod.central.models import Office
    from kkod.central.registry import add_office
    from kkod.central.synthetic import seed_registry
    from kkod.db import make_engine, migrate, serialize_writes

    rounds = 20 if size == 1 else 3
    setup = make_engine(db_url)
    migrate(setup, "central")
    add_office(setup, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal"))
    seed_registry(setup, 2 * size * rounds, seed=11)
    with setup.connect() as conn:
        office_id = conn.scalar(select(Office.id).where(Office.krid == KRID))
        accounts = conn.scalars(select(Account.id).limit(size * rounds)).all()
    setup.dispose()
    assert len(accounts) == size * rounds
    engine = serialize_writes(make_engine(db_url))  # as the central server opens it
    for start in range(0, len(accounts), size):
        chunk = accounts[start : start + size]
        together = threading.Barrier(2)
        results: list[object] = []

        def issue(chunk=chunk, together=together, results=results) -> None:
            try:
                with engine.connect() as conn:
                    conn.execute(select(1))  # connected: the barrier then lines up the inserts
                    conn.commit()
                    together.wait(10)
                    with conn.begin():
                        results.append(
                            issue_codes(
                                conn, office_id=office_id, krid=KRID, account_ids=chunk,
                                secret=SECRET, key_id=1, via="bulk", reference=None,
                            )[0]
                        )  # fmt: skip
            except Exception as failed:  # reported by the assertion below
                results.append(failed)

        workers = [threading.Thread(target=issue) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        expected = {a: derive_code(SECRET, 1, KRID, a) for a in chunk}
        assert results == [expected, expected]
    assert _connections(engine, office_id) == len(accounts)
    engine.dispose()
