"""The login and logout pages every party's site shares (user name, password, TOTP code)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from kkod.logins.store import LoginOutcome, Refusal
from kkod.web.shared.deps import client_address
from kkod.web.shared.sessions import (
    LOGIN_CSRF_COOKIE,
    CheckedForm,
    checked_login_form,
    current_session,
    logins,
    new_login_token,
    session_cookie,
    set_cookie,
    text_field,
)
from kkod.web.shared.site import LOGIN_PATH, LOGOUT_PATH, render, site_of

router = APIRouter(include_in_schema=False)


@router.get(LOGIN_PATH, response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    if await current_session(request) is not None:
        return RedirectResponse(site_of(request).home, status_code=303)  # type: ignore[return-value]
    return _login_form(request)


def _login_form(request: Request, errors=(), values=None, status: int = 200) -> HTMLResponse:
    token = new_login_token()
    response = render(
        request,
        "login.html",
        status=status,
        title="Bejelentkezés",
        errors=list(errors),
        values=values or {},
        login_token=token,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, path=LOGIN_PATH)
    return response


@router.post(LOGIN_PATH, response_class=HTMLResponse)
async def login(
    request: Request, form: Annotated[FormData, Depends(checked_login_form)]
) -> HTMLResponse:
    site = site_of(request)
    values = {name: text_field(form, name) for name in ("realm", "username")}
    password, code = text_field(form, "password", 1000), text_field(form, "code", 20)
    missing = _missing(site, values, password, code)
    if missing:
        return _login_form(request, missing, values)
    outcome: LoginOutcome = await run_in_threadpool(
        _login, request, values["realm"], values["username"], password, code
    )
    if outcome.token is None:
        return _login_form(
            request,
            [("username", _REFUSALS[outcome.refusal](outcome))],
            values,
            status=429 if outcome.refusal is Refusal.THROTTLED else 200,
        )
    response = RedirectResponse(site.home, status_code=303)
    set_cookie(response, request, session_cookie(request), outcome.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response  # type: ignore[return-value]


def _login(request: Request, realm_text: str, username: str, password: str, code: str):
    site = site_of(request)
    realm = site.resolve_realm(realm_text) if site.resolve_realm else ""
    return logins(request).login(realm, username, password, code, client_address(request))


def _missing(site, values, password: str, code: str) -> list[tuple[str, str]]:
    errors = []
    if site.realm_label and not values["realm"]:
        errors.append(("realm", f"Töltse ki ezt a mezőt: {site.realm_label}."))
    if not values["username"]:
        errors.append(("username", "Adja meg a felhasználónevét."))
    if not password:
        errors.append(("password", "Adja meg a jelszavát."))
    if not code:
        errors.append(("code", "Adja meg a hitelesítő alkalmazás által mutatott 6 jegyű kódot."))
    return errors


_REFUSALS = {
    Refusal.WRONG: lambda _o: (
        "A megadott adatokkal nem lehet bejelentkezni. Ellenőrizze a felhasználónevet, a "
        "jelszót és a hitelesítő alkalmazás friss kódját (egy kód csak egyszer használható)."
    ),
    Refusal.LOCKED: lambda o: (
        "Túl sok sikertelen próbálkozás miatt a felhasználót ideiglenesen zároltuk. Próbálja "
        f"újra {max(1, o.retry_after // 60)} perc múlva, vagy kérje a rendszergazdától a feloldást."
    ),
    Refusal.THROTTLED: lambda o: (
        "Erről a címről túl sok bejelentkezési kísérlet érkezett. Próbálja újra "
        f"{o.retry_after} másodperc múlva."
    ),
}


@router.post(LOGOUT_PATH)
async def logout(request: Request, _form: CheckedForm) -> RedirectResponse:
    token = request.cookies.get(session_cookie(request), "")
    await run_in_threadpool(logins(request).logout, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(session_cookie(request), path="/")
    return response
