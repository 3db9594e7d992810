"""An office's connections a page at a time: in the order they were made (a DMS syncing its
register), or newest first and searched by code (the Hivatali kapu pages).

Only the office's own connections, and never who they belong to: the code, when and how it
was made, and whether the account is still active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from kkod.central.codes import format_code
from kkod.central.models import Account, as_utc
from kkod.central.models import Connection as ConnectionRow

MAX_PAGE = 1000
_COLUMNS = (
    ConnectionRow.id,
    ConnectionRow.code,
    ConnectionRow.created_at,
    ConnectionRow.via,
    ConnectionRow.reference,
    Account.active,
)


@dataclass(frozen=True, slots=True)
class ConnectionEntry:
    cursor: int  # give it back as ``after`` for the next page
    code: str  # displayed form
    created_at: datetime
    via: str
    reference: str | None
    active: bool  # the account is still active


def connections_after(
    conn: Connection, office_id: int, after: int = 0, limit: int = 100
) -> list[ConnectionEntry]:
    """The office's connections made after the one whose cursor is ``after``, oldest first."""
    rows = conn.execute(
        select(*_COLUMNS)
        .join(Account, Account.id == ConnectionRow.account_id)
        .where(ConnectionRow.office_id == office_id, ConnectionRow.id > after)
        .order_by(ConnectionRow.id)
        .limit(min(max(limit, 1), MAX_PAGE))
    ).all()
    return _entries(rows)


def _entries(rows) -> list[ConnectionEntry]:
    return [
        ConnectionEntry(row[0], format_code(row[1]), as_utc(row[2]), row[3], row[4], bool(row[5]))
        for row in rows
    ]


def search_connections(
    conn: Connection, office_id: int, code_part: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[ConnectionEntry], int]:
    """The office's connections whose code contains ``code_part`` (compact symbols, see
    :func:`kkod.central.codes.searchable`), newest first: one page and the number of all."""
    where = [ConnectionRow.office_id == office_id]
    if code_part:
        where.append(ConnectionRow.code.contains(code_part, autoescape=True))
    total = conn.scalar(select(func.count()).select_from(ConnectionRow).where(*where))
    rows = conn.execute(
        select(*_COLUMNS)
        .join(Account, Account.id == ConnectionRow.account_id)
        .where(*where)
        .order_by(ConnectionRow.id.desc())
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), MAX_PAGE))
    ).all()
    return _entries(rows), total or 0
