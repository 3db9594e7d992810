"""What the intake read from a request's table, kept for the worker (personal data: retention).

Revision ID: ministry_0005
Revises: ministry_0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "ministry_0005"
down_revision = "ministry_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ministry_requests", sa.Column("table_columns", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # Not a batch operation: rebuilding the requests table on SQLite would take the rows that
    # refer to it (the outbox, the history) with the old one. SQLite drops a column in place.
    op.execute("ALTER TABLE ministry_requests DROP COLUMN table_columns")
