"""The people's match-key index holds their id on PostgreSQL (migration
central_people_key_covering, and the bulk loader's rebuild): a key's people are found from the
index alone. SQLite's index holds the rowid, which is the id."""

from __future__ import annotations

import json

import pytest

from kkod.central.synthetic import seed_registry
from kkod.db import make_engine, migrate

from ..migrations import downgrade, there_and_back

INDEX = "ix_central_people_match_key"


def _scans_of_a_key(connection) -> set[tuple[str, str]]:
    """(node type, index) of every scan PostgreSQL plans for a key's people ids, sequential
    and bitmap scans ruled out (the table is small: the index must be chosen)."""
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    plan = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) SELECT p.id FROM central_people p "
        "WHERE p.match_key = (SELECT match_key FROM central_people ORDER BY id LIMIT 1)"
    ).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: set[tuple[str, str]] = set()

    def walk(node: dict) -> None:
        if node.get("Relation Name") == "central_people" and node.get("Alias") == "p":
            found.add((node["Node Type"], node.get("Index Name", "")))
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def _vacuumed(engine) -> None:
    """Statistics and the visibility map up to date (an index-only scan needs both)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE central_people")


@pytest.mark.postgres
def test_a_keys_people_are_found_from_the_index_alone_and_not_after_a_downgrade(pg_database):
    engine = make_engine(pg_database)
    try:
        migrate(engine, "central")
        seed_registry(engine, 500, seed=5)  # drops the bulk indexes and builds them again
        _vacuumed(engine)
        with engine.begin() as connection:
            assert _scans_of_a_key(connection) == {("Index Only Scan", INDEX)}
        downgrade(engine, "central", "central_lz4_compression")
        _vacuumed(engine)
        with engine.begin() as connection:
            assert _scans_of_a_key(connection) == {("Index Scan", INDEX)}
        migrate(engine, "central")
        _vacuumed(engine)
        with engine.begin() as connection:
            assert _scans_of_a_key(connection) == {("Index Only Scan", INDEX)}
    finally:
        engine.dispose()


def test_sqlite_keeps_a_plain_key_index_through_the_migration(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        there_and_back(engine, "central", "central_lz4_compression")
        seed_registry(engine, 200, seed=5)
        with engine.connect() as connection:
            columns = connection.exec_driver_sql(f"PRAGMA index_info({INDEX})").all()
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM central_people WHERE match_key = x'00'"
                )
            )
        assert [column[2] for column in columns] == ["match_key"]
        assert f"COVERING INDEX {INDEX}" in plan  # the rowid is the id
    finally:
        engine.dispose()
