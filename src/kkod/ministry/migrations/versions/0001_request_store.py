"""Request store: requests, reply outbox, audit trail.

Revision ID: ministry_0001
Revises:
Create Date: 2026-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "ministry_0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ministry_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), unique=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("reason", sa.Text),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(998)),
        sa.Column("subject", sa.Text),
        sa.Column("organisation", sa.Text),
        sa.Column("short_name", sa.String(200)),
        sa.Column("krid", sa.String(32), index=True),
        sa.Column("signer_name", sa.Text),
        sa.Column("table_filename", sa.Text),
        sa.Column("table_sha256", sa.String(64)),
        sa.Column("table_xlsx", sa.LargeBinary),
        sa.Column("declaration_filename", sa.Text),
        sa.Column("declaration_pdf", sa.LargeBinary),
        sa.Column("rows", sa.Integer),
        sa.Column("coded", sa.Integer),
        sa.Column("no_match", sa.Integer),
        sa.Column("multiple", sa.Integer),
        sa.Column("invalid", sa.Integer),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("lease_until", TS),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.Column("purged_at", TS),
    )
    op.create_table(
        "ministry_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("ministry_requests.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False, unique=True),
        sa.Column("raw", sa.LargeBinary),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("sending_by", sa.String(200)),
        sa.Column("sending_until", TS),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
    )
    op.create_table(
        "ministry_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("ministry_requests.id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("ministry_audit")
    op.drop_table("ministry_outbox")
    op.drop_table("ministry_requests")
