"""Intake: turn a received email or an upload into a stored request — queued, kept for the operator, or rejected.

The same message delivered twice (same Message-ID, or the same bytes when it has none) is
one request. A rejected request gets its rejection reply in the outbox in the same
transaction; a worker sends it. Nothing here logs personal data.

Never answered, kept for the operator instead (``áttekintésre vár``, with the reason): an
automatic message (:mod:`kkod.mail.loops`: bounces, auto-replies, lists, our own address);
mail that is not a request (:func:`not_a_request`); a rejection beyond
``auto_rejections_per_hour`` to one sender. An unexpected error while checking becomes a
rejection naming a log reference; only a transient fault (the database unreachable) leaves
a message pending, to be ingested again. See docs/ministry.md.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError

from kkod import logs
from kkod.central.interface import Central
from kkod.config import Settings, get_settings
from kkod.errors import ConfigurationError, KkodError
from kkod.hungarian import article
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, ParsedMessage
from kkod.ministry import acknowledgement
from kkod.ministry.checks import (
    CHECK_LABELS,
    Check,
    CheckedRequest,
    Rejection,
    Submission,
    check_submission,
)
from kkod.ministry.failures import disk_full
from kkod.ministry.models import Channel, Request, RequestStatus, utcnow
from kkod.ministry.replies import rejection_reply
from kkod.ministry.store import NewRequest, RequestStore
from kkod.table.columns_codec import encode_columns

log = logging.getLogger(__name__)

EMAIL_ACTOR = "e-mail-fogadó"
UPLOAD_ACTOR = "feltöltés"

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConfigurationError)
"""Faults that pass (the database unreachable or locked, a setting to fix): the message stays
pending and is ingested again on the next sweep."""

_UNEXPECTED_REASON = (
    "A kérelem ellenőrzése közben váratlan hiba történt, ezért a kérelmet nem tudtuk "
    "feldolgozni. Kérjük, küldje el újra; ha a hiba ismétlődik, hívja a levél alján megadott "
    "kapcsolattartónkat, és adja meg ezt a hivatkozást: {reference}."
)


class OperatorInputError(KkodError):
    """What the operator gave (a file to upload, a decision's details) is unusable (exit code 2)."""

    exit_code = 2


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
    envelope_from: str | None = None,
    *,
    store: RequestStore,
    central: Central,
    settings: Settings | None = None,
    actor: str = EMAIL_ACTOR,
) -> IntakeResult:
    """Check a received email and store it as a request (see the module's docstring).

    ``envelope_from`` is the SMTP reverse-path as received (``"<>"``: the null one), ``None``
    when the message did not come by SMTP. The reply (if any) goes to the From: address, or
    the envelope sender when From is empty.
    """
    from kkod.mail.loops import automatic_reason
    from kkod.mail.message import parse_message

    settings = settings or get_settings()
    try:
        message = parse_message(raw)
    except Exception:  # not a readable email at all: reject it, answering the envelope sender
        message = ParsedMessage(None, "", "", None, [], "", None)
        unreadable = True
    else:
        unreadable = False
    key = dedupe_key_of(raw, message.message_id)
    known = store.get_by_dedupe_key(key)
    if known is not None:
        return _repeat(store, known, actor)
    sender = message.sender or _address(envelope_from or "")
    held = automatic_reason(message, envelope_from, [settings.ministry_address])
    if held is None and not unreadable:
        held = not_a_request(message, store)
    if held is not None:
        new = _new(key, Channel.EMAIL, sender, message.message_id, message.subject, message)
        new.status = RequestStatus.ATTEKINTESRE_VAR
        new.reason = held
        return _record(store, new, None, actor)
    submission = Submission(
        sender=sender,
        subject=message.subject,
        attachments=message.attachments,
        unreadable=unreadable,
    )
    new = _new(key, Channel.EMAIL, sender, message.message_id, message.subject, message)
    return _check_and_store(
        new, submission, store=store, central=central, settings=settings, actor=actor
    )


def not_a_request(message: ParsedMessage, store: RequestStore) -> str | None:
    """Why ``message`` is plainly not a request, or ``None`` (docs/ministry.md, *Not a request*).

    A message with no attachment but pictures is not a request when it answers one of the
    ministry's letters (its In-Reply-To or References name a reply of ours: a thank-you) or
    its subject does not ask for connection codes. A message that asks for them in its
    subject but forgot the files is a request, rejected with what is missing.
    """
    from kkod.exchange.subject import is_request_subject

    if any(not a.content_type.startswith("image/") for a in message.attachments):
        return None
    if store.is_our_reply([m for m in (message.in_reply_to, *message.references) if m]):
        return (
            "Nem kérelem: válasz a minisztérium levelére, melléklet nélkül (például köszönet "
            "vagy kérdés). Nem válaszoltunk rá automatikusan."
        )
    if not is_request_subject(message.subject):
        return (
            "Nem kérelem: nincs melléklete, és a tárgya sem kapcsolati kódok igénylése. Nem "
            "válaszoltunk rá automatikusan."
        )
    return None


def ingest_upload(
    table: Path,
    declaration: Path,
    sender: str,
    *,
    store: RequestStore,
    central: Central,
    settings: Settings | None = None,
    actor: str = UPLOAD_ACTOR,
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
    for path, content_type, limit in (
        (Path(table), XLSX_TYPE, settings.container_max_bytes),
        (Path(declaration), PDF_TYPE, settings.declaration_max_bytes),
    ):
        files.append(Attachment(path.name, content_type, _read_file(path, limit)))
    digest = hashlib.sha256()
    for part in (sender.encode(), *(f.data for f in files)):
        digest.update(hashlib.sha256(part).digest())
    key = "upload:" + digest.hexdigest()
    known = store.get_by_dedupe_key(key)
    if known is not None:
        return _repeat(store, known, actor)
    submission = Submission(sender=sender, subject=None, attachments=files)
    new = _new(key, Channel.UPLOAD, sender, None, None, None)
    return _check_and_store(
        new, submission, store=store, central=central, settings=settings, actor=actor
    )


def _read_file(path: Path, limit: int) -> bytes:
    from kkod.oserrors import human_size

    try:
        if path.is_dir():
            raise OperatorInputError(
                f"{article(path).capitalize()} {path} egy mappa, nem fájl: adja meg a fájl nevét."
            )
        size = path.stat().st_size
        if size > limit:
            raise OperatorInputError(
                f"{article(path).capitalize()} {path} fájl túl nagy ({human_size(size)}; legfeljebb {human_size(limit)})."
            )
        return path.read_bytes()
    except OSError as error:
        raise OperatorInputError(f"A fájl nem olvasható: {path} ({error.strerror}).") from None


def _new(
    key: str,
    channel: Channel,
    sender: str,
    message_id: str | None,
    subject: str | None,
    message: ParsedMessage | None,
) -> NewRequest:
    count = len(message.attachments) if message is not None else 2
    return NewRequest(
        dedupe_key=key,
        channel=str(channel),
        sender=sender[:320],
        status=RequestStatus.BEERKEZETT,
        message_id=message_id[:998] if message_id else None,
        subject=subject,
        audit_detail=f"csatorna: {channel.label}, mellékletek: {count}",
    )


def _check_and_store(
    new: NewRequest,
    submission: Submission,
    *,
    store: RequestStore,
    central: Central,
    settings: Settings,
    actor: str,
) -> IntakeResult:
    try:
        if not submission.sender:
            raise Rejection(
                Check.UNREADABLE, "A kérelemnek nincs feladója (From: cím), nincs kinek válaszolni."
            )
        checked = check_submission(submission, central, settings)
        _accepted(new, checked)
        _same_table(new, checked, store)
    except Rejection as rejection:
        _rejected(new, submission, rejection)
    except TRANSIENT_ERRORS:
        raise
    except BaseException as error:
        if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit: not ours to swallow
        if disk_full(error) is not None:
            raise  # a full disk passes: the message waits in the spool, it is not rejected
        _rejected(new, submission, _unexpected(error))
    reply = acknowledgement.prepare(new, settings)  # accepted: "beérkezett", the status link
    if new.status == RequestStatus.ELUTASITVA and submission.sender:
        reply = _rejection_reply_or_hold(new, store, settings)
    return _record(store, new, reply, actor)


def _unexpected(error: BaseException) -> Rejection:
    from kkod.logs import file_unexpected

    reference, _ = file_unexpected(error, "intake checks")
    return Rejection(
        Check.UNEXPECTED,
        _UNEXPECTED_REASON.format(reference=reference),
        note=f"Váratlan hiba az ellenőrzés közben ({type(error).__name__}); a részletek a "
        f"naplóban, hivatkozás: {reference}.",
    )


def _rejected(new: NewRequest, submission: Submission, rejection: Rejection) -> None:
    new.status = RequestStatus.ELUTASITVA
    new.reason = rejection.message
    new.operator_note = rejection.note
    label = CHECK_LABELS.get(rejection.check, rejection.check)
    new.audit_detail = f"{new.audit_detail}; sikertelen ellenőrzés: {label}"
    _describe_rejected(new, submission)


def _rejection_reply_or_hold(new: NewRequest, store: RequestStore, settings: Settings):
    """The rejection reply, or ``None`` (and the request kept) past the hourly limit."""
    limit = settings.auto_rejections_per_hour
    sent = store.rejections_sent_to(new.sender, utcnow() - timedelta(hours=1))
    if sent >= limit:
        new.status = RequestStatus.ATTEKINTESRE_VAR
        note = (
            f"Nem küldtünk automatikus elutasítást: ez a feladó az elmúlt órában már {sent} "
            f"elutasítást kapott (legfeljebb {limit}, KKOD_AUTO_REJECTIONS_PER_HOUR)."
        )
        new.operator_note = f"{new.operator_note} {note}" if new.operator_note else note
        return None
    reason = new.reason or ""

    def reply(request: Request) -> object:
        return rejection_reply(request, reason, settings)

    return reply


def _accepted(new: NewRequest, checked: CheckedRequest) -> None:
    new.signature_kind = str(checked.signature)
    new.signer_name = checked.signer_name
    new.table_filename = checked.table.filename
    new.table_sha256 = checked.table_sha256
    new.table_xlsx = checked.table.data
    new.table_columns = encode_columns(checked.columns)
    new.declaration_filename = checked.declaration.filename
    new.declaration_pdf = checked.declaration.data
    new.rows = checked.rows
    if checked.data is not None and checked.office is not None:
        new.organisation = checked.data.organisation
        new.short_name = checked.office.short_name
        new.krid = checked.office.krid
    if checked.waits_for_operator:
        new.status = RequestStatus.ALAIRAS_ELLENORZESRE_VAR
        new.reason = (
            "A nyilatkozaton nincs elektronikus aláírás "
            + (
                "(aláíratlan kkod-nyilatkozat)"
                if checked.data is not None
                else "(szkennelt, kézzel aláírt nyilatkozat)"
            )
            + ": a kezelő ellenőrzi az aláírást, és jóváhagyja (kkod ministry approve) vagy "
            "elutasítja (kkod ministry reject)."
        )


def _same_table(new: NewRequest, checked: CheckedRequest, store: RequestStore) -> None:
    """The same table sent before: refused from another address, noted from the same one."""
    earlier = store.with_table(checked.table_sha256)
    if not earlier:
        return
    references = ", ".join(r.reference or "?" for r in earlier)
    others = [r for r in earlier if r.sender != new.sender]
    if others:
        raise Rejection(
            Check.TABLE_FROM_ANOTHER_SENDER,
            "Ugyanezt a táblázatot (ugyanezzel az SHA-256 ellenőrzőösszeggel) korábban egy "
            "másik címről már beküldték, és azt a kérelmet feldolgozzuk vagy feldolgoztuk "
            f"({others[0].reference}). A kapcsolati kódokat csak az eredeti kérelmezőnek küldjük; "
            "ha a kódokra Önnek van szüksége, kérje a kérelmet beküldő kollégájától.",
            note=(
                f"Ugyanez a táblázat már beérkezett másik feladótól: {references}. Ennek a "
                f"feladója: {new.sender}."
            ),
        )
    note = f"Ugyanez a táblázat ugyanettől a feladótól már beérkezett: {references}."
    new.operator_note = f"{new.operator_note} {note}" if new.operator_note else note


def _describe_rejected(new: NewRequest, submission: Submission) -> None:
    """What a rejected request keeps: file names and the table's digest, never the table."""
    new.table_xlsx = None
    new.declaration_pdf = None
    if new.table_filename is None:
        tables = [a for a in submission.attachments if a.is_xlsx]
        if len(tables) == 1:
            new.table_filename = tables[0].filename
            new.table_sha256 = hashlib.sha256(tables[0].data).hexdigest()
    if new.declaration_filename is None:
        pdfs = [a for a in submission.attachments if a.is_pdf and not a.is_xlsx]
        if len(pdfs) == 1:
            new.declaration_filename = pdfs[0].filename


def _record(store: RequestStore, new: NewRequest, reply, actor: str) -> IntakeResult:
    request, created = store.record(new, reply, actor=actor)
    log.info(
        "kérelem=%s esemény=rögzítve állapot=%s csatorna=%s",
        request.reference,
        logs.quote(str(request.status)),
        new.channel,
    )
    return IntakeResult(request, created)


def _repeat(store: RequestStore, known: Request, actor: str) -> IntakeResult:
    store.audit(known.id, actor, "ismételt kézbesítés", "ugyanaz az üzenet")
    log.info("kérelem=%s esemény=ismételt_kézbesítés (egyszer rögzítve)", known.reference)
    return IntakeResult(known, False)


def _address(text: str) -> str:
    return parseaddr(text or "")[1].strip().lower()


# -- the operator's decisions on requests kept for them ---------------------------------------


def operator_actor() -> str:
    """The audit trail's actor for an operator's command: ``kezelő (<user name>)``."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "ismeretlen"
    return f"kezelő ({user})"


def approve_signature(
    ident: str,
    *,
    store: RequestStore,
    central: Central,
    krid: str | None = None,
    rows: int | None = None,
    sha256: str | None = None,
    actor: str | None = None,
) -> Request:
    """The operator confirms a hand-signed declaration: the request is queued (``beérkezett``).

    A kkod declaration left unsigned carries its fields; what the operator gives must agree
    with them. A scan carries none: the operator reads the KRID, the row count and the
    table's SHA-256 (at least its first 8 characters) off the scanned page, and they are
    checked against the table received, the KRID against the central system, and the sender
    against the office's registered e-mail domains (no contact address is known).
    """
    from kkod.ministry.checks import sender_allowed

    request = _waiting(store, ident, RequestStatus.ALAIRAS_ELLENORZESRE_VAR)
    given_sha = (sha256 or "").strip().lower()
    if given_sha and (len(given_sha) < 8 or not request.table_sha256.startswith(given_sha)):
        raise OperatorInputError(
            f"A megadott SHA-256 ({sha256}) nem a beérkezett táblázaté ({request.table_sha256}); "
            "legalább az első 8 jegyét adja meg, pontosan."
        )
    if rows is not None and rows != request.rows:
        raise OperatorInputError(
            f"A megadott sorszám ({rows}) nem egyezik a beérkezett táblázat adatsorainak "
            f"számával ({request.rows})."
        )
    changes: dict[str, object] = {}
    if request.krid is not None:  # a kkod declaration: its fields were checked at intake
        if krid and krid.strip() != request.krid:
            raise OperatorInputError(
                f"A megadott KRID ({krid}) nem az, amelyik a nyilatkozatban áll ({request.krid})."
            )
    else:
        missing = [
            option
            for option, value in (("--krid", krid), ("--rows", rows), ("--sha256", sha256))
            if value in (None, "")
        ]
        if missing:
            raise OperatorInputError(
                "A szkennelt nyilatkozatnak nincs gépi adatmelléklete: olvassa le róla, és adja "
                f"meg ezeket is: {', '.join(missing)} (a KRID-et, az adatsorok számát és a "
                "táblázat SHA-256 ellenőrzőösszegét, ez utóbbiból legalább az első 8 jegyet)."
            )
        office = central.office(str(krid).strip())
        if office is None:
            raise OperatorInputError(
                f"{article(krid).capitalize()} {krid} KRID a központi rendszerben nem ismert."
            )
        if not sender_allowed(request.sender, office, contact=None):
            raise OperatorInputError(
                f"A feladó ({request.sender}) nem a hivatal nyilvántartott e-mail-tartományából "
                f"ír ({', '.join(office.email_domains) or 'nincs bejegyezve'}); a kódok nem "
                "mehetnek ide. Utasítsa el a kérelmet (kkod ministry reject)."
            )
        changes = {
            "krid": office.krid,
            "short_name": office.short_name,
            "organisation": office.name,
        }
    detail = (
        f"a kezelő ellenőrizte az aláírást; KRID: {changes.get('krid', request.krid)}, "
        f"sorok: {request.rows}"
    )
    approved = store.approve(request.id, actor or operator_actor(), changes, detail)
    if approved is None:
        raise OperatorInputError(f"A {request.reference} kérelem közben már nem vár jóváhagyásra.")
    return approved


def reject_held_request(
    ident: str,
    reason: str,
    *,
    store: RequestStore,
    settings: Settings,
    reply: bool | None = None,
    actor: str | None = None,
) -> tuple[Request, bool]:
    """The operator rejects a request kept for them; returns it and whether a reply was queued.

    By default a request whose signature waited is answered with ``reason``; a message kept
    for review (possibly an automatic one) is not, unless ``reply`` is true.
    """
    request = _waiting(store, ident, *_WAITING)
    if not reason.strip():
        raise OperatorInputError("Adja meg az elutasítás okát (--reason): a feladó ezt olvassa.")
    answer = (
        reply if reply is not None else (request.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR)
    )
    text = " ".join(reason.split())

    def build(held: Request) -> object:
        return rejection_reply(held, text, settings)

    rejected = store.reject_held(
        request.id, actor or operator_actor(), text, build if answer else None
    )
    if rejected is None:
        raise OperatorInputError(f"A {request.reference} kérelem közben már nem vár a kezelőre.")
    return rejected, answer


_WAITING = (RequestStatus.ATTEKINTESRE_VAR, RequestStatus.ALAIRAS_ELLENORZESRE_VAR)


def _waiting(store: RequestStore, ident: str, *statuses: RequestStatus) -> Request:
    request = store.get(ident)
    if request is None:
        raise OperatorInputError(f"Nincs ilyen kérelem: {ident}.")
    if request.status not in {str(s) for s in statuses}:
        wanted = " vagy ".join(f"„{s}”" for s in statuses)
        raise OperatorInputError(
            f"A {request.reference} kérelem állapota „{request.status}”; ez a művelet csak "
            f"{wanted} állapotú kérelemre vonatkozik."
        )
    return request
