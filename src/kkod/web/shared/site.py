"""A party's web pages on the shared frame: templates, static files, login, errors, headers.

An app describes itself with a :class:`WebSite` and calls :func:`install_site`; its routes
render with :func:`render`, take the signed-in user from ``SignedIn`` and POSTed forms from
``CheckedForm`` (:mod:`kkod.web.shared.sessions`). Its lifespan puts a
:class:`kkod.logins.store.Logins` at ``app.state.logins``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kkod.web.shared.problems import http_problem, validation_problem
from kkod.web.shared.security import STATIC_PREFIX, SecurityHeaders
from kkod.web.shared.sessions import CsrfRefused, LoginRequired, current_session

SHARED = Path(__file__).parent
LOGIN_PATH = "/bejelentkezes"
LOGOUT_PATH = "/kijelentkezes"


@dataclass(frozen=True)
class WebSite:
    """What a party's pages are: their name, menu, templates and how staff log in."""

    app_name: str  # in the header and every title, e.g. "Hivatali kapu"
    home: str  # where a user lands after logging in
    nav: list[tuple[str, str]]  # the menu: (label, path)
    templates: Path | None = None  # the app's own templates (they may extend "base.html")
    # The login form's extra field naming whose staff the user is (the office), and how its
    # value becomes the user's realm (None: unknown). Without it every user has realm "".
    realm_label: str | None = None
    realm_hint: str = ""
    resolve_realm: Callable[[str], str | None] | None = None
    # Paths not served as pages (the JSON API): their errors stay problem documents.
    api_prefixes: tuple[str, ...] = ("/api/",)
    csp_exempt: tuple[str, ...] = ()
    # Cookies belong to a host, not a port: each app names its own session cookie, so that
    # signing in to one app on a host does not sign the browser out of another.
    session_cookie: str = "kkod_session"
    env: jinja2.Environment = field(init=False, repr=False)

    def __post_init__(self) -> None:
        folders = [self.templates] if self.templates else []
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([*folders, SHARED / "templates"]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals.update(site=self, static=lambda name: STATIC_PREFIX + name)
        object.__setattr__(self, "env", env)


def site_of(request: Request) -> WebSite:
    return request.app.state.site


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered for this request: the site, the session and its CSRF token known."""
    session = getattr(request.state, "web_session", None)
    context.setdefault("title", "")
    context.setdefault("errors", [])
    html = (
        site_of(request)
        .env.get_template(template)
        .render(
            request=request,
            session=session,
            csrf_token=session.csrf_token if session else context.pop("login_token", ""),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def install_site(app: FastAPI, site: WebSite) -> None:
    """The shared pages (login, logout, errors), static files and security headers on ``app``.

    Call it after the app's problem handlers (it takes over their answers for pages).
    """
    from kkod.web.shared.login import router as login_router

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
