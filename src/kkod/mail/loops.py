"""Mail that must never be answered automatically (RFC 3834): bounces, auto-replies, lists, ourselves.

:func:`automatic_reason` says in Hungarian why a received message is such; the intake then
keeps it for the operator instead of replying, so two auto-responders cannot answer each other
for ever. Every automatic reply kkod sends carries :data:`AUTO_REPLY_HEADERS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from kkod.mail.message import ParsedMessage

AUTO_REPLY_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
"""Headers of every automatic reply: RFC 3834's, and the one Exchange and Outlook honour."""

BULK_PRECEDENCES = frozenset({"bulk", "junk", "list"})
SYSTEM_SENDERS = frozenset({"mailer-daemon", "postmaster"})


def automatic_reason(
    message: ParsedMessage, envelope_from: str | None, own_addresses: Iterable[str]
) -> str | None:
    """Why ``message`` is automatic and must not be answered, or ``None`` for a person's mail.

    ``envelope_from`` is the SMTP envelope's reverse-path as received (``"<>"`` or ``""`` for
    the null one), ``None`` when the message did not come by SMTP.
    """
    if envelope_from is not None and not parseaddr(envelope_from)[1]:
        return (
            "Üres a visszatérési cím (MAIL FROM:<>): kézbesítési jelentés vagy más "
            "automatikus levél, amelyre nem válaszolunk."
        )
    if message.auto_submitted and message.auto_submitted.split(";")[0].strip() != "no":
        return f"Automatikusan küldött levél (Auto-Submitted: {message.auto_submitted})."
    if message.precedence in BULK_PRECEDENCES:
        return f"Tömeges vagy levelezőlistás levél (Precedence: {message.precedence})."
    if message.content_type == "multipart/report":
        if message.report_type == "delivery-status":
            return "Kézbesítési jelentés (visszapattant levél, multipart/report)."
        if message.report_type == "disposition-notification":
            return "Olvasási visszaigazolás (multipart/report)."
        return f"Automatikus jelentés (multipart/report, {message.report_type or 'típus nélkül'})."
    if message.list_message:
        return "Levelezőlista levele (List-Id vagy List-Unsubscribe fejléc)."
    for address in (message.sender, parseaddr(envelope_from or "")[1].lower()):
        local = address.partition("@")[0]
        if local in SYSTEM_SENDERS:
            return f"A feladó a levelezőrendszer maga ({address})."
    own = {parseaddr(a)[1].strip().lower() for a in own_addresses}
    if message.sender and message.sender in own:
        return f"A feladó a minisztérium saját címe ({message.sender})."
    return None
