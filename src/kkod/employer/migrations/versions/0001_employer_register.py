"""The employer's register: employees, history, imports, meta, audit.

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
        "employer_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "employer_employees",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("belso_azonosito", sa.String(200), nullable=False),
        sa.Column("generated_key", sa.Boolean(), nullable=False),
        sa.Column("viselt_nev", sa.Text(), nullable=False),
        sa.Column("szuletesi_nev", sa.Text(), nullable=False),
        sa.Column("anyja_szuletesi_neve", sa.Text(), nullable=False),
        sa.Column("szuletesi_hely", sa.Text(), nullable=False),
        sa.Column("szuletesi_ido", sa.String(40), nullable=False),
        sa.Column("kapcsolati_kod", sa.String(32), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("last_reference", sa.String(300), nullable=True),
        sa.Column("last_row", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.UniqueConstraint("belso_azonosito", name="uq_employer_employees_belso_azonosito"),
    )
    op.create_index("ix_employer_employees_status", "employer_employees", ["status"])
    op.create_table(
        "employer_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "employee_id",
            sa.Integer(),
            sa.ForeignKey("employer_employees.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _when("at"),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(300), nullable=True),
    )
    op.create_index("ix_employer_history_employee_id", "employer_history", ["employee_id"])
    op.create_table(
        "employer_imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _when("at"),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("table_sha256", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(300), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("coded", sa.Integer(), nullable=False),
        sa.Column("leftovers", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
    )
    op.create_index("ix_employer_imports_table_sha256", "employer_imports", ["table_sha256"])
    op.create_table(
        "employer_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _when("at"),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("employer_audit")
    op.drop_index("ix_employer_imports_table_sha256", "employer_imports")
    op.drop_table("employer_imports")
    op.drop_index("ix_employer_history_employee_id", "employer_history")
    op.drop_table("employer_history")
    op.drop_index("ix_employer_employees_status", "employer_employees")
    op.drop_table("employer_employees")
    op.drop_table("employer_meta")
