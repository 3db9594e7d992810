"""Correcting one register entry by hand: its 4T, checked with the 4T rules, or a code made by hand.

The leftovers' one-by-one step (SPEC §1 step 4): the officer corrects a 4T field that differs
from the employee's own declaration before ``kkod employer connect``, or stores the code of a
connection made by hand in the Hivatali kapu. Every change leaves a history entry (columns
only, never values) and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from kkod.central.interface import MatchResult
from kkod.employer.database import transaction
from kkod.employer.models import utcnow
from kkod.employer.register import (
    EDIT_SOURCE,
    add_history,
    audit,
    fourt_values,
    person_of,
    record_connection,
    require_employee,
)
from kkod.errors import KkodError
from kkod.fourt.canonical import clean_text
from kkod.fourt.model import Finding, Person4T, Severity
from kkod.fourt.rules import RULES
from kkod.fourt.validation import check_person
from kkod.table.layout import COLUMN_OF_FIELD


class EditRefused(KkodError):
    """The corrected 4T breaks a rule (unusable input: exit code 2); nothing was changed."""

    exit_code = 2


@dataclass(slots=True)
class EditOutcome:
    """What editing one entry did."""

    belso_azonosito: str
    changed: list[str] = field(default_factory=list)  # column letters of changed 4T fields
    fixed: list[Finding] = field(default_factory=list)  # safe fixes applied to the new values
    warnings: list[Finding] = field(default_factory=list)  # about the fields given
    remaining: list[Finding] = field(default_factory=list)  # errors in fields not given
    code: str | None = None  # the code stored, when one was given
    previous_code: str | None = None


def edit_employee(
    engine: Engine,
    belso_azonosito: str,
    fields: dict[str, str],
    *,
    code: str | None = None,
    today: date | None = None,
    actor: str = "munkáltató",
) -> EditOutcome:
    """Set the given 4T ``fields`` (``Person4T`` field names) and/or store ``code``.

    The new values are checked with every 4T rule; an error in a field given refuses the whole
    edit (:class:`EditRefused`), safe fixes are applied, warnings are returned.
    """
    from kkod.central.codes import CodeError, normalize, parse_code

    unknown = set(fields) - set(Person4T.FIELDS)
    if unknown:
        raise ValueError(f"not 4T fields: {sorted(unknown)}")
    if not fields and code is None:
        raise EditRefused(
            "Nincs mit módosítani: adjon meg legalább egy 4T mezőt vagy a kapcsolati kódot."
        )
    # A code made by hand today carries the Damm check symbol; an old form typed here is a typo.
    try:
        shown_code = parse_code(normalize(code, legacy=False)) if code is not None else None
    except CodeError as error:
        raise EditRefused(f"A megadott kapcsolati kód hibás: {error.message}") from None
    with transaction(engine) as session:
        employee = require_employee(session, belso_azonosito)
        outcome = EditOutcome(employee.belso_azonosito)
        if fields:
            _correct_fourt(session, employee, fields, outcome, today or date.today())
        if shown_code is not None:
            outcome.previous_code = employee.kapcsolati_kod
            record_connection(session, employee, MatchResult.KOD, shown_code, source=EDIT_SOURCE)
            outcome.code = shown_code
        audit(
            session,
            "edit",
            f"id={employee.belso_azonosito} columns={','.join(outcome.changed) or '-'} "
            f"code={'igen' if shown_code else 'nem'}",
            actor=actor,
        )
    return outcome


def _correct_fourt(
    session, employee, fields: dict[str, str], outcome: EditOutcome, today: date
) -> None:
    given = {COLUMN_OF_FIELD[name] for name in fields}
    values = {**fourt_values(person_of(employee)), **fields}
    check = check_person(
        employee.last_row or 0,
        Person4T(*(values[name] for name in Person4T.FIELDS)),
        columns=COLUMN_OF_FIELD,
        today=today,
    )
    errors = [f for f in check.findings if f.severity is Severity.HIBA and f.column in given]
    if errors:
        lines = "\n".join(f"{f.column} ({_label(f.column)}): {f.message}" for f in errors)
        raise EditRefused(f"A javítás nem menthető, semmit sem változtattam:\n{lines}")
    for name in fields:
        letter = COLUMN_OF_FIELD[name]
        values[name] = clean_text(check.fixes.get(letter, values[name]))
    mine = [f for f in check.findings if f.column in given]
    outcome.fixed = [f for f in mine if f.rule in RULES and RULES[f.rule].auto_fix]
    outcome.warnings = [f for f in mine if f not in outcome.fixed]
    outcome.remaining = [
        f for f in check.findings if f.column not in given and f.severity is Severity.HIBA
    ]
    for name in fields:
        if getattr(employee, name) != values[name]:
            setattr(employee, name, values[name])
            outcome.changed.append(COLUMN_OF_FIELD[name])
    if outcome.changed:
        # Which columns changed, never the values themselves.
        add_history(session, employee, "4T", None, ", ".join(outcome.changed), EDIT_SOURCE)
        employee.updated_at = utcnow()


def _label(letter: str) -> str:
    from kkod.table.layout import BY_LETTER

    return BY_LETTER[letter].header
