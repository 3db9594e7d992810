"""The workbench app: a session opened by the start token, every page behind it (the table
pages, the register pages), the loopback host checked, uploads within the table limits,
the shared frame's static files and security headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from kkod.central.interface import Central
from kkod.employer.workbench import Workbench
from kkod.web.employer.access import COOKIE, Access
from kkod.web.employer.register_pages import register_router
from kkod.web.employer.site import FormRefused, Site
from kkod.web.employer.table_pages import table_router
from kkod.web.shared.limits import BodySizeLimit
from kkod.web.shared.security import STATIC_PREFIX, SecurityHeaders
from kkod.web.shared.site import SHARED

UPLOAD_MARGIN = 64 * 1024  # the form's other fields and boundaries around the file
_OPEN = ("/belepes", STATIC_PREFIX)


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
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=SHARED / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not access.host_ok(request.headers.get("host")):
            return HTMLResponse("Nem engedélyezett cím.", status_code=400)
        if not request.url.path.startswith(_OPEN) and site.session(request) is None:
            return site.refusal(request, 403, "Belépés szükséges",
                                "A munkapadot az indításkor kiírt címen nyissa meg "
                                "(kkod employer serve).")  # fmt: skip
        return await call_next(request)

    app.add_middleware(BodySizeLimit, max_bytes=bench.limits.max_file_bytes + UPLOAD_MARGIN)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(FormRefused)
    def form_refused(request: Request, _: FormRefused) -> HTMLResponse:
        return site.refusal(request, 403, "Az űrlapot nem fogadtuk el",
                            "Az űrlap lejárt, vagy nem ebből az alkalmazásból küldték. Töltse "
                            "be újra az oldalt, és küldje el ismét.")  # fmt: skip

    @app.get("/belepes")
    def enter(t: str = "") -> Response:
        cookie = access.open_session(t)
        if cookie is None:
            return HTMLResponse("Érvénytelen belépési cím.", status_code=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    @app.post("/kijelentkezes")
    def leave(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        site.checked(request, csrf_token)
        access.close_session(request.cookies.get(COOKIE))
        response = site.refusal(request, 200, "Kijelentkezett",
                                "A munkapad munkamenete véget ért. Újra a kiírt címen léphet be, "
                                "amíg a kiszolgáló fut.")  # fmt: skip
        response.delete_cookie(COOKIE, path="/")
        return response

    app.include_router(table_router(site))
    app.include_router(register_router(site, register, central))
    return app
