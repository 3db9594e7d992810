"""Putting the shared frame on an app: static files, the login pages, the HTML answers to
errors, and the security headers (:func:`install_site`)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kkod.web.shared.login import router as login_router
from kkod.web.shared.problems import http_problem, validation_problem
from kkod.web.shared.security import STATIC_PREFIX, SecurityHeaders
from kkod.web.shared.sessions import CsrfRefused, LoginRequired, current_session
from kkod.web.shared.site import LOGIN_PATH, SHARED, WebSite, render


def install_site(app: FastAPI, site: WebSite) -> None:
    """The shared pages (login, logout, errors), static files and security headers on ``app``.

    Call it after the app's problem handlers (it takes over their answers for pages).
    """
    app.state.site = site
    app.state.session_cookie = site.session_cookie
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=SHARED / "static"), name="static")
    app.include_router(login_router)

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse(site.home, status_code=303)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _error: LoginRequired) -> RedirectResponse:
        return RedirectResponse(LOGIN_PATH, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _error: CsrfRefused) -> HTMLResponse:
        await current_session(request)
        return render(
            request,
            "error.html",
            status=403,
            title="Az űrlapot nem fogadtuk el",
            message="Az űrlap lejárt, vagy nem ebből az alkalmazásból küldték. Töltse be újra "
            "az oldalt, és küldje el ismét.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException):
        if request.url.path.startswith(site.api_prefixes):
            return http_problem(error)
        await current_session(request)
        message = {
            404: "Ez az oldal nem létezik. A menüből válassza ki, mit szeretne tenni.",
            405: "Ezt az oldalt így nem lehet megnyitni. A menüből válassza ki, mit szeretne tenni.",
        }.get(error.status_code, "A kérést nem lehetett teljesíteni.")
        return render(
            request, "error.html", status=error.status_code, title="Hiba", message=message
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError):
        if request.url.path.startswith(site.api_prefixes):
            return validation_problem(error)
        await current_session(request)
        return render(
            request,
            "error.html",
            status=400,
            title="Hibás cím",
            message="A cím (URL) paraméterei hibásak. A menüből nyissa meg újra az oldalt.",
        )

    app.add_middleware(SecurityHeaders, csp_exempt=site.csp_exempt)
