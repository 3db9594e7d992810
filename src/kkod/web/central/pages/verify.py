"""Kód ellenőrzése: is a typed code well-formed, one of this office's, its account active."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from kkod.central import codes as code_format
from kkod.central.interface import CodeLookup
from kkod.central.ratelimit import take
from kkod.central.service import lookup_in
from kkod.web.central.context import CentralContext
from kkod.web.central.pages.office import Staff, StaffOffice
from kkod.web.shared.sessions import CheckedForm, text_field
from kkod.web.shared.site import render

router = APIRouter()
PATH = "/kod-ellenorzes"


@router.get(PATH, response_class=HTMLResponse)
async def verify_form(request: Request, office: Staff) -> HTMLResponse:
    return render(request, "verify.html", title="Kód ellenőrzése", code="", found=None)


@router.post(PATH, response_class=HTMLResponse)
async def verify(request: Request, office: Staff, form: CheckedForm) -> HTMLResponse:
    code = text_field(form, "code", 60)
    if not code:
        return _page(request, code, None, [("code", "Adja meg az ellenőrizendő kapcsolati kódot.")])
    try:
        code_format.normalize(code)
    except code_format.CodeError as error:
        return _page(request, code, None, [("code", str(error))])
    found, retry_after = await run_in_threadpool(_lookup, request.app.state.central, office, code)
    if found is None:
        return render(
            request,
            "error.html",
            status=429,
            title="Túl sok kérés",
            message="A hivatali kapu elérte a percenkénti ellenőrzési korlátot. Próbálja újra "
            f"{retry_after} másodperc múlva.",
        )
    return _page(request, code_format.parse_code(code), found, [])


def _page(request: Request, code: str, found: CodeLookup | None, errors) -> HTMLResponse:
    return render(
        request, "verify.html", title="Kód ellenőrzése", code=code, found=found, errors=errors
    )


def _lookup(ctx: CentralContext, office: StaffOffice, code: str) -> tuple[CodeLookup | None, int]:
    with ctx.engine.begin() as conn:
        decision = take(conn, f"verify:{office.krid}", ctx.verify_rate)
        if not decision.allowed:
            office.audit(conn, "web.verify", "status=429")
            return None, decision.retry_after
        found = lookup_in(conn, office.id, code)
        office.audit(conn, "web.verify", f"valid={found.valid} connected={found.connected}")
    return found, 0
