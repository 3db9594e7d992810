"""Migrations: several processes starting at once on a new database, PostgreSQL and SQLite."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect

from kkod.db import at_head, make_engine

MIGRATE = "import sys; from kkod.db import make_engine, migrate; migrate(make_engine(sys.argv[1]), '{part}')"


@pytest.mark.parametrize("part", ["central", "ministry"])
def test_processes_migrating_a_new_database_at_once_all_succeed(db_url, part):
    """Workers and servers started together on a fresh database each run the migrations;
    they take turns (an advisory lock; on SQLite an flock beside the file), so none fails on
    tables another is creating."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE.format(part=part), db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert all(code == 0 for code, _ in results), results
    engine = make_engine(db_url)
    try:
        assert at_head(engine, part)
        assert inspect(engine).get_table_names()
    finally:
        engine.dispose()
