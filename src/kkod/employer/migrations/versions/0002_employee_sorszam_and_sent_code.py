"""Each employee's Sorszám (matching rows without a Belső azonosító) and what column E held when sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("employer_employees", sa.Column("sorszam", sa.String(40), nullable=True))
    op.add_column("employer_employees", sa.Column("sent_code", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employer_employees") as batch:
        batch.drop_column("sent_code")
        batch.drop_column("sorszam")
