"""The tables a party's database holds for its web logins: users and their sessions.

Each party names them with its own prefix in its own metadata (``central_login_users``,
``ministry_login_users``); its Alembic migration creates them with
:func:`create_login_tables`, from the same column definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

# A table's name, its columns and constraints, and its indexes (name, columns).
_Spec = tuple[str, list, list[tuple[str, list[str]]]]


@dataclass(frozen=True, slots=True)
class LoginTables:
    users: Table
    sessions: Table


def _users(prefix: str) -> _Spec:
    name = f"{prefix}_login_users"
    return (
        name,
        [
            Column("id", Integer, primary_key=True, autoincrement=True),
            # Whose staff the user is: the office's KRID at the central system, "" at the ministry.
            Column("realm", String(32), nullable=False),
            Column("username", String(100), nullable=False),
            Column("display_name", String(200), nullable=False),
            Column("password_hash", String(300), nullable=False),
            Column("totp_secret", String(64), nullable=False),
            Column("last_totp_step", BigInteger, nullable=True),  # a TOTP code works once
            Column("failed_attempts", Integer, nullable=False, default=0),
            Column("locked_until", DateTime(timezone=True), nullable=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("last_login_at", DateTime(timezone=True), nullable=True),
            UniqueConstraint("realm", "username", name=f"uq_{name}_realm_username"),
        ],
        [],
    )


def _sessions(prefix: str) -> _Spec:
    name = f"{prefix}_login_sessions"
    return (
        name,
        [
            # SHA-256 of the cookie's token: the database alone opens no session.
            Column("id", String(64), primary_key=True),
            Column("user_id", Integer, ForeignKey(f"{prefix}_login_users.id"), nullable=False),
            Column("csrf_token", String(64), nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("last_seen_at", DateTime(timezone=True), nullable=False),
        ],
        [(f"ix_{name}_user", ["user_id"])],
    )


def login_tables(metadata: MetaData, prefix: str) -> LoginTables:
    """The two tables, named with ``prefix``, in ``metadata``."""
    tables = []
    for name, items, indexes in (_users(prefix), _sessions(prefix)):
        indexed = [Index(index, *columns) for index, columns in indexes]
        tables.append(Table(name, metadata, *items, *indexed))
    return LoginTables(*tables)


def create_login_tables(op, prefix: str) -> None:
    """In an Alembic migration's ``upgrade``: create the two tables."""
    for name, items, indexes in (_users(prefix), _sessions(prefix)):
        op.create_table(name, *items)
        for index, columns in indexes:
            op.create_index(index, name, columns)


def drop_login_tables(op, prefix: str) -> None:
    """In an Alembic migration's ``downgrade``: drop the two tables."""
    op.drop_table(f"{prefix}_login_sessions")
    op.drop_table(f"{prefix}_login_users")
