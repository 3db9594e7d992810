"""Sending a request to the ministry: validate the table, build the email, send it, record it.

SPEC §1 step 2 and §6: one ``.xlsx`` table (editable, unsigned) and one signed PDF declaration,
subject with the organisation's name and "kapcsolati kódok".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from kkod.errors import KkodError

REPORT_SUFFIX = "-ellenorzes.xlsx"


class ValidationBlocked(KkodError):
    """The table has errors; nothing was sent. ``report`` is the written validation report."""

    exit_code = 1

    def __init__(self, errors: int, warnings: int, report: Path) -> None:
        super().__init__(
            f"A táblázatban {errors} hiba van, ezért nem küldtem el. A hibák listája: {report} "
            "— javítsa őket (kkod validate --fix segíthet), majd küldje újra."
        )
        self.errors = errors
        self.warnings = warnings
        self.report = report


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """What ``kkod employer submit`` was asked to do."""

    table: Path
    declaration: Path
    to: str
    sender: str
    organisation: str | None = None  # default: the declaration's
    save_eml: Path | None = None


@dataclass(slots=True)
class SubmitResult:
    message_id: str
    subject: str
    organisation: str
    krid: str | None
    rows: int
    warnings: int
    size: int  # bytes of the sent message
    saved_eml: Path | None
    notes: list[str] = field(default_factory=list)  # Hungarian remarks for the user


def report_path_for(table: Path) -> Path:
    """Where the validation report of a blocked table goes: next to the table."""
    return table.with_name(table.stem + REPORT_SUFFIX)


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise KkodError(f"A(z) {what} nem található: {path}") from None
    except OSError as error:
        raise KkodError(f"A(z) {what} nem olvasható: {path} ({error.strerror}).") from None


def message_text(organisation: str, krid: str | None, rows: int, table_name: str) -> str:
    """The Hungarian body of the request email."""
    krid_line = f"Hivatali kapu KRID: {krid}\n" if krid else ""
    return (
        "Tisztelt Belügyminisztérium!\n\n"
        f"A(z) {organisation} ezúton kéri a foglalkoztatottjai kapcsolati kódjainak tömeges "
        "generálását.\n\n"
        f"{krid_line}"
        f"Mellékelt táblázat: {table_name} ({rows} sor)\n"
        "Mellékelt munkáltatói nyilatkozat: elektronikusan aláírt PDF.\n\n"
        "Kérjük, a kitöltött táblázatot erre a címre küldjék vissza.\n\n"
        "Üdvözlettel:\n"
        f"{organisation}\n"
    )


def submit_request(
    request: SubmitRequest,
    target,  # kkod.mail.smtp.SmtpTarget
    engine: Engine | None = None,
) -> SubmitResult:
    """Validate, build, send; then record the rows as ``függőben`` in the register (if ``engine``).

    Raises :class:`ValidationBlocked` (nothing sent) when the table has errors, and
    :class:`~kkod.mail.smtp.MailError` when the SMTP server cannot take the message.
    """
    from kkod.atomic import atomic_write_bytes
    from kkod.exchange.declaration import read_declaration
    from kkod.exchange.subject import request_subject
    from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
    from kkod.mail.smtp import send_message
    from kkod.table.reader import read_table

    table_bytes = _read(request.table, "táblázat")
    pdf_bytes = _read(request.declaration, "nyilatkozat")
    notes: list[str] = []
    warnings = validate_before_sending(request.table)
    table = read_table(request.table)

    try:
        declared = read_declaration(pdf_bytes)
    except KkodError as error:
        if not request.organisation:
            raise KkodError(
                f"{error.message} A szervezet nevét így a --org kapcsolóval adhatja meg."
            ) from None
        declared = None
        notes.append(
            f"A nyilatkozat adatai nem olvashatók ({error.message}); a minisztérium ellenőrzi."
        )
    if declared is not None:
        digest = hashlib.sha256(table_bytes).hexdigest()
        if declared.table_sha256.lower() != digest:
            raise KkodError(
                f"A nyilatkozat nem ehhez a táblázathoz készült: a benne szereplő SHA-256 "
                f"({declared.table_sha256[:16]}…) nem egyezik a(z) {request.table.name} "
                f"lenyomatával ({digest[:16]}…). Készítse el újra a nyilatkozatot "
                "(kkod employer declaration) a végleges táblázatból."
            )
        if declared.rows != len(table.rows):
            raise KkodError(
                f"A nyilatkozat {declared.rows} sort említ, a táblázatban {len(table.rows)} sor van."
            )

    organisation = (request.organisation or (declared.organisation if declared else "")).strip()
    krid = declared.krid if declared else None
    subject = request_subject(organisation)
    message = build_message(
        sender=request.sender,
        to=request.to,
        subject=subject,
        text=message_text(organisation, krid, len(table.rows), request.table.name),
        attachments=[
            Attachment(request.table.name, XLSX_TYPE, table_bytes),
            Attachment(request.declaration.name, PDF_TYPE, pdf_bytes),
        ],
    )
    raw = message.as_bytes()
    send_message(message, target)
    message_id = str(message["Message-ID"])
    saved = None
    if request.save_eml is not None:
        saved = atomic_write_bytes(request.save_eml, raw)
    if engine is not None:
        _record(engine, table, request, organisation, krid, message_id)
    return SubmitResult(
        message_id=message_id,
        subject=subject,
        organisation=organisation,
        krid=krid,
        rows=len(table.rows),
        warnings=warnings,
        size=len(raw),
        saved_eml=saved,
        notes=notes,
    )


def validate_before_sending(table: Path) -> int:
    """Run the 4T rules on ``table``; errors raise :class:`ValidationBlocked` after the report is
    written next to the table. Returns the number of warnings (they do not block)."""
    from kkod.employer.validation import validate_table, write_findings_report

    result = validate_table(table)
    if result.has_errors:
        report = write_findings_report(report_path_for(table), result)
        raise ValidationBlocked(result.errors, result.warnings, report)
    return result.warnings


def _record(
    engine: Engine, table, request: SubmitRequest, organisation: str, krid, message_id: str
) -> None:
    from kkod.employer.database import transaction
    from kkod.employer.register import (
        META_KRID,
        META_ORGANISATION,
        ReplyRow,
        audit,
        mark_submitted,
        set_meta,
    )

    rows = [ReplyRow(r.row, r.belso_azonosito, r.person) for r in table.rows]
    with transaction(engine) as session:
        if krid:
            set_meta(session, META_KRID, krid)
        if organisation:
            set_meta(session, META_ORGANISATION, organisation)
        summary = mark_submitted(
            session, rows, source=f"submit: {request.table.name}", reference=message_id
        )
        audit(
            session,
            "submit",
            f"table={request.table.name} rows={summary.rows} message_id={message_id} to={request.to}",
        )
