"""What the operator's console asks of the request store: a filtered, searched, paged list, and
a reply sent again. The same functions serve the console's pages and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from kkod.errors import KkodError
from kkod.ministry.models import Reply, Request, RequestStatus
from kkod.ministry.store import RequestStore

PER_PAGE = 25
MAX_SEARCH = 200


class ConsoleError(KkodError):
    """What the operator asked cannot be done (exit code 2); the message says why."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Page:
    """One page of requests, newest first."""

    requests: list[Request]
    number: int  # from 1
    pages: int
    total: int


def find_requests(
    store: RequestStore,
    *,
    status: RequestStatus | None = None,
    text: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """Requests of ``status`` whose reference, organisation, short name or KRID contains
    ``text`` (case-insensitive), page ``page`` of them."""
    conditions = []
    if status is not None:
        conditions.append(Request.status == str(status))
    words = " ".join(text.split())[:MAX_SEARCH]
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Request.reference,
                        Request.organisation,
                        Request.short_name,
                        Request.krid,
                    )
                )
            )
        )
    with store.session() as session:
        total = session.scalar(select(func.count(Request.id)).where(*conditions)) or 0
        pages = max(1, -(-total // per_page))
        number = min(max(1, page), pages)
        rows = session.scalars(
            select(Request)
            .where(*conditions)
            .order_by(Request.id.desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
        return Page(list(rows), number, pages, total)


def resend_reply(store: RequestStore, ident: str, actor: str) -> Reply:
    """Queue the request's answer (codes or rejection) to be sent again, byte for byte the same
    message with the same Message-ID; audited. Refused when there is none or it was purged."""
    request = store.get(ident)
    if request is None:
        raise ConsoleError(f"Nincs ilyen kérelem: {ident}.")
    reply = store.reply_of(request.id)
    if reply is None:
        raise ConsoleError(f"A {request.reference} kérelemre még nem készült válasz.")
    if reply.raw is None:
        raise ConsoleError(
            f"A {request.reference} kérelem válaszát a megőrzési idő lejárta után töröltük; "
            "újra nem küldhető."
        )
    store.send_again(reply.id, actor)
    return store.reply_of(request.id)
