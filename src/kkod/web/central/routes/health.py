"""``/healthz`` (the process answers) and ``/readyz`` (database reachable, schema at head)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from kkod.db import at_head
from kkod.web.central.deps import Context
from kkod.web.central.schemas import HealthOut
from kkod.web.shared.problems import NOT_READY, Problem, problems

router = APIRouter(tags=["Állapot"])


@router.get("/healthz", response_model=HealthOut, summary="Él-e a folyamat")
async def healthz() -> HealthOut:
    """A folyamat fut és válaszol (adatbázist nem érint)."""
    return HealthOut(status="ok")


@router.get(
    "/readyz", response_model=HealthOut, summary="Kész-e a kiszolgálásra", responses=problems(503)
)
def readyz(ctx: Context) -> HealthOut:
    """Az adatbázis elérhető, és a sémája a legfrissebb változaton áll."""
    try:
        ready = at_head(ctx.reader, "central")
    except SQLAlchemyError:
        raise Problem(NOT_READY, "A központi adatbázis nem érhető el.") from None
    if not ready:
        raise Problem(
            NOT_READY, "A központi adatbázis sémája nem a legfrissebb: futtassa a migrációkat."
        )
    return HealthOut(status="ready")
