"""Documents delivered to the central storage compressed with lz4 on PostgreSQL
(:mod:`kkod.db.compression`): less of the server's CPU than pglz, as for the ministry's files.

Revision ID: central_lz4_compression
Revises: central_perf_connections
Create Date: 2026-12-07
"""

from alembic import op

from kkod.db.compression import DEFAULT, LZ4, set_compression

revision = "central_lz4_compression"
down_revision = "central_perf_connections"
branch_labels = None
depends_on = None

COLUMNS = (("central_storage_documents", "content"),)


def upgrade() -> None:
    set_compression(op.get_bind(), COLUMNS, LZ4)


def downgrade() -> None:
    set_compression(op.get_bind(), COLUMNS, DEFAULT)
