"""Alembic environment of the employer's register."""

from kkod.db.alembic_env import run
from kkod.employer.models import Base

run(Base.metadata, "employer")
