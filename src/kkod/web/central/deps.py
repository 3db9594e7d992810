"""The central API's dependencies: the shared context, the caller's key, its office, its audit.

Every request with a key is audited once (office, key id, action, result; never 4T): a route
writes the entry in its own transaction with :meth:`Caller.audit`; otherwise it is written
here when the request ends, with the status it ended with. A failed authentication is
audited, and counted against the client address's limit, in one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, select

from kkod.central.apikeys import KeyKind, Principal, authenticate
from kkod.central.models import Office
from kkod.central.ratelimit import Rate, take
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
    """The authenticated caller of one request and the audit entry it owes."""

    principal: Principal
    action: str
    krid: str | None = None  # the office the request is about, once known
    audited: bool = False

    def audit(self, conn: Connection, result: str) -> None:
        """The request's audit entry, in the caller's transaction."""
        audit(conn, self.principal.actor, self.action, self.krid, result)
        self.audited = True


async def caller(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AsyncIterator[Caller]:
    """The request's key holder; 401 (or 429 after too many failures from one address)."""
    action = "api." + getattr(request.scope.get("route"), "name", "unknown")
    token = credentials.credentials if credentials else None
    principal = await run_in_threadpool(_authenticate, ctx, token)
    if principal is None:
        await run_in_threadpool(_refuse, ctx, client_address(request), action)
    request.state.key_id = principal.key_id
    call = Caller(principal, action, principal.krid)
    status = 200
    try:
        yield call
    except Problem as problem:
        status = problem.kind.status
        raise
    except RequestValidationError:
        status = 422
        raise
    except Exception:
        status = 500
        raise
    finally:
        if not call.audited:
            await run_in_threadpool(_audit_status, ctx, call, status)


def _authenticate(ctx: CentralContext, token: str | None) -> Principal | None:
    with ctx.reader.connect() as conn:
        return authenticate(conn, ctx.pepper, token)


def _audit_status(ctx: CentralContext, call: Caller, status: int) -> None:
    with ctx.engine.begin() as conn:
        call.audit(conn, f"status={status}")


def _refuse(ctx: CentralContext, address: str, action: str) -> None:
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

KridPath = Annotated[
    str,
    Path(
        description="A hivatali kapu KRID-je (számjegyek).",
        pattern=r"^\d{1,32}$",
        examples=["500100"],
    ),
]


async def office(krid: KridPath, call: Authenticated, ctx: Context) -> OfficeRef:
    """The office in the path: an office key's own, or any for the ministry key."""
    if call.principal.kind is KeyKind.OFFICE:
        if krid != call.principal.krid:
            raise Problem(
                FORBIDDEN,
                f"Ez az API-kulcs {article(call.principal.krid)} {call.principal.krid} KRID-ű hivatali kapué; más "
                "hivatali kapu adataihoz nem fér hozzá.",
            )
        return OfficeRef(call.principal.office_id, krid)  # type: ignore[arg-type]
    call.krid = krid
    office_id = await run_in_threadpool(_office_id, ctx, krid)
    if office_id is None:
        raise Problem(UNKNOWN_OFFICE, f"Nincs hivatali kapu ezzel a KRID-del: {krid}.")
    return OfficeRef(office_id, krid)


def _office_id(ctx: CentralContext, krid: str) -> int | None:
    with ctx.reader.connect() as conn:
        return conn.scalar(select(Office.id).where(Office.krid == krid))


async def own_office(krid: KridPath, call: Authenticated, ctx: Context) -> OfficeRef:
    """The office in the path, for what only the office itself may do (4T, documents, lists)."""
    if call.principal.kind is not KeyKind.OFFICE:
        raise Problem(
            FORBIDDEN,
            "Ezt csak a hivatali kapu saját kulcsával lehet: a minisztérium kulcsa 4T adatot "
            "nem küldhet, dokumentumot nem kézbesíthet, kapcsolatlistát nem kérhet.",
        )
    return await office(krid, call, ctx)


async def ministry_office(krid: KridPath, call: Authenticated, ctx: Context) -> OfficeRef:
    """The office in the path, for the ministry's bulk work."""
    if call.principal.kind is not KeyKind.MINISTRY:
        raise Problem(
            FORBIDDEN,
            "A tömeges egyeztetés és kódkiadás csak a minisztérium kulcsával érhető el; "
            "hivatali kapu kulcsával személyenként lehet kapcsolni.",
        )
    return await office(krid, call, ctx)


AnyOffice = Annotated[OfficeRef, Depends(office)]
OwnOffice = Annotated[OfficeRef, Depends(own_office)]
MinistryOffice = Annotated[OfficeRef, Depends(ministry_office)]


@contextmanager
def limited_write(
    ctx: CentralContext, what: str, rate: Rate, office: OfficeRef, call: Caller
) -> Iterator[Connection]:
    """The request's write transaction with one request of ``what`` counted against the
    office's limit first. Over the limit, the refusal is audited and committed, then 429.

    On PostgreSQL the count is a transaction of its own: the bucket's row stays locked until
    the transaction that counts ends, and every request of an office counts on that one row,
    so counting inside the request's transaction made an office's requests wait for each
    other (330 connect-one requests/s instead of 500). On SQLite, where one write
    transaction runs at a time anyway, it is the request's first statement."""
    bucket, apart = f"{what}:{office.krid}", ctx.engine.dialect.name != "sqlite"
    with ctx.engine.begin() as conn:
        decision = take(conn, bucket, rate)
        if not decision.allowed:
            call.audit(conn, "status=429")
        elif not apart:
            yield conn
            return
    if decision.allowed:
        with ctx.engine.begin() as conn:
            yield conn
        return
    raise Problem(
        TOO_MANY_REQUESTS,
        f"A hivatali kapu elérte a percenkénti {rate.count} kéréses korlátot; próbálja "
        f"újra {decision.retry_after} másodperc múlva.",
        headers={"Retry-After": str(decision.retry_after)},
    )
