"""The ministry's reply emails (Hungarian): the filled table with its reason report, or a rejection.

A reply goes to the request's sender address only (never Reply-To or Cc), carries a
Message-ID derived from the request's reference, so a resent reply is the same message, and
the headers of an automatic reply (RFC 3834), so no auto-responder answers it. The letters
name a human contact (settings), give times in Budapest time, and tell the employer what to
do in words, never as kkod commands.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from kkod.config import Settings
from kkod.mail.loops import AUTO_REPLY_HEADERS
from kkod.mail.message import XLSX_TYPE, Attachment, message_bytes
from kkod.ministry.models import ReplyKind, Request
from kkod.ministry.store import Counts, OutgoingReply

BUDAPEST = ZoneInfo("Europe/Budapest")

ONE_BY_ONE = (
    "Ezeket a kapcsolatokat a szervezetnek magának kell létrehoznia: a böngészős Hivatali kapu "
    "felületén, vagy az iratkezelő rendszer megfelelő moduljában, a foglalkoztatott 4T "
    "adatainak begépelésével; a kapcsolat kódját ezután mentse el."
)


def budapest_time(moment: datetime) -> str:
    """``2026.12.02. 14:05 (CET)``: Budapest time with the zone, as the letters show it."""
    local = moment.astimezone(BUDAPEST)
    return f"{local:%Y.%m.%d. %H:%M} ({local:%Z})"


def article(word: str) -> str:
    """The Hungarian definite article before ``word``: ``az`` before a vowel, else ``a``."""
    first = word.lstrip("„\"'([ ")[:1].lower()
    return "az" if first and first in "aáeéiíoóöőuúüű" else "a"


def reply_message_id(reference: str, ministry_address: str) -> str:
    """The stable Message-ID of the reply to request ``reference``."""
    domain = parseaddr(ministry_address)[1].rpartition("@")[2] or "kkod.local"
    return f"<{reference}.valasz@{domain}>"


def reply_subject_for(request: Request, suffix: str) -> str:
    from kkod.exchange.subject import reply_subject

    base = reply_subject(request.subject) if request.subject else "Kapcsolati kódok igénylése"
    return f"{base} [{request.reference}] – {suffix}"


def rejection_reply(request: Request, reason: str, settings: Settings) -> OutgoingReply:
    """The reply saying the request was rejected, why, and what to fix (never any attachment)."""
    text = letter(
        [
            f"A {request.reference} számú, kapcsolati kódok tömeges generálására irányuló "
            "kérelmét nem tudtuk feldolgozni, ezért elutasítottuk.",
            "",
            "Az elutasítás oka és a teendő:",
            reason,
            "",
            "A hiba javítása után küldje el újra a kérelmet (a táblázatot és az aláírt "
            "munkáltatói nyilatkozatot) erre a címre.",
        ],
        request,
        settings,
    )
    return reply_message(request, ReplyKind.REJECTION, "elutasítva", text, [], settings)


def codes_reply(
    request: Request,
    counts: Counts,
    table: Attachment,
    report: Attachment,
    settings: Settings,
) -> OutgoingReply:
    """The reply carrying the table with column E filled and the per-row reason report."""
    gate = f"„{request.short_name}”"
    text = letter(
        [
            f"A {request.reference} számú kérelmére elkészítettük a kapcsolati kódokat "
            f"{article(gate)} {gate} hivatali kapu (KRID: {request.krid}) számára.",
            "",
            "Összesítés:",
            f"  Sorok száma:                 {counts.rows}",
            f"  Kapcsolati kód elkészült:    {counts.coded}",
            f"  Nincs találat:               {counts.no_match}",
            f"  Több találat:                {counts.multiple}",
            f"  Hibás sor:                   {counts.invalid}",
            "",
            f"Mellékelten küldjük a táblázatot ({table.filename}): a kódok az E oszlopban "
            "(„Kapcsolati kód”) szerepelnek, a táblázat más cellája nem változott. A kódokat "
            "töltse be az iratkezelő rendszerébe.",
            "",
            "Ahol az E oszlop üres, annak okát és a teendőt a mellékelt jelentés "
            f"({report.filename}) soronként tartalmazza. {ONE_BY_ONE}",
        ],
        request,
        settings,
    )
    return reply_message(request, ReplyKind.CODES, "kész", text, [table, report], settings)


def report_attachment(filename: str, data: bytes) -> Attachment:
    return Attachment(filename=filename, content_type=XLSX_TYPE, data=data)


def letter(body: list[str], request: Request, settings: Settings) -> str:
    """A reply's text: greeting, ``body``, the request's identification, contact and signature."""
    return "\n".join(
        [
            "Tisztelt Címzett!",
            "",
            *body,
            "",
            _where(request),
            "",
            _contact(settings),
            "",
            "Üdvözlettel:",
            "Belügyminisztérium – kapcsolati kódok tömeges generálása",
            "(Ezt a levelet a rendszer automatikusan küldte; kérdéseire a fenti kapcsolattartó "
            "válaszol.)",
        ]
    )


def _contact(settings: Settings) -> str:
    phone = (
        f", telefon: {settings.ministry_contact_phone}" if settings.ministry_contact_phone else ""
    )
    address = parseaddr(settings.ministry_address)[1] or settings.ministry_address
    return f"Kapcsolattartónk: {settings.ministry_contact_name}{phone}, e-mail: {address}."


def _where(request: Request) -> str:
    organisation = request.organisation or "–"
    return (
        f"Kérelem: {request.reference}, beérkezett: {budapest_time(request.received_at)}, "
        f"szervezet: {organisation}."
    )


def reply_message(
    request: Request,
    kind: ReplyKind,
    label: str,
    text: str,
    attachments: list[Attachment],
    settings: Settings,
    *,
    message_id: str | None = None,
) -> OutgoingReply:
    message_id = message_id or reply_message_id(request.reference, settings.ministry_address)
    raw = message_bytes(
        sender=settings.ministry_address,
        to=request.sender,
        subject=reply_subject_for(request, label),
        text=text,
        attachments=attachments,
        message_id=message_id,
        in_reply_to=request.message_id,
        headers=[*AUTO_REPLY_HEADERS.items(), ("X-Kkod-Reference", request.reference)],
    )
    return OutgoingReply(kind=kind, recipient=request.sender, message_id=message_id, raw=raw)
