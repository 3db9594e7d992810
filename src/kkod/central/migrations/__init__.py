"""Alembic migrations of the central registry (``kkod.db.migrate(engine, "central")``)."""
