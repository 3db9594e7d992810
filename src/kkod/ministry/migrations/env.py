"""Alembic environment of the ministry's request store."""

from kkod.db.alembic_env import run
from kkod.ministry.models import Base

run(Base.metadata, "ministry")
