"""The signed-in staff member's office, and the office a login form names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from kkod.central.models import Office
from kkod.central.registry import audit
from kkod.logins.store import WebSession
from kkod.web.central.context import CentralContext
from kkod.web.shared.sessions import LoginRequired, SignedIn


@dataclass(frozen=True, slots=True)
class StaffOffice:
    """The office of the signed-in user (its id, KRID and names) and the session."""

    id: int
    krid: str
    short_name: str
    name: str
    session: WebSession

    @property
    def actor(self) -> str:
        """Who the audit trail names for what the user does."""
        return f"user:{self.krid}/{self.session.user.username}"

    def audit(self, conn, action: str, detail: str) -> None:
        audit(conn, self.actor, action, self.krid, detail)


def resolve_office(ctx: CentralContext, text: str) -> str | None:
    """The KRID of the office a login form names by short name (any case) or KRID; None if no
    office, or more than one, has that name."""
    with ctx.reader.connect() as conn:
        found = conn.execute(
            select(Office.krid).where(
                (func.lower(Office.short_name) == text.lower()) | (Office.krid == text)
            )
        ).all()
    return found[0][0] if len(found) == 1 else None


def _office(ctx: CentralContext, krid: str):
    with ctx.reader.connect() as conn:
        return conn.execute(
            select(Office.id, Office.krid, Office.short_name, Office.name).where(
                Office.krid == krid
            )
        ).first()


async def staff_office(request: Request, session: SignedIn) -> StaffOffice:
    row = await run_in_threadpool(_office, request.app.state.central, session.user.realm)
    if row is None:  # the office is gone: the session leads nowhere
        raise LoginRequired()
    return StaffOffice(row.id, row.krid, row.short_name, row.name, session)


Staff = Annotated[StaffOffice, Depends(staff_office)]
