"""The request's table, declaration and the outbox's e-mails compressed with lz4 on PostgreSQL
(:mod:`kkod.db.compression`): pglz cost more of the server's CPU than the rest of storing them.

Revision ID: ministry_0006
Revises: ministry_0005
Create Date: 2026-12-07
"""

from alembic import op

from kkod.db.compression import DEFAULT, LZ4, set_compression

revision = "ministry_0006"
down_revision = "ministry_0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("ministry_requests", "table_xlsx"),
    ("ministry_requests", "table_columns"),
    ("ministry_requests", "declaration_pdf"),
    ("ministry_outbox", "raw"),
)


def upgrade() -> None:
    set_compression(op.get_bind(), COLUMNS, LZ4)


def downgrade() -> None:
    set_compression(op.get_bind(), COLUMNS, DEFAULT)
