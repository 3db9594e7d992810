"""Delivering a test document to a connection code: the proof that a code works (SPEC §2).

The document lands in the account's storage, an "Ügyfélkapu tárhely" stand-in table in the
central database; ``kkod central inbox`` shows what arrived. Only small PDF and plain-text
files are taken, and their content is checked against the type they claim.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, select

from kkod.central import codes as code_format
from kkod.central.models import Account, Office, StoredDocument, as_utc, utcnow
from kkod.central.models import Connection as ConnectionRow
from kkod.errors import KkodError

CONTENT_TYPES = {"application/pdf": ".pdf", "text/plain": ".txt"}
MAX_FILENAME = 200


class DocumentRejected(KkodError):
    """A document the storage does not take; ``field`` names the part that is wrong."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class DeliveryRefused(StrEnum):
    """Why a well-formed document was not delivered."""

    NOT_CONNECTED = "not-connected"  # no such code among this office's connections
    ACCOUNT_CLOSED = "account-closed"


@dataclass(frozen=True, slots=True)
class Delivered:
    document_id: int
    size: int
    sha256: str
    delivered_at: datetime


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A document in an account's storage, as the inbox lists it."""

    document_id: int
    sender_krid: str
    sender: str
    filename: str
    content_type: str
    size: int
    sha256: str
    delivered_at: datetime


def check_document(filename: str, content_type: str, data: bytes, max_bytes: int) -> None:
    """Raise :class:`DocumentRejected` unless the file is one the storage takes."""
    if not filename or len(filename) > MAX_FILENAME:
        raise DocumentRejected(
            "filename", "length", f"A fájlnév 1–{MAX_FILENAME} karakter hosszú lehet."
        )
    if any(ch in "/\\" or unicodedata.category(ch)[0] == "C" for ch in filename):
        raise DocumentRejected(
            "filename",
            "characters",
            "A fájlnév nem tartalmazhat mappajelet (/ vagy \\) és vezérlőkaraktert.",
        )
    if content_type not in CONTENT_TYPES:
        raise DocumentRejected(
            "content_type",
            "allowed-types",
            "Csak PDF (application/pdf) és egyszerű szöveg (text/plain) kézbesíthető.",
        )
    if not data:
        raise DocumentRejected("content", "empty", "A dokumentum üres.")
    if len(data) > max_bytes:
        raise DocumentRejected(
            "content",
            "max-size",
            f"A dokumentum {len(data)} bájt; legfeljebb {max_bytes} bájt kézbesíthető.",
        )
    if content_type == "application/pdf" and not data.startswith(b"%PDF-"):
        raise DocumentRejected(
            "content", "pdf", "A dokumentum nem PDF: nem „%PDF-” fejléccel kezdődik."
        )
    if content_type == "text/plain":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DocumentRejected(
                "content", "utf-8", "A szöveges dokumentum nem érvényes UTF-8 szöveg."
            ) from None
        if "\x00" in text:
            raise DocumentRejected("content", "utf-8", "A szöveges dokumentumban NUL karakter van.")


def deliver(
    conn: Connection,
    office_id: int,
    code: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Delivered | DeliveryRefused:
    """Store a checked document for the account ``code`` connects to ``office_id``.

    A code of another office, an unknown and a malformed code are the same: not connected.
    """
    try:
        compact = code_format.normalize(code)
    except code_format.CodeError:
        return DeliveryRefused.NOT_CONNECTED
    row = conn.execute(
        select(ConnectionRow.id, ConnectionRow.account_id, Account.active)
        .join(Account, Account.id == ConnectionRow.account_id)
        .where(ConnectionRow.office_id == office_id, ConnectionRow.code == compact)
    ).first()
    if row is None:
        return DeliveryRefused.NOT_CONNECTED
    if not row.active:
        return DeliveryRefused.ACCOUNT_CLOSED
    digest = hashlib.sha256(data).hexdigest()
    now = utcnow()
    document_id = conn.execute(
        StoredDocument.__table__.insert().values(
            account_id=row.account_id,
            office_id=office_id,
            connection_id=row.id,
            filename=filename,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            content=data,
            delivered_at=now,
        )
    ).inserted_primary_key[0]
    return Delivered(int(document_id), len(data), digest, now)


def inbox(engine: Engine, username: str) -> list[InboxEntry]:
    """What arrived in the storage of the account ``username``, oldest first."""
    with engine.connect() as conn:
        account_id = conn.scalar(select(Account.id).where(Account.username == username.strip()))
        if account_id is None:
            raise KkodError(f"Nincs ilyen Ügyfélkapu-fiók: {username}.")
        rows = conn.execute(
            select(
                StoredDocument.id,
                Office.krid,
                Office.short_name,
                StoredDocument.filename,
                StoredDocument.content_type,
                StoredDocument.size,
                StoredDocument.sha256,
                StoredDocument.delivered_at,
            )
            .join(Office, Office.id == StoredDocument.office_id)
            .where(StoredDocument.account_id == account_id)
            .order_by(StoredDocument.id)
        ).all()
    return [InboxEntry(*row[:-1], as_utc(row[-1])) for row in rows]


def document_content(engine: Engine, username: str, document_id: int) -> bytes:
    """The content of one document in the account's storage."""
    with engine.connect() as conn:
        data = conn.scalar(
            select(StoredDocument.content)
            .join(Account, Account.id == StoredDocument.account_id)
            .where(Account.username == username.strip(), StoredDocument.id == document_id)
        )
    if data is None:
        raise KkodError(f"Nincs {document_id} azonosítójú dokumentum ennek a fióknak a tárhelyén.")
    return bytes(data)
