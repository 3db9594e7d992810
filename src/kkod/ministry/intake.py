"""Intake: turn a received email or an upload into a stored request — queued, or rejected with a reply.

The same message delivered twice (same Message-ID, or the same bytes when it has none) is
one request. A rejected request gets its rejection reply in the outbox in the same
transaction; a worker sends it. Nothing here logs personal data.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from kkod import logs
from kkod.central.interface import Central
from kkod.config import Settings, get_settings
from kkod.errors import KkodError
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment
from kkod.ministry.checks import CheckedRequest, Rejection, Submission, check_submission
from kkod.ministry.models import Channel, Request, RequestStatus
from kkod.ministry.replies import rejection_reply
from kkod.ministry.store import NewRequest, RequestStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """The stored request and whether this delivery created it (false: a repeat)."""

    request: Request
    created: bool


def dedupe_key_of(raw: bytes, message_id: str | None) -> str:
    """``mid:`` + digest of the Message-ID, else ``sha256:`` + digest of the whole message."""
    if message_id and message_id.strip():
        return "mid:" + hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def ingest(
    raw: bytes,
    envelope_from: str = "",
    *,
    store: RequestStore,
    central: Central,
    settings: Settings | None = None,
    actor: str = "intake",
) -> IntakeResult:
    """Check a received email and store it as a request (``beérkezett`` or ``elutasítva``).

    The reply (if any) goes to the From: address, or the envelope sender when From is empty.
    """
    from kkod.mail.message import ParsedMessage, parse_message

    settings = settings or get_settings()
    try:
        message = parse_message(raw)
    except Exception:  # not a readable email at all: reject it, answering the envelope sender
        message = ParsedMessage(None, "", "", None, [], "", None)
        unreadable = True
    else:
        unreadable = False
    key = dedupe_key_of(raw, message.message_id)
    sender = message.sender or _address(envelope_from)
    submission = Submission(
        sender=sender,
        subject=message.subject,
        attachments=message.attachments,
        unreadable=unreadable,
    )
    return _store(
        key,
        Channel.EMAIL,
        submission,
        message_id=message.message_id,
        store=store,
        central=central,
        settings=settings,
        actor=actor,
    )


def ingest_upload(
    table: Path,
    declaration: Path,
    sender: str,
    *,
    store: RequestStore,
    central: Central,
    settings: Settings | None = None,
    actor: str = "upload",
) -> IntakeResult:
    """Check files handed over another way (web console, removable media) and store the request.

    The same checks as for email, except the subject; ``sender`` is where the reply goes.
    Uploading the same two files for the same sender again is the same request.
    """
    settings = settings or get_settings()
    sender = _address(sender)
    if not sender:
        raise KkodError("Adja meg a kérelmező e-mail-címét (--from): a választ oda küldjük.")
    files = []
    for path, content_type in ((Path(table), XLSX_TYPE), (Path(declaration), PDF_TYPE)):
        try:
            files.append(Attachment(path.name, content_type, path.read_bytes()))
        except OSError as error:
            raise KkodError(f"A fájl nem olvasható: {path} ({error.strerror}).") from None
    digest = hashlib.sha256()
    for part in (sender.encode(), *(f.data for f in files)):
        digest.update(hashlib.sha256(part).digest())
    key = "upload:" + digest.hexdigest()
    submission = Submission(sender=sender, subject=None, attachments=files)
    return _store(
        key,
        Channel.UPLOAD,
        submission,
        message_id=None,
        store=store,
        central=central,
        settings=settings,
        actor=actor,
    )


def _store(
    key: str,
    channel: Channel,
    submission: Submission,
    *,
    message_id: str | None,
    store: RequestStore,
    central: Central,
    settings: Settings,
    actor: str,
) -> IntakeResult:
    known = store.get_by_dedupe_key(key)
    if known is not None:
        store.audit(known.id, actor, "ismételt kézbesítés", "ugyanaz az üzenet")
        log.info("kérelem=%s esemény=ismételt_kézbesítés (egyszer rögzítve)", known.reference)
        return IntakeResult(known, False)
    new = NewRequest(
        dedupe_key=key,
        channel=str(channel),
        sender=submission.sender,
        status=RequestStatus.BEERKEZETT,
        message_id=message_id,
        subject=submission.subject,
        audit_detail=f"csatorna: {channel}, mellékletek: {len(submission.attachments)}",
    )
    reply = None
    try:
        if not submission.sender:
            raise Rejection(
                "felado", "A kérelemnek nincs feladója (From: cím), nincs kinek válaszolni."
            )
        checked = check_submission(submission, central, settings.trust_roots, settings.data_dir)
        _accepted(new, checked)
    except Rejection as rejection:
        new.status = RequestStatus.ELUTASITVA
        new.reason = rejection.message
        new.audit_detail = f"{new.audit_detail}; sikertelen ellenőrzés: {rejection.check}"
        _describe_rejected(new, submission)
        if submission.sender:
            reason = rejection.message

            def reply(request: Request) -> object:
                return rejection_reply(request, reason, settings.ministry_address)

    request, created = store.record(new, reply, actor=actor)
    log.info(
        "kérelem=%s esemény=rögzítve állapot=%s csatorna=%s",
        request.reference,
        logs.quote(request.status),
        channel,
    )
    return IntakeResult(request, created)


def _accepted(new: NewRequest, checked: CheckedRequest) -> None:
    new.organisation = checked.data.organisation
    new.short_name = checked.office.short_name
    new.krid = checked.office.krid
    new.signer_name = checked.signer_name
    new.table_filename = checked.table.filename
    new.table_sha256 = checked.table_sha256
    new.table_xlsx = checked.table.data
    new.declaration_filename = checked.declaration.filename
    new.declaration_pdf = checked.declaration.data
    new.rows = checked.rows


def _describe_rejected(new: NewRequest, submission: Submission) -> None:
    """What a rejected request keeps: file names and the table's digest, never the table."""
    tables = [a for a in submission.attachments if a.is_xlsx]
    if len(tables) == 1:
        new.table_filename = tables[0].filename
        new.table_sha256 = hashlib.sha256(tables[0].data).hexdigest()
    pdfs = [a for a in submission.attachments if a.is_pdf and not a.is_xlsx]
    if len(pdfs) == 1:
        new.declaration_filename = pdfs[0].filename


def _address(text: str) -> str:
    from email.utils import parseaddr

    return parseaddr(text or "")[1].strip().lower()
