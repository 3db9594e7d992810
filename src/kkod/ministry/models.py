"""The ministry's request store: requests, their reply outbox and the audit trail (SQLAlchemy 2).

Stored tables are personal data: they live in the request row only until the retention
limit, then :func:`kkod.ministry.store.purge_expired` blanks them. The audit trail never
holds 4T values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kkod.logins.tables import login_tables


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on both backends (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class RequestStatus(StrEnum):
    """The statuses of SPEC §6, as the employer sees them, and two that wait for the operator.

    ``áttekintésre vár``: kept for the operator and never answered automatically (an automatic
    message, mail that is not a request, a sender over the hourly reply limit); the reason
    says why. ``aláírás ellenőrzésre vár``: a hand-signed (or unsigned) declaration; the
    operator approves it (then ``beérkezett``) or rejects it.
    """

    BEERKEZETT = "beérkezett"
    ELUTASITVA = "elutasítva"
    FELDOLGOZAS_ALATT = "feldolgozás alatt"
    KESZ = "kész"
    ATTEKINTESRE_VAR = "áttekintésre vár"
    ALAIRAS_ELLENORZESRE_VAR = "aláírás ellenőrzésre vár"


class SignatureKind(StrEnum):
    """How the declaration was signed (shown to the operator)."""

    PADES = "elektronikus aláírás (PAdES)"
    AVDH = "AVDH-hitelesítés"
    HAND_SIGNED = "kézi aláírás (szkennelt)"
    UNSIGNED_KKOD = "aláíratlan kkod-nyilatkozat"


class Channel(StrEnum):
    """How a request reached the ministry."""

    EMAIL = "email"
    UPLOAD = "upload"

    @property
    def label(self) -> str:
        """The Hungarian word for the channel."""
        return {"email": "e-mail", "upload": "feltöltés"}[self.value]


class ReplyKind(StrEnum):
    CODES = "codes"  # the filled table and the reason report
    REJECTION = "rejection"
    ACKNOWLEDGEMENT = "ack"  # "beérkezett", with the status link; sent before the answer


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"


class Base(DeclarativeBase):
    pass


class Request(Base):
    """One request for connection codes, from intake to reply."""

    __tablename__ = "ministry_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # Hungarian, for ELUTASITVA
    sender: Mapped[str] = mapped_column(String(320))  # the only address a reply goes to
    message_id: Mapped[str | None] = mapped_column(String(998))
    subject: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(String(200))
    krid: Mapped[str | None] = mapped_column(String(32), index=True)
    signer_name: Mapped[str | None] = mapped_column(Text)
    table_filename: Mapped[str | None] = mapped_column(Text)
    table_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    table_xlsx: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True
    )  # personal data: retention
    # What the intake read from the table (kkod.table.columns_codec), so that the worker does
    # not parse it again; personal data, purged with the table.
    table_columns: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    declaration_filename: Mapped[str | None] = mapped_column(Text)
    declaration_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    rows: Mapped[int | None] = mapped_column(Integer)
    coded: Mapped[int | None] = mapped_column(Integer)
    no_match: Mapped[int | None] = mapped_column(Integer)
    multiple: Mapped[int | None] = mapped_column(Integer)
    invalid: Mapped[int | None] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    operator_note: Mapped[str | None] = mapped_column(Text)  # what intake noticed, for the operator
    signature_kind: Mapped[str | None] = mapped_column(String(32))  # a SignatureKind
    # SHA-256 of the status link's token (kkod.ministry.acknowledgement); never the token.
    status_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class Reply(Base):
    """The outbox: a request's messages, stored byte-exact before they are sent.

    One of each kind per request: the acknowledgement and the one answer (codes or rejection;
    the store never queues both).
    """

    __tablename__ = "ministry_outbox"
    __table_args__ = (
        UniqueConstraint("request_id", "kind", name="uq_ministry_outbox_request_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("ministry_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    raw: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True
    )  # blanked after retention once sent
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sending_by: Mapped[str | None] = mapped_column(String(200))
    sending_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """Who did what, when — never a 4T value."""

    __tablename__ = "ministry_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("ministry_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class StatusChange(Base):
    """One step of a request's status as the employer sees it (the status page's history).

    Only what the employer may read: the status, when, and a rejection's reason.
    """

    __tablename__ = "ministry_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("ministry_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)


# The operators' logins to the console (kkod.logins, migration ministry_0004): users, sessions,
# and the login throttle's buckets (the same shape as central_rate_limits).
OPERATOR_LOGINS = login_tables(Base.metadata, "ministry")
RATE_LIMITS = Table(
    "ministry_rate_limits",
    Base.metadata,
    Column("bucket", String(200), primary_key=True),
    Column("tat", Float, nullable=False),
    Column("denied", Boolean, nullable=False),
)
