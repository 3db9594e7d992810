"""The central registry's tables: offices, people (4T + match key), accounts, connections, audit,
the HTTP API's keys and rate limits, the accounts' document storage, and the office staff's
web logins (:data:`STAFF_LOGINS`, realm: the office's KRID).

Its own declarative base (tables prefixed ``central_``), migrated by Alembic in
``kkod/central/migrations``; SQLite by default, PostgreSQL when configured.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kkod.logins.tables import login_tables

MATCH_KEY_BYTES = 16
# Indexes the bulk loader drops before a big load and builds again after it: name -> (table,
# columns, unique, columns included on PostgreSQL).
BULK_INDEXES = {
    "ix_central_people_match_key": ("central_people", "match_key", False, "id"),
    "ix_central_accounts_person_active": ("central_accounts", "person_id, active, id", False, ""),
    "ix_central_accounts_username": ("central_accounts", "username", True, ""),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives it back without its zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Office(Base):
    """A Hivatali kapu: the office codes are issued to."""

    __tablename__ = "central_offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    krid: Mapped[str] = mapped_column(String(32), unique=True)
    short_name: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The organisation identity its signing certificates carry (e.g. an organizationIdentifier).
    organisation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Person(Base):
    """A natural person as the registry holds them: the 4T as stored and its match key."""

    __tablename__ = "central_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    viselt_nev: Mapped[str] = mapped_column(Text)
    szuletesi_nev: Mapped[str] = mapped_column(Text)
    anyja_szuletesi_neve: Mapped[str] = mapped_column(Text)
    szuletesi_hely: Mapped[str] = mapped_column(Text)
    szuletesi_ido: Mapped[date] = mapped_column(Date)
    match_key: Mapped[bytes] = mapped_column(LargeBinary(MATCH_KEY_BYTES))

    # On PostgreSQL the key's index holds the person's id too: a small request's join then reads
    # only the index (SQLite's index holds the rowid, which is the id, anyway).
    __table_args__ = (Index("ix_central_people_match_key", "match_key", postgresql_include=["id"]),)


class Account(Base):
    """An Ügyfélkapu account; one person may have several, active or closed."""

    __tablename__ = "central_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("central_people.id"))
    username: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        # Covers the match's account lookup: a person's active accounts without the table.
        Index("ix_central_accounts_person_active", "person_id", "active", "id"),
        Index("ix_central_accounts_username", "username", unique=True),
    )


class Connection(Base):
    """An office's connection to an account, with the code issued for it (never changes)."""

    __tablename__ = "central_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign keys (ADR 0008): checked row by row, they took half of issuing's insert.
    # Offices and accounts are never deleted; a connection is made from rows just read.
    office_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(17))  # compact form
    key_id: Mapped[int] = mapped_column(Integer)  # which code secret derived it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    via: Mapped[str] = mapped_column(String(10))  # bulk / manual / api
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        UniqueConstraint("office_id", "account_id", name="uq_central_connections_office_account"),
        UniqueConstraint("office_id", "code", name="uq_central_connections_office_code"),
        # An office's connections in the order they were made (the API's paged list).
        Index("ix_central_connections_office_id", "office_id", "id"),
    )


class AuditEntry(Base):
    """Who did what, when; never 4T values (only counts, KRIDs, references)."""

    __tablename__ = "central_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    krid: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class ApiKey(Base):
    """A key of the HTTP API: an office's (one office) or the ministry's (bulk, all offices).

    Only an HMAC of the secret part is stored; ``key_id`` is the public part, shown in lists."""

    __tablename__ = "central_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # office / ministry
    office_id: Mapped[int | None] = mapped_column(ForeignKey("central_offices.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RateLimitBucket(Base):
    """One rate limit's state (GCRA): the theoretical arrival time of the next request."""

    __tablename__ = "central_rate_limits"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)  # seconds since the epoch
    denied: Mapped[bool] = mapped_column(Boolean, default=False)  # the last request's decision


class StoredDocument(Base):
    """A document delivered to an account's storage: the "Ügyfélkapu tárhely" stand-in."""

    __tablename__ = "central_storage_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("central_accounts.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("central_offices.id"))  # the sender
    connection_id: Mapped[int] = mapped_column(ForeignKey("central_connections.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_central_storage_documents_account", "account_id", "id"),)


# The office staff's logins to the Hivatali kapu pages; a user's realm is its office's KRID.
STAFF_LOGINS = login_tables(Base.metadata, "central")
