"""The register pages: every employee with status and code, the leftovers with reason, next
step and *Kapcsolat létrehozása* (:func:`kkod.employer.connect.connect_employee`), the export
for the document-management system (:mod:`kkod.employer.export`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from kkod.central.interface import Central
from kkod.employer.connect import ConnectOutcome, connect_employee
from kkod.employer.database import transaction
from kkod.employer.export import FORMATS, export_records, render
from kkod.employer.lists import entry_of
from kkod.employer.models import LEFTOVER_STATUSES
from kkod.employer.register import employees
from kkod.errors import KkodError
from kkod.web.employer.site import Site

_LEFTOVER_STATUSES = frozenset(s.value for s in LEFTOVER_STATUSES)


def register_router(
    site: Site, register: Engine | None, central: Callable[[], Central] | None
) -> APIRouter:
    router = APIRouter()
    said: list[str] = []  # the last connection's outcome, shown once (a one-person app)

    @router.get("/nyilvantartas")
    def register_page(request: Request) -> HTMLResponse:
        message = said.pop() if said else ""
        if register is None:
            return site.page(request, "register.html", title="Nyilvántartás",
                             step="nyilvantartas", entries=None, message=message)  # fmt: skip
        with transaction(register) as session:
            entries = [entry_of(e) for e in employees(session)]
        return site.page(
            request, "register.html", title="Nyilvántartás", step="nyilvantartas",
            entries=entries, message=message,
            leftovers=[e for e in entries if e.status in _LEFTOVER_STATUSES],
            coded=sum(1 for e in entries if e.kapcsolati_kod),
        )  # fmt: skip

    @router.post("/kapcsolat")
    def connect(
        request: Request, azonosito: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        site.checked(request, csrf_token)
        if register is None or central is None:
            return RedirectResponse("/nyilvantartas", 303)
        try:
            said.append(_told(connect_employee(register, central(), azonosito)))
        except KkodError as error:
            said.append(error.message)
        return RedirectResponse("/nyilvantartas", 303)

    @router.get("/nyilvantartas.{fmt}")
    def export(fmt: str) -> Response:
        if register is None or fmt not in FORMATS:
            return HTMLResponse("Nincs ilyen export.", status_code=404)
        with transaction(register) as session:
            body = render(export_records(session), fmt)
        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        disposition = f'attachment; filename="nyilvantartas.{fmt}"'
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    return router


def _told(outcome: ConnectOutcome) -> str:
    if outcome.code:
        return f"{outcome.belso_azonosito}: a kapcsolat létrejött, a kód: {outcome.code}."
    return f"{outcome.belso_azonosito}: {outcome.explanation} {outcome.next_step}".strip()
