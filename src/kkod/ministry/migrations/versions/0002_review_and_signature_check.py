"""Requests kept for the operator: a note for the operator, how the declaration was signed.

Two statuses join (``áttekintésre vár``, ``aláírás ellenőrzésre vár``; the status column is
text, so they need no change here). ``operator_note`` tells the operator what intake noticed
(a sender not allowed, the same table sent again, an unexpected error's log reference);
``signature_kind`` says how the declaration was signed; ``table_sha256`` gets an index for
finding the same table sent again.

Revision ID: ministry_0002
Revises: ministry_0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "ministry_0002"
down_revision = "ministry_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ministry_requests") as batch:
        batch.add_column(sa.Column("operator_note", sa.Text))
        batch.add_column(sa.Column("signature_kind", sa.String(32)))
    op.create_index("ix_ministry_requests_table_sha256", "ministry_requests", ["table_sha256"])


def downgrade() -> None:
    op.drop_index("ix_ministry_requests_table_sha256", "ministry_requests")
    with op.batch_alter_table("ministry_requests") as batch:
        batch.drop_column("signature_kind")
        batch.drop_column("operator_note")
