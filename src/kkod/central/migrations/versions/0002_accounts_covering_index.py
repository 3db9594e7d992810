"""The accounts' person index also holds ``active`` and ``id``: the bulk match reads only the index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_central_accounts_person_active", "central_accounts", ["person_id", "active", "id"]
    )
    op.drop_index("ix_central_accounts_person_id", table_name="central_accounts")


def downgrade() -> None:
    op.create_index("ix_central_accounts_person_id", "central_accounts", ["person_id"])
    op.drop_index("ix_central_accounts_person_active", table_name="central_accounts")
