"""The office staff's web logins: users (password hash, TOTP secret, lockout) and sessions.

Revision ID: central_office_staff_logins
Revises: central_http_api
Create Date: 2026-12-06
"""

from alembic import op

from kkod.logins.tables import create_login_tables, drop_login_tables

revision = "central_office_staff_logins"
down_revision = "central_http_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_login_tables(op, "central")


def downgrade() -> None:
    drop_login_tables(op, "central")
