"""Verify a connection code: well-formed, issued to this office, account still active."""

from __future__ import annotations

from fastapi import APIRouter

from kkod.central import codes as code_format
from kkod.central.service import lookup_in
from kkod.web.central.deps import AnyOffice, Authenticated, Context, limited_write
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
def verify_code(body: CodeIn, office: AnyOffice, call: Authenticated, ctx: Context) -> CodeOut:
    """Jól formált-e a kód, ennek a hivatali kapunak adták-e ki, és aktív-e még a fiók. Más
    hivatali kapu kódja ugyanazt a választ kapja, mint egy ismeretlen kód. A hivatali kapu
    percenkénti ellenőrzési korlátja vonatkozik rá."""
    with limited_write(ctx, "verify", ctx.verify_rate, office, call) as conn:
        found = lookup_in(conn, office.id, body.code)
        call.audit(conn, f"valid={found.valid} connected={found.connected}")
    return CodeOut(
        valid=found.valid,
        connected=found.connected,
        code=code_format.parse_code(body.code) if found.valid else None,
    )
