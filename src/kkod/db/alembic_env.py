"""The body every part's Alembic ``env.py`` shares: online migrations on a given connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData


def run(metadata: MetaData, part: str) -> None:
    """Run the migrations of ``part`` on the connection handed over by :func:`kkod.db.migrate`."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=f"{part}_alembic_version",
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
