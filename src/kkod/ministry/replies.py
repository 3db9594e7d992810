"""The ministry's reply emails (Hungarian): the filled table with its reason report, or a rejection.

A reply goes to the request's sender address only (never Reply-To or Cc) and carries a
Message-ID derived from the request's reference, so a resent reply is the same message.
"""

from __future__ import annotations

from email.utils import parseaddr

from kkod.mail.message import XLSX_TYPE, Attachment, build_message
from kkod.ministry.models import ReplyKind, Request
from kkod.ministry.store import Counts, OutgoingReply


def reply_message_id(reference: str, ministry_address: str) -> str:
    """The stable Message-ID of the reply to request ``reference``."""
    domain = parseaddr(ministry_address)[1].rpartition("@")[2] or "kkod.local"
    return f"<{reference}.valasz@{domain}>"


def reply_subject_for(request: Request, suffix: str) -> str:
    from kkod.exchange.subject import reply_subject

    base = reply_subject(request.subject) if request.subject else "Kapcsolati kódok igénylése"
    return f"{base} [{request.reference}] – {suffix}"


def rejection_reply(request: Request, reason: str, ministry_address: str) -> OutgoingReply:
    """The reply saying the request was rejected, why, and what to fix."""
    text = _letter(
        [
            f"A(z) {request.reference} számú, kapcsolati kódok tömeges generálására irányuló "
            "kérelmét nem tudtuk feldolgozni, ezért elutasítottuk.",
            "",
            "Az elutasítás oka és a teendő:",
            reason,
            "",
            "A hiba javítása után küldje el újra a kérelmet (a táblázatot és az aláírt "
            "munkáltatói nyilatkozatot) erre a címre.",
        ],
        request,
    )
    return _reply(request, ReplyKind.REJECTION, "elutasítva", text, [], ministry_address)


def codes_reply(
    request: Request,
    counts: Counts,
    table: Attachment,
    report: Attachment,
    ministry_address: str,
) -> OutgoingReply:
    """The reply carrying the table with column E filled and the per-row reason report."""
    text = _letter(
        [
            f"A(z) {request.reference} számú kérelmére elkészítettük a kapcsolati kódokat "
            f"a(z) „{request.short_name}” hivatali kapu (KRID: {request.krid}) számára.",
            "",
            "Összesítés:",
            f"  Sorok száma:                 {counts.rows}",
            f"  Kapcsolati kód elkészült:    {counts.coded}",
            f"  Nincs találat:               {counts.no_match}",
            f"  Több találat:                {counts.multiple}",
            f"  Hibás sor:                   {counts.invalid}",
            "",
            f"Mellékelten küldjük a táblázatot ({table.filename}): a kódok az E oszlopban "
            "(„Kapcsolati kód”) szerepelnek, a táblázat más cellája nem változott. Ahol az E "
            f"oszlop üres, annak okát és a teendőt a(z) {report.filename} jelentés soronként "
            "tartalmazza. Ezeket a kapcsolatokat egyenként, a hivatali kapu webes felületén vagy "
            "az iratkezelő rendszer központi modulján keresztül hozhatja létre.",
            "",
            "A kódokat töltse be az iratkezelő rendszerébe (kkod employer import).",
        ],
        request,
    )
    return _reply(request, ReplyKind.CODES, "kész", text, [table, report], ministry_address)


def report_attachment(filename: str, data: bytes) -> Attachment:
    return Attachment(filename=filename, content_type=XLSX_TYPE, data=data)


def _letter(body: list[str], request: Request) -> str:
    """A reply's text: greeting, ``body``, the request's identification and the signature."""
    return "\n".join(
        [
            "Tisztelt Címzett!",
            "",
            *body,
            "",
            _where(request),
            "",
            "Üdvözlettel:",
            "Belügyminisztérium – kapcsolati kódok tömeges generálása",
            "(Ez automatikus üzenet.)",
        ]
    )


def _where(request: Request) -> str:
    received = request.received_at.astimezone().strftime("%Y.%m.%d. %H:%M")
    return f"Kérelem: {request.reference}, beérkezett: {received}, szervezet: {request.organisation or '–'}."


def _reply(
    request: Request,
    kind: ReplyKind,
    label: str,
    text: str,
    attachments: list[Attachment],
    ministry_address: str,
) -> OutgoingReply:
    message_id = reply_message_id(request.reference, ministry_address)
    message = build_message(
        sender=ministry_address,
        to=request.sender,
        subject=reply_subject_for(request, label),
        text=text,
        attachments=attachments,
        message_id=message_id,
        in_reply_to=request.message_id,
    )
    message["X-Kkod-Reference"] = request.reference
    return OutgoingReply(
        kind=kind, recipient=request.sender, message_id=message_id, raw=message.as_bytes()
    )
