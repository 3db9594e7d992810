"""Importing a reply into the register: all-or-nothing, idempotent, every leftover with its next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from kkod.central.interface import MatchResult
from kkod.employer.database import transaction
from kkod.employer.lists import Entry, entry_of
from kkod.employer.models import LEFTOVER_STATUSES, History, ImportRecord, Status
from kkod.employer.register import ApplySummary, ReplyRow, apply_reply_rows, audit
from kkod.employer.reply import NotAReply, Reply, read_reply
from kkod.fourt.canonical import canonical
from kkod.hungarian import article

SUBMIT_SOURCE_PREFIX = "submit"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What importing one reply did."""

    reply: Reply
    summary: ApplySummary
    counts: dict[str, int]  # rows, coded, no_match, multiple, invalid, unknown
    leftovers: list[Entry]
    previously_imported_at: datetime | None  # when the same table was imported before

    @property
    def unchanged(self) -> bool:
        return self.summary.changes == 0

    @property
    def unconfirmed(self) -> list[ReplyRow]:
        """Rows whose column E held a code no report (nor the register) confirmed: not stored."""
        return self.summary.unconfirmed

    @property
    def stored_unreported(self) -> list[ReplyRow]:
        """Rows whose code was stored without a report: the register knows they went out empty."""
        return self.summary.stored_unreported


def count_results(reply: Reply, summary: ApplySummary) -> dict[str, int]:
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
    stored = {row.row for row in summary.stored_unreported}
    for row in reply.rows:
        result = MatchResult.KOD if row.row in stored else row.result
        if result is None and canonical(row.person) is None:
            result = MatchResult.HIBAS_SOR  # unreadable as 4T: known without a report
        counts[name[result] if result else "unknown"] += 1
    return counts


def import_reply(
    engine: Engine, path: Path, *, report: Path | None = None, actor: str = "munkáltató"
) -> ImportOutcome:
    """Read the reply at ``path`` (with the reason report at ``report``, if given) and bring
    the register in line with it in one transaction.

    Importing the same reply again changes nothing (and says when it was first imported).
    Raises :class:`~kkod.errors.KkodError` before touching the register if the reply is bad
    or is not a reply at all.
    """
    reply = read_reply(Path(path), report)
    with transaction(engine) as session:
        if reply.message_id and session.scalar(
            select(History.id)
            .where(
                History.reference == reply.message_id,
                History.source.startswith(SUBMIT_SOURCE_PREFIX),
            )
            .limit(1)
        ):
            raise NotAReply(
                f"{article(reply.file_name).capitalize()} „{reply.file_name}” a nyilvántartás szerint az Ön által elküldött kérelem "
                "(ugyanaz az üzenet-azonosító), nem a minisztérium válasza."
            )
        previous = session.scalars(
            select(ImportRecord)
            .where(ImportRecord.table_sha256 == reply.table_sha256)
            .order_by(ImportRecord.id)
        ).first()
        summary = apply_reply_rows(
            session,
            reply.rows,
            source=f"import: {reply.file_name}",
            reference=reply.reference,
            confirm_by_register=not reply.codes_confirmed,
        )
        counts = count_results(reply, summary)
        left = [
            entry_of(employee)
            for employee in summary.touched.values()
            if Status(employee.status) in LEFTOVER_STATUSES
        ]
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
            f"coded={counts['coded']} changes={summary.changes} report={reply.report_found} "
            f"unconfirmed={len(summary.unconfirmed)}",
            actor=actor,
        )
    return ImportOutcome(
        reply=reply,
        summary=summary,
        counts=counts,
        leftovers=left,
        previously_imported_at=previous.at if previous else None,
    )
