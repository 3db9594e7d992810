"""An office's connections in the order they were made, a page at a time (a DMS syncing its register).

Only the office's own connections, and never who they belong to: the code, when and how it
was made, and whether the account is still active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from kkod.central.codes import format_code
from kkod.central.models import Account, as_utc
from kkod.central.models import Connection as ConnectionRow

MAX_PAGE = 1000


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
        select(
            ConnectionRow.id,
            ConnectionRow.code,
            ConnectionRow.created_at,
            ConnectionRow.via,
            ConnectionRow.reference,
            Account.active,
        )
        .join(Account, Account.id == ConnectionRow.account_id)
        .where(ConnectionRow.office_id == office_id, ConnectionRow.id > after)
        .order_by(ConnectionRow.id)
        .limit(min(max(limit, 1), MAX_PAGE))
    ).all()
    return [
        ConnectionEntry(row[0], format_code(row[1]), as_utc(row[2]), row[3], row[4], bool(row[5]))
        for row in rows
    ]
