"""The status an employer sees: the status history, the status link's token hash, the acknowledgement.

``ministry_status_history`` holds each status a request passed through (with a rejection's
reason); ``status_token_sha256`` is the SHA-256 of the token in the status link (the token
itself is never stored); the outbox holds one message of each kind per request (the
acknowledgement besides the answer), so its UNIQUE key becomes (request_id, kind).

Revision ID: ministry_0003
Revises: ministry_0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "ministry_0003"
down_revision = "ministry_0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
# SQLite's unnamed UNIQUE (request_id) gets this name when batch mode reflects the table.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    if op.get_bind().dialect.name == "sqlite":
        return "uq_ministry_outbox_request_id"
    return "ministry_outbox_request_id_key"  # PostgreSQL's name for a column's UNIQUE


def upgrade() -> None:
    op.create_table(
        "ministry_status_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("ministry_requests.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
    )
    # A column and a UNIQUE index, never a table rebuilt: on SQLite rebuilding the requests
    # table would drop it, and ON DELETE CASCADE would take the outbox and the audit with it.
    op.add_column("ministry_requests", sa.Column("status_token_sha256", sa.String(64)))
    op.create_index(
        "ix_ministry_requests_status_token_sha256",
        "ministry_requests",
        ["status_token_sha256"],
        unique=True,
    )
    # The outbox is rebuilt on SQLite (a constraint cannot be dropped there); no table refers
    # to it, so nothing cascades.
    with op.batch_alter_table("ministry_outbox", naming_convention=NAMING) as batch:
        batch.drop_constraint(_old_unique(), type_="unique")
        batch.create_unique_constraint("uq_ministry_outbox_request_kind", ["request_id", "kind"])
        batch.create_index("ix_ministry_outbox_request_id", ["request_id"])
    # Requests already stored get the history they can be given: where they stand now.
    op.execute(
        "INSERT INTO ministry_status_history (request_id, at, status, reason) "
        "SELECT id, COALESCE(finished_at, started_at, received_at), status, "
        "CASE WHEN status = 'elutasítva' THEN reason END FROM ministry_requests"
    )


def downgrade() -> None:
    op.execute("DELETE FROM ministry_outbox WHERE kind = 'ack'")
    with op.batch_alter_table("ministry_outbox", naming_convention=NAMING) as batch:
        batch.drop_index("ix_ministry_outbox_request_id")
        batch.drop_constraint("uq_ministry_outbox_request_kind", type_="unique")
        batch.create_unique_constraint(_old_unique(), ["request_id"])
    op.drop_index("ix_ministry_requests_status_token_sha256", "ministry_requests")
    op.drop_column("ministry_requests", "status_token_sha256")  # SQLite ≥ 3.35: no rebuild
    op.drop_table("ministry_status_history")
