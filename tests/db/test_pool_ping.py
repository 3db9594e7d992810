"""PostgreSQL's pooled connections: one idle for a while is pinged before it is handed out (a
stale one replaced), one given back a moment ago is not (a round trip saved per transaction);
a read of one statement runs outside a transaction.

Each test kills the pooled connection's server process (``pg_terminate_backend``, waiting until
it is gone) and looks at what the next transaction meets.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc

import kkod.db
from kkod.db import make_engine, single_statements

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_database):
    engine = make_engine(pg_database)
    yield engine
    engine.dispose()


def _kill_pooled_connection(engine, pg_cluster) -> None:
    with engine.connect() as conn:  # given back to the pool at once
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()[0]


def _answer(engine) -> int:
    with engine.begin() as conn:
        return conn.exec_driver_sql("SELECT 42").scalar()


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, pg_cluster, monkeypatch):
    monkeypatch.setattr(kkod.db, "PING_IDLE_SECONDS", 0.0)  # any connection counts as idle
    _kill_pooled_connection(engine, pg_cluster)
    assert _answer(engine) == 42


def test_a_connection_given_back_a_moment_ago_is_handed_out_without_a_ping(
    engine, pg_cluster, monkeypatch
):
    monkeypatch.setattr(kkod.db, "PING_IDLE_SECONDS", 3600.0)  # nothing counts as idle
    _kill_pooled_connection(engine, pg_cluster)
    with pytest.raises(exc.OperationalError) as failed:  # no ping found it dead first
        _answer(engine)
    assert failed.value.connection_invalidated
    assert _answer(engine) == 42  # the pool renewed


def test_a_read_runs_outside_a_transaction_and_its_connection_goes_back_to_transactions(engine):
    """``single_statements``: no BEGIN and ROLLBACK around the statement; the pooled connection it used
    begins a transaction again for the next one who takes it."""
    status = psycopg.pq.TransactionStatus
    with single_statements(engine).connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        assert conn.connection.driver_connection.info.transaction_status == status.IDLE
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid  # the same one
        assert conn.connection.driver_connection.info.transaction_status == status.INTRANS
