"""What the workbench's pages share: the templates (Jinja2, autoescape on), the session's CSRF
token in every form and its check, the refusal page, the security headers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader

from kkod.employer.workbench import Workbench
from kkod.hungarian import with_article
from kkod.visible import visible
from kkod.web.employer.access import COOKIE, Access

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class FormRefused(Exception):
    """A form without the session's CSRF token."""


@dataclass
class Site:
    access: Access
    bench: Workbench

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True
        )
        self.env.filters["visible"] = lambda value: visible(value or "", spaces=True)
        self.env.filters["with_article"] = with_article

    def page(self, request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
        """The template ``name`` with the session's CSRF token and the upload's name."""
        csrf = self.access.csrf_of(request.cookies.get(COOKIE)) or ""
        html = self.env.get_template(name).render(
            csrf=csrf, source=self.bench.source_name, **values
        )
        return HTMLResponse(html, status_code=status)

    def refusal(self, request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return self.page(request, "hiba.html", status, title=title, message=message, step="")

    def checked(self, request: Request, csrf: str) -> None:
        """Every form carries the session's CSRF token; :class:`FormRefused` otherwise."""
        if not self.access.form_ok(request.cookies.get(COOKIE), csrf):
            raise FormRefused


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
