"""Opening the employer's register database (SQLite in the data folder, or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kkod.config import Settings


def open_register(url: str | None = None, settings: Settings | None = None) -> Engine:
    """A migrated engine for the register (``url`` overrides ``KKOD_EMPLOYER_DATABASE_URL``)."""
    from kkod.db import open_part

    return open_part("employer", settings, url)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed together on success and rolled back on any error."""
    from kkod.db import session_factory

    with session_factory(engine)() as session, session.begin():
        yield session
