"""Alembic environment of the central registry."""

from kkod.central.models import Base
from kkod.db.alembic_env import run

run(Base.metadata, "central")
