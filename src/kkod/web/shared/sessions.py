"""The session cookie and the dependencies of every page: who is signed in, and forms whose
CSRF token matches the session's.

The cookie holds only an opaque random token (``HttpOnly``, ``SameSite=Strict``, ``Secure``
over TLS); the session itself lives in the party's database (:mod:`kkod.logins.store`).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from kkod.logins.store import Logins, WebSession

SESSION_COOKIE = "kkod_session"
LOGIN_CSRF_COOKIE = "kkod_login_csrf"  # the login form has no session yet: double submit
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No live session: the page answers with the login page (:mod:`kkod.web.shared.site`)."""


class CsrfRefused(Exception):
    """A form without this session's CSRF token, or sent from another site: refused with 403."""


def logins(request: Request) -> Logins:
    return request.app.state.logins


def session_cookie(request: Request) -> str:
    """The name of this app's session cookie (:attr:`WebSite.session_cookie`)."""
    return getattr(request.app.state, "session_cookie", SESSION_COOKIE)


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, path: str = "/"
) -> None:
    response.set_cookie(
        name, value, path=path, httponly=True, samesite="strict", secure=secure_cookies(request)
    )


async def current_session(request: Request) -> WebSession | None:
    """The request's live session, if any (looked up once per request)."""
    if not hasattr(request.state, "web_session"):
        token = request.cookies.get(session_cookie(request))
        request.state.web_session = (
            await run_in_threadpool(logins(request).session, token) if token else None
        )
    return request.state.web_session


async def signed_in(request: Request) -> WebSession:
    session = await current_session(request)
    if session is None:
        raise LoginRequired()
    return session


SignedIn = Annotated[WebSession, Depends(signed_in)]


def _same_origin(request: Request) -> bool:
    """Nothing the browser says shows the form was sent from another site. (With
    ``Referrer-Policy: no-referrer`` Chromium sends ``Origin: null``; its ``Sec-Fetch-Site``
    still tells.) The CSRF token is checked besides."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin in (None, "null") or origin == f"{request.url.scheme}://{request.url.netloc}"


def tokens_match(sent: object, expected: str | None) -> bool:
    return (
        isinstance(sent, str)
        and bool(expected)
        and hmac.compare_digest(sent.encode(), expected.encode())  # type: ignore[union-attr]
    )


async def checked_form(request: Request, session: SignedIn) -> FormData:
    """The POSTed form of a signed-in user, its CSRF token checked against the session's."""
    form = await request.form()
    if not _same_origin(request) or not tokens_match(form.get(CSRF_FIELD), session.csrf_token):
        raise CsrfRefused()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


async def checked_login_form(request: Request) -> FormData:
    """The login form: its token must match the one its page set in a cookie."""
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not _same_origin(request) or not tokens_match(form.get(CSRF_FIELD), expected):
        raise CsrfRefused()
    return form


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def text_field(form: FormData, name: str, limit: int = 200) -> str:
    """A form field as text, trimmed; an upload or an over-long value counts as empty or cut."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
