"""Connecting one register entry through the central system and storing the code (or the reason)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kkod.central.interface import EXPLANATION, Central, MatchResult, Via
from kkod.employer.database import transaction
from kkod.employer.register import (
    META_KRID,
    audit,
    get_meta,
    next_step_of,
    person_of,
    record_connection,
    require_employee,
    set_meta,
)
from kkod.errors import KkodError
from kkod.fourt.canonical import canonical


@dataclass(frozen=True, slots=True)
class ConnectOutcome:
    """What connecting one employee gave."""

    belso_azonosito: str
    krid: str
    result: MatchResult
    code: str | None
    previous_code: str | None
    changes: int  # history entries written
    next_step: str = ""  # what the officer does next (Hungarian), when there is no code

    @property
    def explanation(self) -> str:
        return EXPLANATION[self.result]


def resolve_krid(engine: Engine, krid: str | None) -> str:
    """The KRID to use: the given one, else the one the register stores."""
    if krid and krid.strip():
        return krid.strip()
    with transaction(engine) as session:
        stored = get_meta(session, META_KRID)
    if stored is None:
        raise KkodError(
            "Nem tudom, melyik hivatali kapunak (KRID) kérjem a kódot: adja meg a --krid "
            "kapcsolóval (a nyilvántartás megjegyzi; a beküldés is eltárolja a nyilatkozatból)."
        )
    return stored


def connect_employee(
    engine: Engine, central: Central, belso_azonosito: str, *, krid: str | None = None
) -> ConnectOutcome:
    """Ask the central system for one employee's code from the stored 4T; store the outcome.

    Only the match key of the canonical 4T leaves the register; the central system answers
    with a code or a reason, never with a near-match.
    """
    krid = resolve_krid(engine, krid)
    with transaction(engine) as session:
        employee = require_employee(session, belso_azonosito)
        form = canonical(person_of(employee))
        key = form.match_key() if form is not None else None
        outcome = central.connect_one(krid, key, via=Via.MANUAL, actor="munkáltató")
        if get_meta(session, META_KRID) is None:
            set_meta(session, META_KRID, krid)  # the first KRID that worked is remembered
        previous = employee.kapcsolati_kod
        changes = record_connection(
            session, employee, outcome.result, outcome.code, source=f"connect (KRID {krid})"
        )
        audit(
            session,
            "connect",
            f"id={employee.belso_azonosito} krid={krid} result={outcome.result.value} changes={changes}",
        )
        return ConnectOutcome(
            employee.belso_azonosito,
            krid,
            outcome.result,
            outcome.code,
            previous,
            changes,
            next_step_of(employee),
        )
