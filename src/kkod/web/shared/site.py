"""A party's web pages on the shared frame: templates, static files, login, errors, headers.

An app describes itself with a :class:`WebSite` and calls
:func:`kkod.web.shared.install.install_site`; its routes
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
from fastapi import Request
from fastapi.responses import HTMLResponse

from kkod.web.shared.security import STATIC_PREFIX

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
