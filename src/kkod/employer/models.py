"""The employer's register: employees keyed by Belső azonosító, their 4T, code, status and history.

Its own declarative base and tables (prefixed ``employer_``), migrated by Alembic in
``kkod/employer/migrations``; SQLite by default, PostgreSQL when configured.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kkod.central.interface import MatchResult


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(StrEnum):
    """Where an employee's connection code stands (Hungarian: shown to the records officer)."""

    KODOLT = "kódolt"
    NINCS_TALALAT = "nincs találat"
    TOBB_TALALAT = "több találat"
    HIBAS_SOR = "hibás sor"
    KOD_NELKUL = "kód nélkül"  # the reply left the row empty and gave no reason
    FUGGOBEN = "függőben"  # sent in a request, no reply yet


STATUS_OF_RESULT: dict[MatchResult, Status] = {
    MatchResult.KOD: Status.KODOLT,
    MatchResult.NINCS_TALALAT: Status.NINCS_TALALAT,
    MatchResult.TOBB_TALALAT: Status.TOBB_TALALAT,
    MatchResult.HIBAS_SOR: Status.HIBAS_SOR,
}
RESULT_OF_STATUS: dict[Status, MatchResult] = {v: k for k, v in STATUS_OF_RESULT.items()}
LEFTOVER_STATUSES = (Status.NINCS_TALALAT, Status.TOBB_TALALAT, Status.HIBAS_SOR, Status.KOD_NELKUL)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Facts about the employer itself, e.g. ``krid`` (its Hivatali kapu) and ``organisation``."""

    __tablename__ = "employer_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Employee(Base):
    """One employee of the register."""

    __tablename__ = "employer_employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    belso_azonosito: Mapped[str] = mapped_column(String(200))
    generated_key: Mapped[bool] = mapped_column(default=False)
    viselt_nev: Mapped[str] = mapped_column(Text, default="")
    szuletesi_nev: Mapped[str] = mapped_column(Text, default="")
    anyja_szuletesi_neve: Mapped[str] = mapped_column(Text, default="")
    szuletesi_hely: Mapped[str] = mapped_column(Text, default="")
    szuletesi_ido: Mapped[str] = mapped_column(String(40), default="")
    kapcsolati_kod: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.FUGGOBEN.value)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_reference: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sorszam: Mapped[str | None] = mapped_column(String(40), nullable=True)  # column A, last seen
    # What column E held in the last table sent with a request ("" empty; None: never sent
    # through kkod): a code found there in a reply without a report is the ministry's only
    # when the row went out empty.
    sent_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    history: Mapped[list[History]] = relationship(
        back_populates="employee", order_by="History.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("belso_azonosito", name="uq_employer_employees_belso_azonosito"),
        Index("ix_employer_employees_status", "status"),
    )


class History(Base):
    """Every change of an employee: when, what (field), from → to, and from which source."""

    __tablename__ = "employer_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employer_employees.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "létrehozva", "kód", "állapot", "4T", "azonosító"
    what: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(
        String(300)
    )  # "import: VALASZ.xlsx", "connect", "submit: …"
    reference: Mapped[str | None] = mapped_column(String(300), nullable=True)

    employee: Mapped[Employee] = relationship(back_populates="history")

    __table_args__ = (Index("ix_employer_history_employee_id", "employee_id"),)


class ImportRecord(Base):
    """One imported reply: which file (by its table's SHA-256), when, and what it changed."""

    __tablename__ = "employer_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    file_name: Mapped[str] = mapped_column(String(300))
    table_sha256: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(300), nullable=True)
    rows: Mapped[int] = mapped_column(Integer)
    coded: Mapped[int] = mapped_column(Integer)
    leftovers: Mapped[int] = mapped_column(Integer)
    changes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_employer_imports_table_sha256", "table_sha256"),)


class Audit(Base):
    """Audit trail of register operations; never holds 4T values."""

    __tablename__ = "employer_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
