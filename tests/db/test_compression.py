"""lz4 for the large byte columns on PostgreSQL (migrations ministry_0006 and
central_lz4_compression), pglz again after a downgrade; nothing changes on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kkod.db import make_engine, migrate
from kkod.db.compression import lz4_available, set_compression

from ..migrations import downgrade, there_and_back

MINISTRY_COLUMNS = {
    ("ministry_requests", "table_xlsx"),
    ("ministry_requests", "table_columns"),
    ("ministry_requests", "declaration_pdf"),
    ("ministry_outbox", "raw"),
}
# Compressible (PostgreSQL compresses values of more than about 2 KB).
VALUE = b"Kapcsolati kod adattablazat; " * 1000


def _methods(connection, columns) -> dict[tuple[str, str], str]:
    """Each column's compression setting: ``l`` lz4, ``p`` pglz, ``""`` the server's default."""
    return {
        (table, column): connection.execute(
            text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attname = :c"
            ),
            {"t": table, "c": column},
        ).scalar_one()
        for table, column in columns
    }


def _store_request(connection, key: str) -> str:
    """A request row holding ``VALUE`` as its table; how PostgreSQL compressed it."""
    connection.execute(
        text(
            "INSERT INTO ministry_requests (reference, dedupe_key, channel, status, sender, "
            "attempts, received_at, table_xlsx) VALUES (:k, :k, 'email', 'beérkezett', 'a@b.hu', "
            "0, CURRENT_TIMESTAMP, :v)"
        ),
        {"k": key, "v": VALUE},
    )
    return connection.execute(
        text(
            "SELECT pg_column_compression(table_xlsx) FROM ministry_requests WHERE reference = :k"
        ),
        {"k": key},
    ).scalar_one()


@pytest.mark.postgres
def test_postgresql_compresses_the_files_with_lz4_and_pglz_after_a_downgrade(pg_database):
    engine = make_engine(pg_database)
    try:
        migrate(engine, "ministry")
        migrate(engine, "central")
        with engine.begin() as connection:
            assert lz4_available(connection)
            assert set(_methods(connection, MINISTRY_COLUMNS).values()) == {"l"}
            documents = {("central_storage_documents", "content")}
            assert set(_methods(connection, documents).values()) == {"l"}
            assert _store_request(connection, "KK-1") == "lz4"
        downgrade(engine, "ministry", "ministry_0005")
        downgrade(engine, "central", "central_perf_connections")
        with engine.begin() as connection:
            assert set(_methods(connection, MINISTRY_COLUMNS).values()) == {""}
            assert set(_methods(connection, documents).values()) == {""}
            assert _store_request(connection, "KK-2") == "pglz"
            # What was stored compressed with lz4 is still read back as it was.
            stored = connection.execute(
                text("SELECT table_xlsx FROM ministry_requests WHERE reference = 'KK-1'")
            ).scalar_one()
            assert bytes(stored) == VALUE
    finally:
        engine.dispose()


def test_sqlite_has_no_compression_to_set(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'ministry.sqlite3'}")
    try:
        there_and_back(engine, "ministry", "ministry_0005")
        with engine.begin() as connection:
            assert not lz4_available(connection)
            assert not set_compression(connection, MINISTRY_COLUMNS, "lz4")
    finally:
        engine.dispose()
