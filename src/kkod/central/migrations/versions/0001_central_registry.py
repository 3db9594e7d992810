"""The central registry: offices, people, accounts, connections, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "central_offices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("krid", sa.String(32), nullable=False, unique=True),
        sa.Column("short_name", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email_domains", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.String(200), nullable=True),
        _when("created_at"),
    )
    op.create_table(
        "central_people",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("viselt_nev", sa.Text(), nullable=False),
        sa.Column("szuletesi_nev", sa.Text(), nullable=False),
        sa.Column("anyja_szuletesi_neve", sa.Text(), nullable=False),
        sa.Column("szuletesi_hely", sa.Text(), nullable=False),
        sa.Column("szuletesi_ido", sa.Date(), nullable=False),
        sa.Column("match_key", sa.LargeBinary(16), nullable=False),
    )
    op.create_index("ix_central_people_match_key", "central_people", ["match_key"])
    op.create_table(
        "central_accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("central_people.id"), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_central_accounts_person_id", "central_accounts", ["person_id"])
    op.create_index("ix_central_accounts_username", "central_accounts", ["username"], unique=True)
    op.create_table(
        "central_connections",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("central_offices.id"), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("central_accounts.id"), nullable=False),
        sa.Column("code", sa.String(17), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.UniqueConstraint(
            "office_id", "account_id", name="uq_central_connections_office_account"
        ),
        sa.UniqueConstraint("office_id", "code", name="uq_central_connections_office_code"),
    )
    op.create_table(
        "central_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _when("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("krid", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("central_audit")
    op.drop_table("central_connections")
    op.drop_table("central_accounts")
    op.drop_table("central_people")
    op.drop_table("central_offices")
