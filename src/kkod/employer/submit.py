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
from kkod.hungarian import article

REPORT_SUFFIX = "-ellenorzes.xlsx"
UNSENT_HEADER = "X-Unsent"  # "1": Outlook opens the saved message as a draft to send


class EmptyTable(KkodError):
    """The table has no filled row: there is nothing to ask codes for (exit code 2)."""

    exit_code = 2

    def __init__(self, table: Path) -> None:
        super().__init__(
            f"{article(table.name).capitalize()} „{table.name}” táblázatban nincs egyetlen kitöltött adatsor sem: üres "
            "táblázatra nem készül nyilatkozat és nem megy kérelem. Töltse ki a D, F, G, H és I "
            "oszlopot."
        )


class ValidationBlocked(KkodError):
    """The table has errors; ``what`` was not done. ``report`` is the written validation report."""

    exit_code = 1

    def __init__(self, errors: int, warnings: int, report: Path, what: str) -> None:
        super().__init__(
            f"A táblázatban {errors} hiba van, ezért {what}. A hibák listája: {report} — "
            "javítsa őket (kkod validate --fix segíthet), majd próbálja újra; ha mégis így "
            "akarja, adja meg a --force kapcsolót."
        )
        self.errors = errors
        self.warnings = warnings
        self.report = report


class UnsignedDeclaration(KkodError):
    """A kkod declaration without any signature: the ministry would refuse it."""

    def __init__(self, declaration: Path) -> None:
        super().__init__(
            f"A nyilatkozat („{declaration.name}”) nincs aláírva, ezért a kérelmet nem küldtem "
            "el. Írja alá elektronikusan (kkod employer declaration … --sign ALAIRO.p12), vagy "
            "nyomtassa ki, írja alá kézzel, és a szkennelt PDF-et küldje (azt a minisztérium "
            "kézzel ellenőrzi). Aláíratlanul csak a --force kapcsolóval küldöm."
        )


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """What ``kkod employer submit`` was asked to do."""

    table: Path
    declaration: Path
    to: str
    sender: str | None = None  # may be left to the mail program with prepare_only
    organisation: str | None = None  # default: the declaration's
    save_eml: Path | None = None
    prepare_only: Path | None = None  # write the message here to send by hand, do not send
    force: bool = False  # send a table with errors or an unsigned declaration anyway


@dataclass(slots=True)
class SubmitResult:
    message_id: str
    subject: str
    organisation: str
    krid: str | None
    rows: int
    warnings: int
    size: int  # bytes of the message
    saved_eml: Path | None
    notes: list[str] = field(default_factory=list)  # Hungarian remarks for the user
    prepared: Path | None = None  # the unsent message, with prepare_only
    errors: int = 0  # validation errors the table was sent with (only with force)


def report_path_for(table: Path) -> Path:
    """Where the validation report of a blocked table goes: next to the table, never over a file."""
    from kkod.outputs import free_name

    return free_name(table.with_name(table.stem + REPORT_SUFFIX))


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise KkodError(f"{article(what).capitalize()} {what} nem található: {path}") from None
    except OSError as error:
        raise KkodError(
            f"{article(what).capitalize()} {what} nem olvasható: {path} ({error.strerror})."
        ) from None


def message_text(
    organisation: str,
    krid: str | None,
    rows: int,
    table_name: str,
    *,
    signed: bool = True,
    contact: str | None = None,
) -> str:
    """The Hungarian body of the request email."""
    krid_line = f"Hivatali kapu KRID: {krid}\n" if krid else ""
    how = "elektronikusan aláírt PDF" if signed else "aláírt PDF (elektronikus aláírás nélkül)"
    contact_line = f"Kapcsolattartó: {contact}\n" if contact else ""
    return (
        "Tisztelt Belügyminisztérium!\n\n"
        f"{article(organisation).capitalize()} {organisation} ezúton kéri a foglalkoztatottjai kapcsolati kódjainak tömeges "
        "generálását.\n\n"
        f"{krid_line}"
        f"Mellékelt táblázat: {table_name} ({rows} sor)\n"
        f"Mellékelt munkáltatói nyilatkozat: {how}.\n"
        f"{contact_line}\n"
        "Kérjük, a kitöltött táblázatot erre a címre küldjék vissza.\n\n"
        "Üdvözlettel:\n"
        f"{organisation}\n"
    )


def check_table(table: Path, *, force: bool, what: str):
    """The table's validation before it is declared or sent: an empty table is refused
    (:class:`EmptyTable`); one with errors is refused (:class:`ValidationBlocked`, the findings
    written next to it) unless ``force``. Returns the validation."""
    from kkod.employer.validation import validate_table, write_findings_report

    result = validate_table(table)
    if result.rows == 0:
        raise EmptyTable(Path(table))
    if result.has_errors and not force:
        report = write_findings_report(report_path_for(Path(table)), result)
        raise ValidationBlocked(result.errors, result.warnings, report, what)
    return result


def is_signed(pdf: bytes) -> bool:
    """Whether the PDF carries at least one embedded (electronic) signature."""
    from io import BytesIO

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return bool(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError):
        return False


def submit_request(
    request: SubmitRequest,
    target,  # kkod.mail.smtp.SmtpTarget; None with prepare_only
    engine: Engine | None = None,
) -> SubmitResult:
    """Validate, build, send (or, with ``prepare_only``, save for sending by hand); then record
    the rows as ``függőben`` in the register (if ``engine``).

    Before anything is sent it raises :class:`EmptyTable` (always), :class:`ValidationBlocked`
    (table errors) and :class:`UnsignedDeclaration` (unless ``force``); then
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
    verdict = check_table(request.table, force=request.force, what="a kérelmet nem küldtem el")
    if verdict.has_errors:
        notes.append(
            f"A táblázatot {verdict.errors} hibával küldöm (--force): a hibás sorok kód nélkül "
            "jönnek vissza."
        )
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
                f"({declared.table_sha256[:16]}…) nem egyezik {article(request.table.name)} {request.table.name} "
                f"lenyomatával ({digest[:16]}…). Készítse el újra a nyilatkozatot "
                "(kkod employer declaration) a végleges táblázatból."
            )
        if declared.rows != len(table.rows):
            raise KkodError(
                f"A nyilatkozat {declared.rows} sort említ, a táblázatban {len(table.rows)} sor van."
            )
    signed = is_signed(pdf_bytes)
    if not signed:
        if declared is not None and not request.force:
            raise UnsignedDeclaration(request.declaration)
        notes.append(
            "A nyilatkozaton nincs elektronikus aláírás: a minisztérium csak akkor dolgozza fel, "
            "ha egy ügyintéző a kézi aláírást ellenőrizte (aláírás ellenőrzésre vár)."
        )

    organisation = (request.organisation or (declared.organisation if declared else "")).strip()
    krid = declared.krid if declared else None
    contact = f"{declared.contact_name} <{declared.contact_email}>" if declared else None
    subject = request_subject(organisation)
    message = build_message(
        sender=request.sender or "",
        to=request.to,
        subject=subject,
        text=message_text(
            organisation,
            krid,
            len(table.rows),
            request.table.name,
            signed=signed,
            contact=contact,
        ),
        attachments=[
            Attachment(request.table.name, XLSX_TYPE, table_bytes),
            Attachment(request.declaration.name, PDF_TYPE, pdf_bytes),
        ],
    )
    prepared = None
    if request.prepare_only is not None:
        if not request.sender:
            del message["From"]  # the mail program puts the sender's own address there
        message[UNSENT_HEADER] = "1"
        raw = message.as_bytes()
        prepared = atomic_write_bytes(request.prepare_only, raw)
    else:
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
        warnings=verdict.warnings,
        size=len(raw),
        saved_eml=saved,
        notes=notes,
        prepared=prepared,
        errors=verdict.errors,
    )


def sent_rows(table) -> list:
    """The register rows of a table going out with a request (``kkod.table.reader.Table``):
    each with its Sorszám and what column E holds."""
    from kkod.employer.register import ReplyRow

    return [
        ReplyRow(
            r.row,
            r.belso_azonosito,
            r.person,
            sorszam=r.text("A").strip(),
            sent_code=r.kapcsolati_kod.strip(),
        )
        for r in table.rows
    ]


def _record(
    engine: Engine, table, request: SubmitRequest, organisation: str, krid, message_id: str
) -> None:
    from kkod.employer.database import transaction
    from kkod.employer.register import (
        META_KRID,
        META_ORGANISATION,
        audit,
        mark_submitted,
        set_meta,
    )

    how = "submit --prepare-only" if request.prepare_only is not None else "submit"
    with transaction(engine) as session:
        if krid:
            set_meta(session, META_KRID, krid)
        if organisation:
            set_meta(session, META_ORGANISATION, organisation)
        summary = mark_submitted(
            session, sent_rows(table), source=f"{how}: {request.table.name}", reference=message_id
        )
        audit(
            session,
            "submit",
            f"table={request.table.name} rows={summary.rows} message_id={message_id} "
            f"to={request.to} sent={request.prepare_only is None}",
        )
