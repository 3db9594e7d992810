"""Shared fixtures: a database URL for each backend (SQLite file, real PostgreSQL).

PostgreSQL is a throwaway server of this test process's own (tests/pgserver.py), started
at the first test that needs it, unless ``KKOD_TEST_PG_DSN`` names a server to use instead
(an admin connection string whose user may create databases).
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from tests import pgserver

# Property tests check behaviour, never speed (that is what bench/ is for): no per-example
# deadline, so a busy CI machine cannot fail them.
settings.register_profile("kkod", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kkod")


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path, monkeypatch) -> Iterator[None]:
    """Each test's default data folder (``KKOD_DATA_DIR``) is its own: nothing a test does
    (a work folder, a log file) lands in the working directory's ``kkod-data``."""
    from kkod.config import get_settings

    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "kkod-data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@dataclass(frozen=True)
class PgCluster:
    """Where the PostgreSQL tests make their databases: an admin DSN and a URL maker."""

    admin_dsn: str
    url_of: Callable[[str], str]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The configured server (``KKOD_TEST_PG_DSN``), else a throwaway one of this process."""
    configured = os.environ.get("KKOD_TEST_PG_DSN")
    if configured:
        params = psycopg.conninfo.conninfo_to_dict(configured)
        yield PgCluster(configured, lambda name: _url_of(params, name))
        return
    pgserver.remove_stale()
    server = pgserver.PgServer().start()
    try:
        yield PgCluster(server.dsn(), server.url)
    finally:
        server.remove()


def _url_of(params: dict, dbname: str) -> str:
    """A SQLAlchemy URL for ``dbname`` on the server the libpq parameters name."""
    from sqlalchemy.engine import URL

    return URL.create(
        "postgresql+psycopg",
        username=params.get("user"),
        password=params.get("password"),
        host=params.get("host"),
        port=int(params["port"]) if params.get("port") else None,
        database=dbname,
    ).render_as_string(hide_password=False)


@pytest.fixture
def pg_database(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server; dropped afterwards."""
    name = f"kkod_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_cluster.url_of(name)
    finally:
        with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """The same test runs on both backends: a SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_database")


class _Records(logging.Handler):
    """Keeps every log line of the test run (formatted as the log file would have it)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a record that cannot be formatted is no leak
            self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_any_log_line():
    """Every log line of the whole run — the servers' access logs and errors, the HTTP
    clients' request lines, kkod's own — is checked at the end for the 4T values the tests
    send to the central API: none may appear, in a URL or anywhere else."""
    from tests.central.conftest import FOURT_SENT

    records = _Records()
    logging.getLogger().addHandler(records)
    for name, level in (("kkod.web.access", logging.INFO), ("uvicorn", logging.INFO),
                        ("httpx", logging.INFO)):  # fmt: skip
        logging.getLogger(name).setLevel(level)
    yield
    logging.getLogger().removeHandler(records)
    leaks = [line for line in records.lines if any(value in line for value in FOURT_SENT)]
    assert not leaks, f"4T in {len(leaks)} log lines, e.g. {leaks[:3]}"
