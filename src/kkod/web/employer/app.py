"""The workbench app: a session opened by the start token, every page behind it (the table
pages, the register pages), the loopback host checked, uploads within the table limits."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from kkod.central.interface import Central
from kkod.employer.workbench import Workbench
from kkod.web.employer.access import COOKIE, Access
from kkod.web.employer.register_pages import register_router
from kkod.web.employer.site import FormRefused, Site, secured
from kkod.web.employer.table_pages import table_router
from kkod.web.limits import BodySizeLimit

UPLOAD_MARGIN = 64 * 1024  # the form's other fields and boundaries around the file
_OPEN = ("/belepes",)


def create_app(
    bench: Workbench,
    access: Access,
    register: Engine | None = None,
    central: Callable[[], Central] | None = None,
) -> FastAPI:
    """The app for one officer's workbench (``bench``), reachable as ``access`` allows; with
    the employer's ``register`` the register pages, connecting one through ``central()``."""
    site = Site(access, bench)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodySizeLimit, max_bytes=bench.limits.max_file_bytes + UPLOAD_MARGIN)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not access.host_ok(request.headers.get("host")):
            return secured(HTMLResponse("Nem engedélyezett cím.", status_code=400))
        if request.url.path not in _OPEN and access.csrf_of(request.cookies.get(COOKIE)) is None:
            return secured(
                site.refusal(request, 403, "Belépés szükséges",
                             "A munkapadot az indításkor kiírt címen nyissa meg "
                             "(kkod employer serve).")
            )  # fmt: skip
        return secured(await call_next(request))

    @app.exception_handler(FormRefused)
    def form_refused(request: Request, _: FormRefused) -> HTMLResponse:
        return secured(
            site.refusal(request, 403, "Lejárt űrlap",
                         "Töltse be újra az oldalt, és küldje el újra.")
        )  # fmt: skip

    @app.get("/belepes")
    def enter(t: str = "") -> Response:
        cookie = access.open_session(t)
        if cookie is None:
            return HTMLResponse("Érvénytelen belépési cím.", status_code=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    app.include_router(table_router(site))
    app.include_router(register_router(site, register, central))
    return app
