"""The database layer every part shares: engines for SQLite (default) and PostgreSQL, migrations.

Each part (central, ministry, employer) is a different organisation and owns its own
database; :func:`open_part` gives a migrated engine for one of them.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
import zlib
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect, text
from sqlalchemy.orm import sessionmaker

from kkod.config import Part, Settings, get_settings

SQLITE_MMAP_BYTES = 256 * 2**20
# A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out.
PING_IDLE_SECONDS = 1.0


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout.

    Bound parameters are hidden from SQLAlchemy's error messages: they may be 4T values."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def single_statements(engine: Engine) -> Engine:
    """``engine`` (its pool) for work done in one statement — a read, or a change a single
    statement makes whole: on PostgreSQL in autocommit, so no ``BEGIN`` and ``COMMIT`` or
    ``ROLLBACK`` around it (two round trips: ≈ 0.1 ms of the client's CPU and 0.13 ms of the
    server's each time); a statement is atomic by itself and sees only what was committed.
    SQLite's engine is given as it is: its transactions cost no round trip, and a server's
    SQLite engine manages its transactions itself (:func:`serialize_writes`), which the
    driver's autocommit setting, restored after each use, would upset."""
    if not is_postgresql(engine):
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's pre-ping, for connections idle longer than :data:`PING_IDLE_SECONDS`.

    A connection that went stale while the pool kept it (the server restarted, a firewall
    dropped it) is replaced before a transaction starts on it. One given back a moment ago is
    handed out as it is: pinging every checkout cost a round trip and about 0.13 ms of CPU on
    the two sides for every transaction, a dozen times a small request. Should the server
    have gone in that moment, the transaction fails as one whose server goes in its middle
    does, and the pool is renewed.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection, record) -> None:
        record.info["kkod_used_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        used = record.info.get("kkod_used_at")
        if used is not None and time.monotonic() - used < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("stale pooled connection") from error
            raise


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Bulk matching joins a temporary table against big indexes: keep temporary tables in
    # memory, and read the file through a memory map (no copy into SQLite's page cache).
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def migrate(engine: Engine, part: Part) -> None:
    """Bring ``part``'s schema in ``engine`` to the newest Alembic revision.

    A schema already at the newest revision is recognised without importing Alembic (a
    tenth of a second on every command that opens a database).
    """
    head = head_revision(part)
    if head is not None and _current_revisions(engine, part) == [head]:
        return
    from alembic import command

    config = alembic_config(part)
    # Several processes starting at once on a new database (an intake and a console, workers)
    # would each create the tables; one at a time, the later ones find them made. SQLite
    # runs DDL outside a transaction, so there the lock is the file beside the database.
    lock = _write_lock_file(engine) if engine.dialect.name == "sqlite" else None
    try:
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                key = zlib.crc32(f"kkod-migrate-{part}".encode())
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if lock is not None:
            os.close(lock)  # and with it the lock


def at_head(engine: Engine, part: Part) -> bool:
    """Whether ``part``'s schema in ``engine`` is at the newest revision (a readiness check)."""
    head = head_revision(part)
    if head is None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config(part)).get_current_head()
    return _current_revisions(engine, part) == [head]


def alembic_config(part: Part, connection: Connection | None = None):
    """Alembic's configuration of ``part``'s migrations, run on ``connection`` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", f"kkod.{part}:migrations")
    config.attributes["kkod_part"] = part
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(.*?)\s*$", re.MULTILINE)


def head_revision(part: Part) -> str | None:
    """The one head of ``part``'s migrations, read from their files; ``None`` if that is not
    plain (a merge, branches, an unusual file), and Alembic then decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    versions = resources.files(f"kkod.{part}.migrations").joinpath("versions")
    for entry in versions.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("__"):
            continue
        found = dict(m.groups() for m in _REVISION.finditer(entry.read_text(encoding="utf-8")))
        revision = _literal(found.get("revision", ""))
        parent = _literal(found.get("down_revision", ""))
        if not revision or parent is False:
            return None
        revisions.add(revision)
        if parent:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _literal(text: str) -> str | bool | None:
    """A revision id written as a string literal, ``None`` for ``None``; ``False`` otherwise."""
    if text == "None":
        return None
    m = re.fullmatch(r"([\"'])([\w.\-]+)\1", text)
    return m[2] if m else False


def _current_revisions(engine: Engine, part: Part) -> list[str]:
    """The revisions ``part``'s version table records (none if it has no such table yet)."""
    table = f"{part}_alembic_version"
    with engine.connect() as connection:
        if not inspect(connection).has_table(table):
            return []
        return list(connection.exec_driver_sql(f"SELECT version_num FROM {table}").scalars())


def open_part(part: Part, settings: Settings | None = None, url: str | None = None) -> Engine:
    """A migrated engine for ``part``'s database (``url`` overrides the configured one)."""
    settings = settings or get_settings()
    engine = make_engine(url or settings.database_url(part))
    migrate(engine, part)
    return engine


def serialize_writes(engine: Engine) -> Engine:
    """Make every transaction of a new SQLite ``engine`` a write transaction from its start.

    SQLite refuses to turn a reading transaction into a writing one while another process
    writes (``database is locked`` at once, whatever the busy timeout), so each transaction
    begins with ``BEGIN IMMEDIATE``; and one thread of this process at a time holds one (the
    others wait on a lock here instead of in SQLite's sleeping busy handler). For servers with
    several threads and processes writing one file. Other databases are left as they are.
    Call it before the engine's first connection.

    Between processes, a file database is guarded by an ``flock`` on a file beside it
    (``<database>.writelock``, which :func:`migrate` takes too): a process waiting for
    another's write wakes the moment it ends. SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries, which gave
    connect-one under load a 99th percentile of 450 ms with two server processes.
    """
    if engine.dialect.name != "sqlite":
        return engine
    lock = threading.RLock()
    between_processes = _write_lock_file(engine)
    depth = [0]

    @event.listens_for(engine, "connect")
    def _driver_leaves_transactions_to_us(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        lock.acquire()
        try:
            if between_processes is not None and depth[0] == 0:
                fcntl.flock(between_processes, fcntl.LOCK_EX)
            depth[0] += 1
            try:
                connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
            except BaseException:
                _release()
                raise
        except BaseException:
            lock.release()
            raise

    def _release() -> None:
        depth[0] -= 1
        if between_processes is not None and depth[0] == 0:
            fcntl.flock(between_processes, fcntl.LOCK_UN)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(connection) -> None:
        try:
            _release()
        finally:
            lock.release()

    return engine


def _write_lock_file(engine: Engine) -> int | None:
    """An open descriptor of the lock file beside a file database (``None`` in memory)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.open(f"{database}.writelock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
