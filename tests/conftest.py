"""Shared fixtures: a database URL for each backend (SQLite file, real PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

# Property tests check behaviour, never speed (that is what bench/ is for): no per-example
# deadline, so a busy CI machine cannot fail them.
settings.register_profile("kkod", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kkod")

PG_ADMIN_DSN = os.environ.get(
    "KKOD_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres"
)


def _pg_url(dbname: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server; dropped afterwards."""
    name = f"kkod_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """The same test runs on both backends: a SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_database")
