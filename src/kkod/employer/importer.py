"""Importing a reply into the register: all-or-nothing, idempotent, every leftover with its next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from kkod.central.interface import MatchResult
from kkod.employer.database import transaction
from kkod.employer.models import LEFTOVER_STATUSES, Employee, ImportRecord, Status
from kkod.employer.register import (
    ApplySummary,
    apply_reply_rows,
    audit,
    next_step_of,
    reason_of,
)
from kkod.employer.reply import Reply, read_reply
from kkod.fourt.canonical import canonical


@dataclass(frozen=True, slots=True)
class Leftover:
    """An employee the reply gave no code to, with the reason and what to do next (Hungarian)."""

    belso_azonosito: str
    row: int | None
    viselt_nev: str
    status: str
    reason: str
    next_step: str


def leftover_of(employee: Employee) -> Leftover:
    return Leftover(
        belso_azonosito=employee.belso_azonosito,
        row=employee.last_row,
        viselt_nev=employee.viselt_nev,
        status=employee.status,
        reason=reason_of(employee),
        next_step=next_step_of(employee),
    )


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What importing one reply did."""

    reply: Reply
    summary: ApplySummary
    counts: dict[str, int]  # rows, coded, no_match, multiple, invalid, unknown
    leftovers: list[Leftover]
    previously_imported_at: datetime | None  # when the same table was imported before

    @property
    def unchanged(self) -> bool:
        return self.summary.changes == 0


def count_results(reply: Reply) -> dict[str, int]:
    counts = {
        "rows": len(reply.rows),
        "coded": 0,
        "no_match": 0,
        "multiple": 0,
        "invalid": 0,
        "unknown": 0,
    }
    name = {
        MatchResult.KOD: "coded",
        MatchResult.NINCS_TALALAT: "no_match",
        MatchResult.TOBB_TALALAT: "multiple",
        MatchResult.HIBAS_SOR: "invalid",
    }
    for row in reply.rows:
        result = row.result
        if result is None and canonical(row.person) is None:
            result = MatchResult.HIBAS_SOR  # unreadable as 4T: known without a report
        counts[name[result] if result else "unknown"] += 1
    return counts


def import_reply(engine: Engine, path: Path, *, actor: str = "munkáltató") -> ImportOutcome:
    """Read the reply at ``path`` and bring the register in line with it in one transaction.

    Importing the same reply again changes nothing (and says when it was first imported).
    Raises :class:`~kkod.errors.KkodError` before touching the register if the reply is bad.
    """
    reply = read_reply(Path(path))
    with transaction(engine) as session:
        previous = session.scalars(
            select(ImportRecord)
            .where(ImportRecord.table_sha256 == reply.table_sha256)
            .order_by(ImportRecord.id)
        ).first()
        summary = apply_reply_rows(
            session, reply.rows, source=f"import: {reply.file_name}", reference=reply.reference
        )
        counts = count_results(reply)
        left = []
        for employee in summary.touched.values():
            if Status(employee.status) in LEFTOVER_STATUSES:
                left.append(leftover_of(employee))
        if previous is None or summary.changes:
            session.add(
                ImportRecord(
                    file_name=reply.file_name,
                    table_sha256=reply.table_sha256,
                    reference=reply.reference,
                    rows=counts["rows"],
                    coded=counts["coded"],
                    leftovers=len(left),
                    changes=summary.changes,
                )
            )
        audit(
            session,
            "import",
            f"file={reply.file_name} sha256={reply.table_sha256[:16]} rows={counts['rows']} "
            f"coded={counts['coded']} changes={summary.changes} report={reply.report_found}",
            actor=actor,
        )
    return ImportOutcome(
        reply=reply,
        summary=summary,
        counts=counts,
        leftovers=left,
        previously_imported_at=previous.at if previous else None,
    )
