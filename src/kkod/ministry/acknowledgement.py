"""The acknowledgement e-mail of an accepted request: ``beérkezett``, its reference, its status link.

The link carries an unguessable token (256 random bits); the store keeps only the token's
SHA-256, and the outbox's copy of the message is blanked once the relay took it. The letter
is an automatic reply (RFC 3834) with its own Message-ID, sent through the same outbox as
the answer (ADR 0004): stored with the request in one transaction, sent once, never lost.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from email.utils import parseaddr

from kkod.config import Settings
from kkod.exchange.status import STATUS_PATH
from kkod.ministry.models import ReplyKind, Request, RequestStatus
from kkod.ministry.replies import letter, reply_message
from kkod.ministry.store import NewRequest, OutgoingReply

TOKEN_BYTES = 32

# The statuses of a request the employer is told about at once: accepted (queued, or waiting
# for the operator to check a hand signature). A rejection has its own reply; a message kept
# for review is never answered automatically.
ACKNOWLEDGED = (RequestStatus.BEERKEZETT, RequestStatus.ALAIRAS_ELLENORZESRE_VAR)


def new_token() -> str:
    """A fresh status token (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256 (hex). A token is random, so no salt."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def status_link(token: str, settings: Settings) -> str:
    """The status page's address for ``token``."""
    return settings.status_base_url.rstrip("/") + STATUS_PATH + token


def acknowledgement_message_id(reference: str, ministry_address: str) -> str:
    """The stable Message-ID of the acknowledgement of request ``reference``."""
    domain = parseaddr(ministry_address)[1].rpartition("@")[2] or "kkod.local"
    return f"<{reference}.atvetel@{domain}>"


def is_acknowledgement(message_id: str) -> bool:
    """Whether a Message-ID is an acknowledgement's (:func:`acknowledgement_message_id`)."""
    return ".atvetel@" in message_id


def acknowledgement(request: Request, token: str, settings: Settings) -> OutgoingReply:
    """The letter saying the request arrived, what happens next, and where to follow it."""
    waits = request.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR
    next_step = (
        "A nyilatkozaton nincs elektronikus aláírás, ezért munkatársunk ellenőrzi az aláírást; "
        "ezután dolgozzuk fel a kérelmet."
        if waits
        else "A kérelmet sorban feldolgozzuk; az elkészült kapcsolati kódokat válaszlevélben "
        "küldjük erre a címre."
    )
    text = letter(
        [
            f"A kapcsolati kódok tömeges generálására irányuló kérelmét {request.reference} "
            "számon nyilvántartásba vettük.",
            "",
            f"Állapota: {request.status}. {next_step}",
            "",
            "A kérelem állapotát itt követheti (a hivatkozás csak ehhez a kérelemhez tartozik; "
            "ne adja tovább):",
            status_link(token, settings),
        ],
        request,
        settings,
    )
    return reply_message(
        request,
        ReplyKind.ACKNOWLEDGEMENT,
        "beérkezett",
        text,
        [],
        settings,
        message_id=acknowledgement_message_id(request.reference, settings.ministry_address),
    )


def prepare(new: NewRequest, settings: Settings) -> Callable[[Request], OutgoingReply] | None:
    """For an accepted ``new`` request: give it a status token and return its acknowledgement
    builder (for :meth:`RequestStore.record`); ``None`` for any other request."""
    if new.status not in ACKNOWLEDGED:
        return None
    token = new_token()
    new.status_token_sha256 = token_hash(token)

    def build(request: Request) -> OutgoingReply:
        return acknowledgement(request, token, settings)

    return build
