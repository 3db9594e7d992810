"""Connections without foreign keys: issuing 85,000 codes no longer checks each row's office
and account one by one (about half of the insert's time on PostgreSQL; ADR 0008).

Offices and accounts are never deleted (an account is closed with ``active``), and every
connection is made from an office and an account read in the same transaction.

Revision ID: central_perf_connections
Revises: central_office_staff_logins
Create Date: 2026-12-06
"""

from alembic import op

revision = "central_perf_connections"
down_revision = "central_office_staff_logins"
branch_labels = None
depends_on = None

# SQLite's foreign keys have no names: reflected ones are named by this convention.
_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s"}
_KEYS = (("office_id", "central_offices"), ("account_id", "central_accounts"))


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for column, _ in _KEYS:
            op.drop_constraint(f"central_connections_{column}_fkey", "central_connections")
        return
    with op.batch_alter_table("central_connections", naming_convention=_NAMES) as batch:
        for column, _ in _KEYS:
            batch.drop_constraint(f"fk_central_connections_{column}", type_="foreignkey")


def downgrade() -> None:
    pg = op.get_context().dialect.name == "postgresql"
    with op.batch_alter_table("central_connections") as batch:
        for column, table in _KEYS:
            name = (
                f"central_connections_{column}_fkey" if pg else f"fk_central_connections_{column}"
            )
            batch.create_foreign_key(name, table, [column], ["id"])
