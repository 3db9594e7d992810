"""Queries and updates of the employer's register; every change leaves a history entry.

The functions take a SQLAlchemy session and never commit: the caller owns the transaction,
so an import is all-or-nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult
from kkod.employer.models import (
    LEFTOVER_STATUSES,
    RESULT_OF_STATUS,
    STATUS_OF_RESULT,
    Audit,
    Employee,
    History,
    Meta,
    Status,
    utcnow,
)
from kkod.fourt.canonical import canonical, clean_text
from kkod.fourt.dates import format_date
from kkod.fourt.model import Person4T
from kkod.table.layout import COLUMN_OF_FIELD

GENERATED_PREFIX = "GEN-"
META_KRID = "krid"
META_ORGANISATION = "organisation"

UNKNOWN_REASON = (
    "A válasz ezt a sort üresen hagyta, de okot nem adott meg (nem volt mellékelve indoklás) — "
    "nézze meg a minisztérium jelentését."
)
UNKNOWN_NEXT_STEP = "Nézze meg a minisztérium jelentését, vagy kapcsolja egyenként:"


@dataclass(frozen=True, slots=True)
class ReplyRow:
    """One row of a reply as the import sees it.

    ``code`` is the formatted code (column E) or ``None``; ``result`` comes from the
    ministry's reason report (``None`` when no report was attached); ``explanation`` is the
    report's Hungarian text for the row, if any.
    """

    row: int
    belso_azonosito: str | None
    person: Person4T
    code: str | None = None
    result: MatchResult | None = None
    explanation: str | None = None


@dataclass(slots=True)
class ApplySummary:
    """What one batch of rows did to the register."""

    rows: int = 0
    created: int = 0
    changed_employees: int = 0
    changes: int = 0  # history entries written
    kept_codes: int = 0  # rows left empty by the reply for employees already holding a code
    keys: list[str] = field(default_factory=list)  # register key of each row, in order
    touched: dict[str, Employee] = field(default_factory=dict)  # key → employee, in row order


def text_of_date(value: str | date) -> str:
    return format_date(value) if isinstance(value, date) else str(value)


def fourt_values(person: Person4T) -> dict[str, str]:
    """The 4T as the register stores them: as written, dates from Excel cells as éééé.hh.nn."""
    return {
        "viselt_nev": clean_text(person.viselt_nev or ""),
        "szuletesi_nev": clean_text(person.szuletesi_nev or ""),
        "anyja_szuletesi_neve": clean_text(person.anyja_szuletesi_neve or ""),
        "szuletesi_hely": clean_text(person.szuletesi_hely or ""),
        "szuletesi_ido": clean_text(text_of_date(person.szuletesi_ido or "")),
    }


def person_of(employee: Employee) -> Person4T:
    return Person4T(
        employee.viselt_nev,
        employee.szuletesi_nev,
        employee.anyja_szuletesi_neve,
        employee.szuletesi_hely,
        employee.szuletesi_ido,
    )


def register_key(belso_azonosito: str | None, person: Person4T) -> tuple[str, bool]:
    """The register key of a row and whether it was generated.

    The Belső azonosító when given; otherwise ``GEN-`` and 16 hex digits of the row's match
    key (of its canonical 4T, or of its cleaned values when it cannot be read as 4T), so the
    same person gets the same key in every reply.
    """
    given = clean_text(belso_azonosito or "")
    if given:
        return given, False
    found = canonical(person)
    if found is not None:
        digest = found.match_key().hex()
    else:
        joined = "\x1f".join(fourt_values(person).values()).casefold()
        digest = hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()
    return f"{GENERATED_PREFIX}{digest[:16].upper()}", True


def get_meta(session: Session, key: str) -> str | None:
    found = session.get(Meta, key)
    return found.value if found else None


def set_meta(session: Session, key: str, value: str) -> None:
    found = session.get(Meta, key)
    if found is None:
        session.add(Meta(key=key, value=value))
    else:
        found.value = value


def audit(session: Session, action: str, detail: str, actor: str = "munkáltató") -> None:
    """An audit entry; ``detail`` must not hold 4T values."""
    session.add(Audit(actor=actor, action=action, detail=detail))


def find_employee(session: Session, key: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.belso_azonosito == clean_text(key))
    ).one_or_none()


def employees(session: Session, statuses: Sequence[Status] | None = None) -> list[Employee]:
    """The register's employees ordered by key, optionally only those with given statuses."""
    query = select(Employee).order_by(Employee.belso_azonosito)
    if statuses:
        query = query.where(Employee.status.in_([s.value for s in statuses]))
    return list(session.scalars(query))


def leftovers(session: Session) -> list[Employee]:
    """Employees whose row came back without a code (and who have none since)."""
    return employees(session, LEFTOVER_STATUSES)


def reason_of(employee: Employee) -> str:
    if employee.reason:
        return employee.reason
    status = Status(employee.status)
    result = RESULT_OF_STATUS.get(status)
    if result is not None:
        return EXPLANATION[result]
    return UNKNOWN_REASON if status is Status.KOD_NELKUL else ""


def next_step_of(employee: Employee) -> str:
    """What the records officer does next for this employee (Hungarian)."""
    status = Status(employee.status)
    if status is Status.KODOLT:
        return ""
    if status is Status.FUGGOBEN:
        return (
            "Várja meg a minisztérium válaszát, majd importálja: kkod employer import VÁLASZ.eml."
        )
    if status is Status.KOD_NELKUL:
        return f"{UNKNOWN_NEXT_STEP} kkod employer connect {employee.belso_azonosito}"
    step = NEXT_STEP[RESULT_OF_STATUS[status]]
    return f"{step} Egyenként: kkod employer connect {employee.belso_azonosito}"


def _history(
    session: Session,
    employee: Employee,
    what: str,
    old: str | None,
    new: str | None,
    source: str,
    reference: str | None,
) -> None:
    entry = History(what=what, old_value=old, new_value=new, source=source, reference=reference)
    employee.history.append(entry)
    session.add(entry)


def _target_status(row: ReplyRow) -> tuple[Status, str | None]:
    """The status and reason a row without a code gives."""
    result = row.result
    if result is None and canonical(row.person) is None:
        result = MatchResult.HIBAS_SOR  # unreadable as 4T: we know why without a report
    if result is None or result is MatchResult.KOD:
        return Status.KOD_NELKUL, row.explanation or UNKNOWN_REASON
    return STATUS_OF_RESULT[result], row.explanation or EXPLANATION[result]


def _upsert(
    session: Session,
    known: dict[str, Employee],
    row: ReplyRow,
    summary: ApplySummary,
    source: str,
    reference: str | None,
) -> tuple[Employee, str]:
    """The register entry of ``row`` (created ``függőben`` if new), its 4T brought up to date."""
    summary.rows += 1
    key, generated = register_key(row.belso_azonosito, row.person)
    summary.keys.append(key)
    values = fourt_values(row.person)
    employee = known.get(key)
    if employee is None:
        employee = Employee(
            belso_azonosito=key, generated_key=generated, status=Status.FUGGOBEN.value, **values
        )
        session.add(employee)
        known[key] = employee
        summary.created += 1
        _history(session, employee, "létrehozva", None, key, source, reference)
        summary.changes += 1
        return employee, key
    changed = [COLUMN_OF_FIELD[f] for f, v in values.items() if getattr(employee, f) != v]
    if changed:
        for name, value in values.items():
            setattr(employee, name, value)
        # Which columns changed, never the values themselves.
        _history(session, employee, "4T", None, ", ".join(changed), source, reference)
        summary.changes += 1
    return employee, key


def apply_reply_rows(
    session: Session, rows: Iterable[ReplyRow], *, source: str, reference: str | None
) -> ApplySummary:
    """Bring the register in line with a reply's rows; changes nothing that already agrees.

    A code in the reply is stored (status ``kódolt``); an empty row gives the status of its
    reason, except that a reply never takes away a code the register already holds.
    """
    summary = ApplySummary()
    known = {e.belso_azonosito: e for e in employees(session)}
    for row in rows:
        before = summary.changes
        employee, key = _upsert(session, known, row, summary, source, reference)
        summary.touched[key] = employee
        if row.code is not None:
            new_status, new_reason = Status.KODOLT, None
            if employee.kapcsolati_kod != row.code:
                _history(
                    session, employee, "kód", employee.kapcsolati_kod, row.code, source, reference
                )
                employee.kapcsolati_kod = row.code
                summary.changes += 1
        elif employee.kapcsolati_kod is not None:
            summary.kept_codes += 1
            new_status, new_reason = Status.KODOLT, None
        else:
            new_status, new_reason = _target_status(row)
        if employee.status != new_status.value:
            _history(
                session, employee, "állapot", employee.status, new_status.value, source, reference
            )
            employee.status = new_status.value
            summary.changes += 1
        if employee.reason != new_reason:
            employee.reason = new_reason
        if summary.changes != before:
            employee.last_reference = reference or employee.last_reference
            employee.last_row = row.row
            employee.updated_at = utcnow()
            summary.changed_employees += 1
    return summary


def mark_submitted(
    session: Session, rows: Iterable[ReplyRow], *, source: str, reference: str
) -> ApplySummary:
    """Record the rows of a sent request: new employees and those without a code become ``függőben``."""
    summary = ApplySummary()
    known = {e.belso_azonosito: e for e in employees(session)}
    for row in rows:
        employee, _key = _upsert(session, known, row, summary, source, reference)
        # New entries start as függőben; known ones without a code go back to it.
        if employee.kapcsolati_kod is None and employee.status != Status.FUGGOBEN.value:
            _history(
                session,
                employee,
                "állapot",
                employee.status,
                Status.FUGGOBEN.value,
                source,
                reference,
            )
            employee.status = Status.FUGGOBEN.value
            employee.reason = None
            summary.changes += 1
        employee.last_reference = reference
        employee.last_row = row.row
        employee.updated_at = utcnow()
    return summary


def record_connection(
    session: Session, employee: Employee, result: MatchResult, code: str | None, *, source: str
) -> int:
    """Store the outcome of connecting one employee; returns the number of history entries."""
    changes = 0
    if result is MatchResult.KOD:
        assert code is not None
        if employee.kapcsolati_kod != code:
            _history(session, employee, "kód", employee.kapcsolati_kod, code, source, None)
            employee.kapcsolati_kod = code
            changes += 1
        new_status, new_reason = Status.KODOLT, None
    else:
        # The central system's answer now is authoritative: a code it no longer confirms
        # (e.g. the account was closed) is taken off, with the old one kept in the history.
        if employee.kapcsolati_kod is not None:
            _history(session, employee, "kód", employee.kapcsolati_kod, None, source, None)
            employee.kapcsolati_kod = None
            changes += 1
        new_status, new_reason = STATUS_OF_RESULT[result], EXPLANATION[result]
    if employee.status != new_status.value:
        _history(session, employee, "állapot", employee.status, new_status.value, source, None)
        employee.status = new_status.value
        changes += 1
    employee.reason = new_reason
    if changes:
        employee.updated_at = utcnow()
    return changes
