"""Test helpers for the migrations: a part's schema taken back to an earlier revision, and
there and back again (the way forward is :func:`kkod.db.migrate`)."""

from __future__ import annotations

from alembic import command

from kkod.db import alembic_config, migrate


def downgrade(engine, part: str, revision: str) -> None:
    """Take ``part``'s tables on ``engine`` down to ``revision``."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(part, connection), revision)


def there_and_back(engine, part: str, revision: str) -> None:
    """``part`` migrated to its head, taken down to ``revision`` and up to the head again."""
    migrate(engine, part)
    downgrade(engine, part, revision)
    migrate(engine, part)
