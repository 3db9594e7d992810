"""What the workbench's pages share, on the shared web frame (:mod:`kkod.web.shared`): its
templates (``base.html``, ``forms.html``), static files and security headers; the local
session standing in for a staff login (one officer, no password: the start token); the
CSRF check of every form."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse

from kkod.employer.workbench import Workbench
from kkod.hungarian import with_article
from kkod.visible import visible
from kkod.web.employer.access import COOKIE, Access
from kkod.web.shared.site import WebSite

NAV = [("Feltöltés", "/"), ("Megfeleltetés", "/megfeleltetes"),
       ("Ellenőrzés és döntések", "/ellenorzes"), ("Nyilvántartás", "/nyilvantartas")]  # fmt: skip


class FormRefused(Exception):
    """A form without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class LocalUser:
    display_name: str
    username: str


@dataclass(frozen=True, slots=True)
class LocalSession:
    """What ``base.html`` shows of a session: the user (the one who started the server)
    and the CSRF token of the forms."""

    user: LocalUser
    csrf_token: str


@dataclass
class Site:
    access: Access
    bench: Workbench

    def __post_init__(self) -> None:
        self.web = WebSite(
            app_name="Munkapad", home="/", nav=NAV, templates=Path(__file__).with_name("templates")
        )
        self.web.env.filters["visible"] = lambda value: visible(value or "", spaces=True)
        self.web.env.filters["with_article"] = with_article

    def session(self, request: Request) -> LocalSession | None:
        csrf = self.access.csrf_of(request.cookies.get(COOKIE))
        if csrf is None:
            return None
        who = self.bench.who
        return LocalSession(LocalUser(who, who), csrf)

    def page(
        self, request: Request, name: str, status: int = 200, errors=(), **values
    ) -> HTMLResponse:
        """The template ``name`` in the shared frame; ``errors`` are (field id, message)."""
        session = self.session(request)
        html = self.web.env.get_template(name).render(
            site=self.web, session=session, csrf_token=session.csrf_token if session else "",
            path=request.url.path, errors=list(errors), source=self.bench.source_name,
            **values,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    def refusal(self, request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return self.page(request, "hiba.html", status, title=title, message=message)

    def checked(self, request: Request, csrf: str) -> None:
        """Every form carries the session's CSRF token; :class:`FormRefused` otherwise."""
        if not self.access.form_ok(request.cookies.get(COOKIE), csrf):
            raise FormRefused
