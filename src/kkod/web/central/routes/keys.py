"""Who am I (``/api/v1/me``) and the offices a key may see (``/api/v1/offices/{krid}``)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from kkod.central.models import Office
from kkod.central.registry import office_info
from kkod.web.central.deps import AnyOffice, Authenticated, Context
from kkod.web.central.problems import UNKNOWN_OFFICE
from kkod.web.central.schemas import KeyOut, OfficeOut
from kkod.web.shared.problems import problems

router = APIRouter(prefix="/api/v1", tags=["Kulcs és hivatali kapu"])


def _office_out(ctx, office_id: int) -> OfficeOut:
    with ctx.reader.connect() as conn:
        row = conn.execute(select(Office).where(Office.id == office_id)).one()
    info = office_info(row)
    return OfficeOut(
        krid=info.krid,
        short_name=info.short_name,
        name=info.name,
        email_domains=list(info.email_domains),
        organisation_id=info.organisation_id,
    )


@router.get("/me", response_model=KeyOut, summary="A hívó kulcsa", responses=problems(401, 429))
def me(call: Authenticated, ctx: Context) -> KeyOut:
    """Az API-kulcs, amellyel a kérés érkezett: azonosítója, fajtája és hivatali kapuja."""
    principal = call.principal
    office = _office_out(ctx, principal.office_id) if principal.office_id is not None else None
    return KeyOut(key_id=principal.key_id, kind=str(principal.kind), office=office)


@router.get(
    "/offices/{krid}",
    response_model=OfficeOut,
    summary="Egy hivatali kapu adatai",
    responses=problems(401, 403, UNKNOWN_OFFICE, 422, 429),
)
def get_office(office: AnyOffice, ctx: Context) -> OfficeOut:
    """A hivatali kapu adatai: hivatali kapu kulcsával csak a sajátja, a minisztérium
    kulcsával bármelyiké."""
    return _office_out(ctx, office.id)
