"""The workbench's pages: upload → mapping → findings and decisions (with the declarations
cross-check) → download. Each route parses the form, calls :class:`kkod.employer.workbench.
Workbench`, renders the page; a POST answers with a redirect (303) so a reload repeats
nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine

from kkod.central.interface import Central
from kkod.employer.connect import connect_employee
from kkod.employer.database import transaction
from kkod.employer.export import FORMATS, export_records, render
from kkod.employer.hrexport.headers import SKIP, TARGETS, recognise
from kkod.employer.lists import entry_of
from kkod.employer.models import LEFTOVER_STATUSES
from kkod.employer.register import employees
from kkod.employer.review import Choice
from kkod.employer.workbench import EXPORT, Workbench
from kkod.errors import KkodError
from kkod.fourt.rules import RULES
from kkod.visible import visible
from kkod.web.employer.access import COOKIE, Access
from kkod.web.limits import BodySizeLimit

UPLOAD_MARGIN = 64 * 1024  # the form's other fields and boundaries around the file

_LEFTOVER_STATUSES = frozenset(s.value for s in LEFTOVER_STATUSES)
_CHOICES = {"elfogad": Choice.ELFOGADVA, "sajat": Choice.SAJAT, "kihagy": Choice.KIHAGYVA}
_OPEN = ("/belepes",)
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(
    bench: Workbench,
    access: Access,
    register: Engine | None = None,
    central: Callable[[], Central] | None = None,
) -> FastAPI:
    """The app for one officer's workbench (``bench``), reachable as ``access`` allows; with
    the employer's ``register`` the register pages, connecting one through ``central()``."""
    said: list[str] = []  # the last connection's outcome, shown once (a one-person app)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodySizeLimit, max_bytes=bench.limits.max_file_bytes + UPLOAD_MARGIN)
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True
    )
    env.filters["visible"] = lambda value: visible(value or "", spaces=True)

    def page(request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
        cookie = request.cookies.get(COOKIE)
        html = env.get_template(name).render(
            csrf=access.csrf_of(cookie) or "", source=bench.source_name, **values
        )
        return HTMLResponse(html, status_code=status)

    def refusal(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return page(request, "hiba.html", status, title=title, message=message, step="")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not access.host_ok(request.headers.get("host")):
            return _secured(HTMLResponse("Nem engedélyezett cím.", status_code=400))
        if request.url.path not in _OPEN and access.csrf_of(request.cookies.get(COOKIE)) is None:
            return _secured(
                refusal(request, 403, "Belépés szükséges",
                        "A munkapadot az indításkor kiírt címen nyissa meg (kkod employer serve).")
            )  # fmt: skip
        return _secured(await call_next(request))

    class FormRefused(Exception):
        pass

    @app.exception_handler(FormRefused)
    def form_refused(request: Request, _: FormRefused) -> HTMLResponse:
        return _secured(
            refusal(request, 403, "Lejárt űrlap", "Töltse be újra az oldalt, és küldje el újra.")
        )

    def checked(request: Request, csrf: str) -> None:
        """Every form carries the session's CSRF token."""
        if not access.form_ok(request.cookies.get(COOKIE), csrf):
            raise FormRefused

    @app.get("/belepes")
    def enter(t: str = "") -> Response:
        cookie = access.open_session(t)
        if cookie is None:
            return HTMLResponse("Érvénytelen belépési cím.", status_code=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    @app.get("/")
    def upload_page(request: Request) -> HTMLResponse:
        return page(request, "index.html", title="Feltöltés", step="feltoltes")

    @app.post("/feltoltes")
    async def upload(
        request: Request, fajl: UploadFile, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        checked(request, csrf)
        try:
            kind = bench.upload(fajl.filename or "", await fajl.read())
        except KkodError as error:
            return page(request, "index.html", 400, title="Feltöltés", step="feltoltes",
                        errors=[error.message])  # fmt: skip
        return RedirectResponse("/megfeleltetes" if kind == EXPORT else "/ellenorzes", 303)

    @app.get("/megfeleltetes")
    def mapping_page(request: Request) -> HTMLResponse:
        return _mapping(request)

    def _mapping(request: Request, status: int = 200, errors=()) -> HTMLResponse:
        return page(request, "mapping.html", status, title="Megfeleltetés", step="megfeleltetes",
                    plan=bench.plan, targets=TARGETS, errors=list(errors))  # fmt: skip

    @app.post("/megfeleltetes")
    async def remap(
        request: Request,
        action: Annotated[str, Form()] = "frissit",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        checked(request, csrf)
        form = await request.form()
        if bench.plan is None:
            return RedirectResponse("/", 303)
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
            return _mapping(request, 400, [error.message.split("\n", 1)[0]])
        return _mapping(request)

    @app.get("/ellenorzes")
    def findings_page(request: Request) -> HTMLResponse:
        return _findings(request)

    def _findings(request: Request, status: int = 200, errors=()) -> HTMLResponse:
        if bench.table is None:
            return page(request, "findings.html", status, title="Ellenőrzés", step="ellenorzes",
                        result=None, errors=list(errors))  # fmt: skip
        result = bench.result()
        safe, suggestions = bench.candidates()
        groups: dict[str, list] = {}
        for c in suggestions:
            groups.setdefault(c.rules[0], []).append(c)
        offered = {(c.row, c.column) for c in (*safe, *suggestions)}
        others = [f for f in result.findings if (f.row, f.column) not in offered]
        return page(
            request, "findings.html", status, title="Ellenőrzés és döntések", step="ellenorzes",
            result=result, safe=safe, suggestions=suggestions, groups=sorted(groups.items()),
            titles={r: RULES[r].title for r in groups}, others=others,
            decisions=len(bench.decisions), errors=list(errors),
            declarations=bench.declarations and "a feltöltött nyilatkozatok",
        )  # fmt: skip

    @app.post("/biztonsagos")
    def accept_safe(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        checked(request, csrf)
        try:
            bench.accept_safe()
        except KkodError as error:
            return _findings(request, 400, [error.message])
        return RedirectResponse("/ellenorzes#biztonsagos", 303)

    @app.post("/dontes")
    def decide(
        request: Request,
        cella: Annotated[str, Form()],
        dontes: Annotated[str, Form()],
        sajat: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        checked(request, csrf)
        choice = _CHOICES.get(dontes)
        try:
            if choice is None:
                raise KkodError("Ismeretlen döntés.")
            bench.decide(cella, choice, sajat)
        except KkodError as error:
            return _findings(request, 400, [error.message])
        return RedirectResponse("/ellenorzes#javaslatok", 303)

    @app.post("/nyilatkozatok")
    async def declarations(
        request: Request, fajl: UploadFile, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        checked(request, csrf)
        try:
            bench.add_declarations(await fajl.read(), fajl.filename or "")
        except KkodError as error:
            return _findings(request, 400, [error.message])
        return RedirectResponse("/ellenorzes#javaslatok", 303)

    @app.get("/letoltes")
    def download(request: Request) -> Response:
        if bench.table is None:
            return RedirectResponse("/", 303)
        stem = Path(bench.source_name).stem or "tabla"
        return FileResponse(bench.table, filename=f"{stem}-javitott.xlsx")

    @app.get("/dontesek.csv")
    def decisions_file(request: Request) -> Response:
        return FileResponse(bench.decisions_file(), filename="dontesek.csv")

    @app.get("/nyilvantartas")
    def register_page(request: Request) -> HTMLResponse:
        message = said.pop() if said else ""
        if register is None:
            return page(request, "register.html", title="Nyilvántartás", step="nyilvantartas",
                        entries=None, message=message)  # fmt: skip
        with transaction(register) as session:
            entries = [entry_of(e) for e in employees(session)]
        leftovers = [e for e in entries if e.status in _LEFTOVER_STATUSES]
        return page(
            request, "register.html", title="Nyilvántartás", step="nyilvantartas",
            entries=entries, leftovers=leftovers, message=message,
            coded=sum(1 for e in entries if e.kapcsolati_kod),
        )  # fmt: skip

    @app.post("/kapcsolat")
    def connect(
        request: Request,
        azonosito: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        checked(request, csrf)
        if register is None or central is None:
            return RedirectResponse("/nyilvantartas", 303)
        try:
            outcome = connect_employee(register, central(), azonosito)
        except KkodError as error:
            said.append(error.message)
        else:
            said.append(_connected(outcome))
        return RedirectResponse("/nyilvantartas", 303)

    @app.get("/nyilvantartas.{fmt}")
    def export(fmt: str) -> Response:
        if register is None or fmt not in FORMATS:
            return HTMLResponse("Nincs ilyen export.", status_code=404)
        with transaction(register) as session:
            body = render(export_records(session), fmt)
        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        disposition = f'attachment; filename="nyilvantartas.{fmt}"'
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    return app


def _connected(outcome) -> str:
    if outcome.code:
        return f"{outcome.belso_azonosito}: a kapcsolat létrejött, a kód: {outcome.code}."
    return f"{outcome.belso_azonosito}: {outcome.explanation} {outcome.next_step}".strip()


def _secured(response: Response) -> Response:
    response.headers.update(_SECURITY_HEADERS)
    return response
