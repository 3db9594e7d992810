"""The HTTP API: office and ministry keys, rate-limit state, the accounts' document storage.

Revision ID: central_http_api
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "central_http_api"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "central_api_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("central_offices.id"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "central_rate_limits",
        sa.Column("bucket", sa.String(200), primary_key=True),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("denied", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "central_storage_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("central_accounts.id"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("central_offices.id"), nullable=False),
        sa.Column(
            "connection_id", sa.Integer(), sa.ForeignKey("central_connections.id"), nullable=False
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_central_storage_documents_account", "central_storage_documents", ["account_id", "id"]
    )
    op.create_index("ix_central_connections_office_id", "central_connections", ["office_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_central_connections_office_id", table_name="central_connections")
    op.drop_table("central_storage_documents")
    op.drop_table("central_rate_limits")
    op.drop_table("central_api_keys")
