"""SQLite write transactions of a server: one at a time in a process (a thread lock) and
between processes (an flock on ``<database>.writelock``, so a waiting process wakes the moment
the other's write ends instead of in SQLite's sleeping busy handler)."""

from __future__ import annotations

import errno
import fcntl
import os
import threading

import pytest
from sqlalchemy import text

from kkod.db import make_engine, serialize_writes, single_statements


def _locked_elsewhere(lock_file: str) -> bool:
    """Whether another open file description holds the lock (as another process would see)."""
    descriptor = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        assert error.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
        return True
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_write_transaction_holds_the_lock_file_until_it_ends(tmp_path, ending):
    database = tmp_path / "central.sqlite3"
    engine = serialize_writes(make_engine(f"sqlite:///{database}"))
    lock_file = f"{database}.writelock"
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    assert not _locked_elsewhere(lock_file)
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    assert _locked_elsewhere(lock_file)
    getattr(transaction, ending)()
    connection.close()
    assert not _locked_elsewhere(lock_file)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM t")) == (1 if ending == "commit" else 0)
    engine.dispose()


def test_a_second_engine_on_the_file_waits_for_the_first_and_then_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    first, second = serialize_writes(make_engine(url)), serialize_writes(make_engine(url))
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    holding = first.connect()
    transaction = holding.begin()
    holding.execute(text("INSERT INTO t VALUES (1)"))
    entered = threading.Event()

    def write() -> None:
        with second.begin() as conn:
            entered.set()
            conn.execute(text("INSERT INTO t VALUES (2)"))

    writer = threading.Thread(target=write)
    writer.start()
    assert not entered.wait(0.2)  # blocked on the lock file, not failing with "locked"
    transaction.commit()
    holding.close()
    writer.join(timeout=30)
    assert entered.is_set()
    with first.connect() as conn:
        assert conn.scalars(text("SELECT x FROM t ORDER BY x")).all() == [1, 2]
    first.dispose()
    second.dispose()


def test_a_database_in_memory_has_no_lock_file(tmp_path):
    engine = serialize_writes(make_engine("sqlite://"))
    with engine.begin() as conn:
        assert conn.scalar(text("SELECT 1")) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_read_of_one_statement_leaves_the_servers_transactions_to_it(tmp_path):
    """``single_statements`` leaves a SQLite engine as it is: the driver's autocommit setting, restored
    when a read's connection went back to the pool, would have the driver begin transactions of
    its own on the connection the server's next write takes."""
    engine = serialize_writes(make_engine(f"sqlite:///{tmp_path / 'reads.sqlite3'}"))
    try:
        with single_statements(engine).connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        with engine.connect() as conn:
            assert conn.connection.driver_connection.isolation_level is None
    finally:
        engine.dispose()
