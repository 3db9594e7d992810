"""Test helpers for the migrations: a part's schema taken to a given revision, up or down, and
there and back again (to the newest revision is :func:`kkod.db.migrate`)."""

from __future__ import annotations

from alembic import command

from kkod.db import alembic_config, migrate


def upgrade(engine, part: str, revision: str) -> None:
    """Take ``part``'s tables on ``engine`` up to ``revision``."""
    _run(command.upgrade, engine, part, revision)


def downgrade(engine, part: str, revision: str) -> None:
    """Take ``part``'s tables on ``engine`` down to ``revision``."""
    _run(command.downgrade, engine, part, revision)


def there_and_back(engine, part: str, revision: str) -> None:
    """``part`` migrated to its head, taken down to ``revision`` and up to the head again."""
    migrate(engine, part)
    downgrade(engine, part, revision)
    migrate(engine, part)


def _run(step, engine, part: str, revision: str) -> None:
    with engine.begin() as connection:
        step(alembic_config(part, connection), revision)
