"""The operators' logins to the ministry console: users, sessions, the login throttle's buckets.

Revision ID: ministry_0004
Revises: ministry_0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from kkod.logins.tables import create_login_tables, drop_login_tables

revision = "ministry_0004"
down_revision = "ministry_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_login_tables(op, "ministry")
    op.create_table(
        "ministry_rate_limits",
        sa.Column("bucket", sa.String(200), primary_key=True),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("denied", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ministry_rate_limits")
    drop_login_tables(op, "ministry")
