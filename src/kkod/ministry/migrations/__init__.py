"""Alembic migrations of the ministry's request store (version table ``ministry_alembic_version``)."""
