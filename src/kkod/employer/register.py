"""Queries and updates of the employer's register; every change leaves a history entry.

The functions take a SQLAlchemy session and never commit: the caller owns the transaction,
so an import is all-or-nothing.
"""

from __future__ import annotations

import hashlib
import shlex
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
from kkod.errors import KkodError
from kkod.fourt.canonical import canonical, clean_text
from kkod.fourt.dates import format_date
from kkod.fourt.model import Person4T
from kkod.table.layout import COLUMN_OF_FIELD

GENERATED_PREFIX = "GEN-"
EDIT_SOURCE = "kézi javítás"  # the history source of `kkod employer edit`
META_KRID = "krid"
META_ORGANISATION = "organisation"

UNKNOWN_REASON = (
    "A válasz ezt a sort üresen hagyta, de okot nem adott meg (nem volt mellékelve indoklás) — "
    "nézze meg a minisztérium jelentését."
)
UNCONFIRMED_REASON = (
    "A válasz E oszlopában kód áll, de a minisztérium jelentése nem erősíti meg, hogy a "
    "minisztérium adta ki (lehet korábbi vagy kézzel beírt kód), ezért nem tároltam."
)


@dataclass(frozen=True, slots=True)
class ReplyRow:
    """One row of a reply as the import sees it.

    ``code`` is a confirmed code (formatted) or ``None``; ``unconfirmed_code`` a code column E
    holds that no report confirms; ``result`` comes from the ministry's reason report
    (``None`` when it gave none); ``explanation`` is the report's Hungarian text for the row.
    ``sent_code`` (submitting) is what column E held when the row was sent.
    """

    row: int
    belso_azonosito: str | None
    person: Person4T
    code: str | None = None
    result: MatchResult | None = None
    explanation: str | None = None
    sorszam: str = ""
    unconfirmed_code: str | None = None
    sent_code: str | None = None


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
    # Rows whose column E held a code no report confirmed: stored because the register knows
    # the row was sent with column E empty, or not stored.
    stored_unreported: list[ReplyRow] = field(default_factory=list)
    unconfirmed: list[ReplyRow] = field(default_factory=list)


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


def register_key(
    belso_azonosito: str | None, person: Person4T, match_key: bytes | None = None
) -> tuple[str, bool]:
    """The register key of a row and whether it was generated.

    The Belső azonosító when given; otherwise ``GEN-`` and 16 hex digits of the row's match
    key (of its canonical 4T — ``match_key`` when the caller has it —, or of its cleaned values
    when it cannot be read as 4T), so the same person gets the same key in every reply.
    """
    given = clean_text(belso_azonosito or "")
    if given:
        return given, False
    if match_key is None:
        found = canonical(person)
        match_key = found.match_key() if found is not None else None
    if match_key is not None:
        digest = match_key.hex()
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


def require_employee(session: Session, key: str) -> Employee:
    """The entry with Belső azonosító ``key``; a Hungarian error (exit code 2) if there is none."""
    found = find_employee(session, key)
    if found is None:
        raise UnknownEmployee(
            f"Nincs ilyen belső azonosító a nyilvántartásban: „{key}”. "
            "A nyilvántartás tartalma: kkod employer list."
        )
    return found


class UnknownEmployee(KkodError):
    exit_code = 2


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
    """What the records officer does next for this employee (Hungarian): the procedure's
    step, then the kkod command that does it in the register."""
    status = Status(employee.status)
    who = command_argument(employee.belso_azonosito)
    if status is Status.KODOLT:
        return ""
    if status is Status.FUGGOBEN:
        return (
            "Várja meg a minisztérium válaszát, majd importálja: kkod employer import VÁLASZ.eml."
        )
    if status is Status.KOD_NELKUL:
        return (
            "Nézze meg a minisztérium jelentését (kkod employer import VÁLASZ.xlsx --report "
            f"JELENTÉS.xlsx), vagy kérje le a kódot egyenként: kkod employer connect {who}"
        )
    step = NEXT_STEP[RESULT_OF_STATUS[status]]
    if status is Status.TOBB_TALALAT:
        return f"{step} A kódot rögzítse: kkod employer edit {who} --kapcsolati-kod KÓD"
    return (
        f"{step} A nyilvántartásban: eltérő adat javítása: kkod employer edit {who} "
        f"--viselt-nev … (stb.); a kód lekérése: kkod employer connect {who}"
    )


def command_argument(text: str) -> str:
    """``text`` as one command-line argument (quoted when it holds spaces or symbols)."""
    return shlex.quote(text)


def add_history(
    session: Session,
    employee: Employee,
    what: str,
    old: str | None,
    new: str | None,
    source: str,
    reference: str | None = None,
) -> None:
    """A history entry of ``employee``; ``old``/``new`` never hold 4T values."""
    entry = History(what=what, old_value=old, new_value=new, source=source, reference=reference)
    employee.history.append(entry)
    session.add(entry)


def _target_status(row: ReplyRow, employee: Employee) -> tuple[Status, str | None]:
    """The status and reason a row without a code gives."""
    result = row.result
    if result is None and canonical(row.person) is None:
        result = MatchResult.HIBAS_SOR  # unreadable as 4T: we know why without a report
    if result is None or result is MatchResult.KOD:
        known = Status(employee.status)
        if known in (Status.NINCS_TALALAT, Status.TOBB_TALALAT, Status.HIBAS_SOR):
            return known, employee.reason  # a reply without reasons keeps the ones known
        if row.unconfirmed_code:
            return Status.KOD_NELKUL, UNCONFIRMED_REASON
        return Status.KOD_NELKUL, row.explanation or UNKNOWN_REASON
    return STATUS_OF_RESULT[result], row.explanation or EXPLANATION[result]


def _last_fourt_source(employee: Employee) -> str | None:
    """Where the entry's current 4T came from (the source of its last 4T history entry)."""
    for entry in reversed(employee.history):
        if entry.what in ("4T", "létrehozva"):
            return entry.source
    return None


class _Entries:
    """The register's entries, found for a table row by Belső azonosító — or, for an entry
    keyed ``GEN-…``, by its current 4T with the Sorszám deciding between several — so a row
    is never entered twice (e.g. after ``kkod employer edit`` or when column B is filled later).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_key = {e.belso_azonosito: e for e in employees(session)}
        self._generated: dict[bytes, list[Employee]] | None = None  # match key → GEN entries

    def find(
        self,
        key: str,
        generated: bool,
        match_key: bytes | None,
        sorszam: str,
        source: str,
        reference: str | None,
    ) -> Employee | None:
        found = self.by_key.get(key)
        if found is not None:
            return found
        twin = self._generated_twin(match_key, sorszam)
        if twin is not None and not generated:  # column B filled since: the entry takes it
            add_history(
                self.session, twin, "azonosító", twin.belso_azonosito, key, source, reference
            )
            del self.by_key[twin.belso_azonosito]
            self._generated_of(match_key).remove(twin)
            twin.belso_azonosito, twin.generated_key = key, False
            self.by_key[key] = twin
        return twin

    def add(self, employee: Employee, match_key: bytes | None) -> None:
        self.by_key[employee.belso_azonosito] = employee
        if employee.generated_key:
            self._generated_of(match_key).append(employee)

    def _generated_twin(self, match_key: bytes | None, sorszam: str) -> Employee | None:
        candidates = self._generated_of(match_key)
        if len(candidates) > 1:
            candidates = [e for e in candidates if e.sorszam and e.sorszam == sorszam]
        return candidates[0] if len(candidates) == 1 else None

    def _generated_of(self, match_key: bytes | None) -> list[Employee]:
        """The ``GEN-…`` entries whose current 4T has ``match_key`` (a list kept in the index)."""
        if match_key is None:
            return []
        if self._generated is None:
            self._generated = {}
            for entry in self.by_key.values():
                form = canonical(person_of(entry)) if entry.generated_key else None
                if form is not None:
                    self._generated.setdefault(form.match_key(), []).append(entry)
        return self._generated.setdefault(match_key, [])


def _upsert(
    session: Session,
    entries: _Entries,
    row: ReplyRow,
    summary: ApplySummary,
    source: str,
    reference: str | None,
    *,
    keep_hand_edits: bool = False,
) -> tuple[Employee, str]:
    """The register entry of ``row`` (created ``függőben`` if new), its 4T brought up to date —
    unless ``keep_hand_edits`` and the entry's 4T was last corrected by hand (a reply carries
    the 4T as sent, never newer than the officer's correction)."""
    summary.rows += 1
    match_key = None
    given = clean_text(row.belso_azonosito or "")
    if not given or given not in entries.by_key:  # the 4T are needed to find or key it
        form = canonical(row.person)
        match_key = form.match_key() if form is not None else None
    key, generated = register_key(row.belso_azonosito, row.person, match_key)
    values = fourt_values(row.person)
    employee = entries.find(key, generated, match_key, row.sorszam, source, reference)
    if employee is None:
        employee = Employee(
            belso_azonosito=key, generated_key=generated, status=Status.FUGGOBEN.value, **values
        )
        session.add(employee)
        entries.add(employee, match_key)
        summary.created += 1
        add_history(session, employee, "létrehozva", None, key, source, reference)
        summary.changes += 1
    else:
        key = employee.belso_azonosito
        changed = [COLUMN_OF_FIELD[f] for f, v in values.items() if getattr(employee, f) != v]
        if changed and not (keep_hand_edits and _last_fourt_source(employee) == EDIT_SOURCE):
            for name, value in values.items():
                setattr(employee, name, value)
            # Which columns changed, never the values themselves.
            add_history(session, employee, "4T", None, ", ".join(changed), source, reference)
            summary.changes += 1
    summary.keys.append(key)
    if row.sorszam:
        employee.sorszam = row.sorszam
    return employee, key


def apply_reply_rows(
    session: Session,
    rows: Iterable[ReplyRow],
    *,
    source: str,
    reference: str | None,
    confirm_by_register: bool = False,
) -> ApplySummary:
    """Bring the register in line with a reply's rows; changes nothing that already agrees.

    A confirmed code is stored (status ``kódolt``). A code no report confirmed is stored only
    with ``confirm_by_register`` (the reply had no list of issued codes) and only when the
    register knows the row was sent with column E empty; otherwise it is listed, not stored.
    An empty row gives the status of its reason; a reply never takes away a code the register
    holds, nor a reason it knows when it gives none.
    """
    summary = ApplySummary()
    entries = _Entries(session)
    for row in rows:
        before = summary.changes
        employee, key = _upsert(
            session, entries, row, summary, source, reference, keep_hand_edits=True
        )
        summary.touched[key] = employee
        code = row.code
        if code is None and row.unconfirmed_code:
            if confirm_by_register and employee.sent_code == "":
                code = row.unconfirmed_code
                summary.stored_unreported.append(row)
            else:
                summary.unconfirmed.append(row)
        if code is not None:
            new_status, new_reason = Status.KODOLT, None
            if employee.kapcsolati_kod != code:
                add_history(
                    session, employee, "kód", employee.kapcsolati_kod, code, source, reference
                )
                employee.kapcsolati_kod = code
                summary.changes += 1
        elif employee.kapcsolati_kod is not None:
            summary.kept_codes += 1
            new_status, new_reason = Status.KODOLT, None
        else:
            new_status, new_reason = _target_status(row, employee)
        if employee.status != new_status.value:
            add_history(
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
    """Record the rows of a sent request: new employees and those without a code become
    ``függőben``; what column E held is kept (``sent_code``)."""
    summary = ApplySummary()
    entries = _Entries(session)
    for row in rows:
        employee, _key = _upsert(session, entries, row, summary, source, reference)
        # New entries start as függőben; known ones without a code go back to it.
        if employee.kapcsolati_kod is None and employee.status != Status.FUGGOBEN.value:
            add_history(
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
        employee.sent_code = row.sent_code or ""
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
            add_history(session, employee, "kód", employee.kapcsolati_kod, code, source, None)
            employee.kapcsolati_kod = code
            changes += 1
        new_status, new_reason = Status.KODOLT, None
    else:
        # The central system's answer now is authoritative: a code it no longer confirms
        # (e.g. the account was closed) is taken off, with the old one kept in the history.
        if employee.kapcsolati_kod is not None:
            add_history(session, employee, "kód", employee.kapcsolati_kod, None, source, None)
            employee.kapcsolati_kod = None
            changes += 1
        new_status, new_reason = STATUS_OF_RESULT[result], EXPLANATION[result]
    if employee.status != new_status.value:
        add_history(session, employee, "állapot", employee.status, new_status.value, source, None)
        employee.status = new_status.value
        changes += 1
    employee.reason = new_reason
    if changes:
        employee.updated_at = utcnow()
    return changes
