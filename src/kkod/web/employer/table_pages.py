"""The table pages: upload → mapping → findings and decisions (with the declarations
cross-check) → download. Each route parses the form, calls the
:class:`~kkod.employer.workbench.Workbench`, renders the page; a POST answers with a redirect
(303), so a reload repeats nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from kkod.employer.hrexport.headers import SKIP, TARGETS, recognise
from kkod.employer.review import Choice
from kkod.employer.workbench import EXPORT
from kkod.errors import KkodError
from kkod.fourt.rules import RULES
from kkod.web.employer.site import Site

_CHOICES = {"elfogad": Choice.ELFOGADVA, "sajat": Choice.SAJAT, "kihagy": Choice.KIHAGYVA}
Csrf = Annotated[str, Form()]


def table_router(site: Site) -> APIRouter:
    router = APIRouter()
    bench = site.bench

    @router.get("/")
    def upload_page(request: Request) -> HTMLResponse:
        return site.page(request, "index.html", title="Feltöltés", step="feltoltes")

    @router.post("/feltoltes")
    async def upload(request: Request, fajl: UploadFile, csrf_token: Csrf = "") -> Response:
        site.checked(request, csrf_token)
        try:
            kind = bench.upload(fajl.filename or "", await fajl.read())
        except KkodError as error:
            return site.page(request, "index.html", 400, title="Feltöltés", step="feltoltes",
                             errors=[("fajl", error.message)])  # fmt: skip
        return RedirectResponse("/megfeleltetes" if kind == EXPORT else "/ellenorzes", 303)

    def mapping(request: Request, status: int = 200, errors=()) -> HTMLResponse:
        return site.page(request, "mapping.html", status, title="Megfeleltetés",
                         step="megfeleltetes", plan=bench.plan, targets=TARGETS,
                         errors=list(errors))  # fmt: skip

    @router.get("/megfeleltetes")
    def mapping_page(request: Request) -> HTMLResponse:
        return mapping(request)

    @router.post("/megfeleltetes")
    async def remap(
        request: Request, action: Annotated[str, Form()] = "frissit", csrf_token: Csrf = ""
    ) -> Response:
        site.checked(request, csrf_token)
        if bench.plan is None:
            return RedirectResponse("/", 303)
        form = await request.form()
        # Every column whose chosen target is not what its header says, as a --map would.
        overrides = [
            f"{a.source.letter}={chosen}"
            for a in bench.plan.mapping.assignments
            if (chosen := str(form.get(f"oszlop-{a.source.index}") or "")) in TARGETS
            and chosen != (recognise(a.source.header) or SKIP)
        ]
        try:
            bench.remap(overrides)
            if action == "tabla":
                bench.make_table()
                return RedirectResponse("/ellenorzes", 303)
        except KkodError as error:
            return mapping(request, 400, [("oszlop-0", error.message.split("\n", 1)[0])])
        return mapping(request)

    def findings(request: Request, status: int = 200, errors=()) -> HTMLResponse:
        if bench.table is None:
            return site.page(request, "findings.html", status, title="Ellenőrzés",
                             step="ellenorzes", result=None, errors=list(errors))  # fmt: skip
        result = bench.result()
        safe, suggestions = bench.candidates()
        groups: dict[str, list] = {}
        for c in suggestions:
            groups.setdefault(c.rules[0], []).append(c)
        offered = {(c.row, c.column) for c in (*safe, *suggestions)}
        return site.page(
            request, "findings.html", status, title="Ellenőrzés és döntések", step="ellenorzes",
            result=result, safe=safe, suggestions=suggestions, groups=sorted(groups.items()),
            titles={r: RULES[r].title for r in groups}, decisions=len(bench.decisions),
            others=[f for f in result.findings if (f.row, f.column) not in offered],
            declarations=bench.declarations and "a feltöltött nyilatkozatok",
            errors=list(errors),
        )  # fmt: skip

    @router.get("/ellenorzes")
    def findings_page(request: Request) -> HTMLResponse:
        return findings(request)

    @router.post("/biztonsagos")
    def accept_safe(request: Request, csrf_token: Csrf = "") -> Response:
        site.checked(request, csrf_token)
        try:
            bench.accept_safe()
        except KkodError as error:
            return findings(request, 400, [("biztonsagos", error.message)])
        return RedirectResponse("/ellenorzes#biztonsagos", 303)

    @router.post("/dontes")
    def decide(
        request: Request,
        cella: Annotated[str, Form()],
        dontes: Annotated[str, Form()],
        sajat: Annotated[str, Form()] = "",
        csrf_token: Csrf = "",
    ) -> Response:
        site.checked(request, csrf_token)
        try:
            if dontes not in _CHOICES:
                raise KkodError("Ismeretlen döntés.")
            bench.decide(cella, _CHOICES[dontes], sajat)
        except KkodError as error:
            return findings(request, 400, [(f"sajat-{cella}", error.message)])
        return RedirectResponse("/ellenorzes#javaslatok", 303)

    @router.post("/nyilatkozatok")
    async def declarations(request: Request, fajl: UploadFile, csrf_token: Csrf = "") -> Response:
        site.checked(request, csrf_token)
        try:
            bench.add_declarations(await fajl.read(), fajl.filename or "")
        except KkodError as error:
            return findings(request, 400, [("nyilatkozat", error.message)])
        return RedirectResponse("/ellenorzes#javaslatok", 303)

    @router.get("/letoltes")
    def download() -> Response:
        if bench.table is None:
            return RedirectResponse("/", 303)
        stem = Path(bench.source_name).stem or "tabla"
        return FileResponse(bench.table, filename=f"{stem}-javitott.xlsx")

    @router.get("/dontesek.csv")
    def decisions_file() -> Response:
        return FileResponse(bench.decisions_file(), filename="dontesek.csv")

    return router
