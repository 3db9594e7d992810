"""The central API's dependencies: the shared context, the caller's key, its office, its audit.

Every request with a key is audited once (office, key id, action, result; never 4T): a route
writes the entry in its own transaction with :meth:`Caller.audit`; otherwise it is written
here when the request ends, with the status it ended with. A failed authentication is
audited, and counted against the client address's limit, in one transaction.

Most routes have the key checked by a dependency before they run (:data:`Authenticated`); the
busiest (connect-one, code verification) take :data:`KeyHolder` and check it themselves in
:func:`limited_write`, in the thread and on the connection of their own work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, NoReturn

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, select
from starlette.datastructures import State

from kkod.central.apikeys import KeyKind, Principal, authenticate
from kkod.central.models import Office
from kkod.central.ratelimit import Decision, Rate, take
from kkod.central.registry import audit
from kkod.hungarian import article
from kkod.web.central.context import CentralContext
from kkod.web.central.problems import UNKNOWN_OFFICE
from kkod.web.shared.deps import client_address
from kkod.web.shared.problems import FORBIDDEN, TOO_MANY_REQUESTS, UNAUTHORIZED, Problem

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="Az API-kulcs a `kkod central office key create` kimenetéből: "
    "`Authorization: Bearer kkod_…`.",
)


def context(request: Request) -> CentralContext:
    return request.app.state.central


Context = Annotated[CentralContext, Depends(context)]


@dataclass(frozen=True, slots=True)
class OfficeRef:
    """The office a request is about, its key's right to it checked."""

    id: int
    krid: str


@dataclass(slots=True)
class Caller:
    """The caller of one request and the audit entry it owes: its key holder once checked."""

    action: str
    token: str | None
    address: str  # the client's address: failed authentication is counted against it
    state: State  # the request's state: the access log names the key id from it
    principal: Principal | None = None  # ``None`` until the key is checked
    krid: str | None = None  # the office the request is about, once known
    audited: bool = False

    def check(self, ctx: CentralContext, conn: Connection | None = None) -> Principal:
        """The key holder; 401 (or 429 after too many failures from one address) if the key
        is malformed, unknown or revoked. Looked up on ``conn`` when given."""
        if self.principal is None:
            with nullcontext(conn) if conn is not None else ctx.reader.connect() as using:
                principal = authenticate(using, ctx.pepper, self.token)
            if principal is None:
                _refuse(ctx, self.address, self.action)
            self.principal, self.krid = principal, principal.krid
            self.state.key_id = principal.key_id
        return self.principal

    def audit(self, conn: Connection, result: str) -> None:
        """The request's audit entry, in the caller's transaction."""
        audit(conn, self.principal.actor, self.action, self.krid, result)
        self.audited = True


@asynccontextmanager
async def _caller(
    request: Request,
    ctx: CentralContext,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    check_now: bool,
) -> AsyncIterator[Caller]:
    call = Caller(
        "api." + getattr(request.scope.get("route"), "name", "unknown"),
        credentials.credentials if credentials else None,
        client_address(request),
        request.state,
    )
    if check_now:
        await run_in_threadpool(call.check, ctx)
    status = 200
    try:
        yield call
    except Problem as problem:
        status = problem.kind.status
        raise
    except RequestValidationError:
        status = 422
        if call.principal is None:  # a bad key is told before a bad body, as when checked first
            await run_in_threadpool(call.check, ctx)
        raise
    except Exception:
        status = 500
        raise
    finally:
        if not call.audited and call.principal is not None:
            await run_in_threadpool(_audit_status, ctx, call, status)


async def caller(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AsyncIterator[Caller]:
    """The request's key holder, checked before the route runs; 401 (or 429 after too many
    failures from one address)."""
    async with _caller(request, ctx, credentials, check_now=True) as call:
        yield call


async def key_holder(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AsyncIterator[Caller]:
    """The request's caller with its key not yet checked: for the busiest routes, which check
    it in their own thread on their own connection (:func:`limited_write`) — one hop to a
    thread and one pooled connection fewer per request. The answers are the same."""
    async with _caller(request, ctx, credentials, check_now=False) as call:
        yield call


def _audit_status(ctx: CentralContext, call: Caller, status: int) -> None:
    with ctx.engine.begin() as conn:
        call.audit(conn, f"status={status}")


def _refuse(ctx: CentralContext, address: str, action: str) -> NoReturn:
    with ctx.engine.begin() as conn:
        decision = take(conn, f"auth-failure:{address}", ctx.auth_failure_rate)
        status = 401 if decision.allowed else 429
        audit(conn, f"address:{address}", action, None, f"status={status}")
    if not decision.allowed:
        raise Problem(
            TOO_MANY_REQUESTS,
            "Erről a címről túl sok kérés érkezett érvénytelen API-kulccsal; "
            f"próbálja újra {decision.retry_after} másodperc múlva.",
            headers={"Retry-After": str(decision.retry_after)},
        )
    raise Problem(
        UNAUTHORIZED,
        "Érvényes API-kulcs kell az Authorization fejlécben: „Bearer kkod_…”. A kulcsot a "
        "központi rendszer üzemeltetője adja ki (kkod central office key create).",
        headers={"WWW-Authenticate": "Bearer"},
    )


Authenticated = Annotated[Caller, Depends(caller)]
KeyHolder = Annotated[Caller, Depends(key_holder)]

KridPath = Annotated[
    str,
    Path(
        description="A hivatali kapu KRID-je (számjegyek).",
        pattern=r"^\d{1,32}$",
        examples=["500100"],
    ),
]


class Reach(Enum):
    """Which keys may act on an office in the path."""

    ANY = "any"  # the office's own key, or the ministry's on any office
    OWN = "own"  # only the office's own key (4T, documents, lists)
    MINISTRY = "ministry"  # only the ministry's key (bulk work)


_WRONG_KIND = {
    Reach.OWN: (
        KeyKind.MINISTRY,
        "Ezt csak a hivatali kapu saját kulcsával lehet: a minisztérium kulcsa 4T adatot "
        "nem küldhet, dokumentumot nem kézbesíthet, kapcsolatlistát nem kérhet.",
    ),
    Reach.MINISTRY: (
        KeyKind.OFFICE,
        "A tömeges egyeztetés és kódkiadás csak a minisztérium kulcsával érhető el; "
        "hivatali kapu kulcsával személyenként lehet kapcsolni.",
    ),
}


def _own_office(call: Caller, krid: str, reach: Reach) -> OfficeRef | None:
    """The office in the path if the checked key is that office's own; ``None`` if it is the
    ministry's (the office is then looked up by :func:`_found`); 403 if the key may not."""
    principal = call.principal
    wrong = _WRONG_KIND.get(reach)
    if wrong is not None and principal.kind is wrong[0]:
        raise Problem(FORBIDDEN, wrong[1])
    if principal.kind is not KeyKind.OFFICE:
        call.krid = krid
        return None
    if krid != principal.krid:
        raise Problem(
            FORBIDDEN,
            f"Ez az API-kulcs {article(principal.krid)} {principal.krid} KRID-ű hivatali kapué; "
            "más hivatali kapu adataihoz nem fér hozzá.",
        )
    return OfficeRef(principal.office_id, krid)  # type: ignore[arg-type]


def _found(conn: Connection, krid: str) -> OfficeRef:
    """The office of ``krid``, for the ministry's key; 404 if there is none."""
    office_id = conn.scalar(select(Office.id).where(Office.krid == krid))
    if office_id is None:
        raise Problem(UNKNOWN_OFFICE, f"Nincs hivatali kapu ezzel a KRID-del: {krid}.")
    return OfficeRef(office_id, krid)


def _looked_up(ctx: CentralContext, krid: str) -> OfficeRef:
    with ctx.reader.connect() as conn:
        return _found(conn, krid)


def _office_dependency(reach: Reach):
    async def office(krid: KridPath, call: Authenticated, ctx: Context) -> OfficeRef:
        own = _own_office(call, krid, reach)
        return own if own is not None else await run_in_threadpool(_looked_up, ctx, krid)

    office.__doc__ = f"The office in the path, for a key that may reach it ({reach.value})."
    return office


AnyOffice = Annotated[OfficeRef, Depends(_office_dependency(Reach.ANY))]
OwnOffice = Annotated[OfficeRef, Depends(_office_dependency(Reach.OWN))]
MinistryOffice = Annotated[OfficeRef, Depends(_office_dependency(Reach.MINISTRY))]


@contextmanager
def limited_write(
    ctx: CentralContext,
    call: Caller,
    krid: str,
    reach: Reach,
    what: str,
    rate: Rate,
    *,
    invalid: Problem | None = None,
) -> Iterator[tuple[Connection, OfficeRef]]:
    """For the busiest routes, in the route's thread: the key checked, the office in the path
    reached, ``invalid`` raised (the body's own refusal: not counted), one request of ``what``
    counted against the office's limit; then the request's write transaction and the office.
    Over the limit, the refusal is audited and committed, then 429.

    On PostgreSQL the key, the office and the count take one pooled connection in autocommit
    (``ctx.reader``), the count being a statement committed by itself: the bucket's row stays
    locked until the transaction that counts ends, and every request of an office counts on
    that one row, so counting inside the request's transaction made an office's requests wait
    for each other (330 connect-one requests/s instead of 500). On SQLite, where one write
    transaction runs at a time anyway, the count is the write transaction's first statement."""
    decision: Decision | None = None
    with ctx.reader.connect() as conn:
        call.check(ctx, conn)
        office = _own_office(call, krid, reach) or _found(conn, krid)
        if invalid is not None:
            raise invalid
        if ctx.engine.dialect.name != "sqlite":
            decision = _take(conn, what, rate, office)
    with ctx.engine.begin() as conn:
        if decision is None:
            decision = _take(conn, what, rate, office)
        if decision.allowed:
            yield conn, office
            return
        call.audit(conn, "status=429")
    raise Problem(
        TOO_MANY_REQUESTS,
        f"A hivatali kapu elérte a percenkénti {rate.count} kéréses korlátot; próbálja "
        f"újra {decision.retry_after} másodperc múlva.",
        headers={"Retry-After": str(decision.retry_after)},
    )


def _take(conn: Connection, what: str, rate: Rate, office: OfficeRef) -> Decision:
    return take(conn, f"{what}:{office.krid}", rate)
