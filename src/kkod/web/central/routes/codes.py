"""Verify a connection code: well-formed, issued to this office, account still active."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from kkod.central import codes as code_format
from kkod.central.interface import CodeLookup
from kkod.central.service import lookup_in
from kkod.web.central.context import CentralContext
from kkod.web.central.deps import Caller, Context, KeyHolder, KridPath, Reach, limited_write
from kkod.web.central.problems import UNKNOWN_OFFICE
from kkod.web.central.schemas import CodeIn, CodeOut
from kkod.web.shared.problems import problems

router = APIRouter(prefix="/api/v1/offices/{krid}", tags=["Kapcsolati kódok"])


@router.post(
    "/codes/verify",
    response_model=CodeOut,
    summary="Egy kapcsolati kód ellenőrzése",
    responses=problems(401, 403, UNKNOWN_OFFICE, 413, 422, 429),
)
async def verify_code(body: CodeIn, krid: KridPath, call: KeyHolder, ctx: Context) -> CodeOut:
    """Jól formált-e a kód, ennek a hivatali kapunak adták-e ki, és aktív-e még a fiók. Más
    hivatali kapu kódja ugyanazt a választ kapja, mint egy ismeretlen kód. A hivatali kapu
    percenkénti ellenőrzési korlátja vonatkozik rá."""
    found = await run_in_threadpool(_verify, ctx, call, krid, body.code)
    return CodeOut(
        valid=found.valid,
        connected=found.connected,
        code=code_format.parse_code(body.code) if found.valid else None,
    )


def _verify(ctx: CentralContext, call: Caller, krid: str, code: str) -> CodeLookup:
    rate = ctx.verify_rate
    with limited_write(ctx, call, krid, Reach.ANY, "verify", rate) as (conn, office):
        found = lookup_in(conn, office.id, code)
        call.audit(conn, f"valid={found.valid} connected={found.connected}")
    return found
