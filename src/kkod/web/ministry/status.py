"""``GET /allapot/{token}``: the status page of one request, for whoever holds its link.

HTML for a browser, JSON for ``Accept: application/json`` (``kkod employer status``). An
unknown token is a plain 404 page; each client address may look a limited number of times
a minute (``KKOD_STATUS_VIEWS_PER_MINUTE``, counted in the ministry's database). The token is never logged (the access log
names the route's template only).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kkod.central.ratelimit import Rate, take
from kkod.ministry.status import public_status
from kkod.web.shared.deps import app_settings, client_address
from kkod.web.shared.site import render

router = APIRouter()
# The employer reads this page: it names the procedure, not the ministry's console, and links
# nowhere inside the console.
PUBLIC_NAME = "Kapcsolati kódok igénylése – a kérelem állapota"


def _wait(request: Request) -> int:
    """Seconds this client must wait before looking again (0: go on), counted in the
    ministry's database like the console's logins, so the limit holds across processes."""
    rate = Rate(app_settings(request).status_views_per_minute)
    with request.app.state.store.engine.begin() as conn:
        decision = take(
            conn, f"status:{client_address(request)}", rate, table="ministry_rate_limits"
        )
    return 0 if decision.allowed else decision.retry_after


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(request: Request, status_code: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request, "status_error.html", status=status_code, title=title, detail=detail,
        public_name=PUBLIC_NAME,
    )  # fmt: skip


@router.get("/allapot/{token}", include_in_schema=False)
def status_page(token: str, request: Request) -> Response:
    """The request's status history, its rejection reason or its counts."""
    wait = _wait(request)
    if wait:
        detail = f"Túl sok lekérdezés erről a címről. Próbálja újra {wait} másodperc múlva."
        if _wants_json(request):
            response = JSONResponse({"detail": detail}, status_code=429)
        else:
            response = _page(request, 429, "Túl sok lekérdezés", detail)
        response.headers["Retry-After"] = str(wait)
        return response
    found = public_status(request.app.state.store, token)
    if found is None:
        detail = (
            "Ehhez a hivatkozáshoz nem tartozik kérelem. Ellenőrizze, hogy a teljes hivatkozást "
            "másolta-e ki a visszaigazoló levélből."
        )
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=404)
        return _page(request, 404, "Nincs ilyen kérelem", detail)
    if _wants_json(request):
        return JSONResponse(found.model_dump(mode="json"))
    return render(
        request, "status.html", title=f"{found.reference} állapota", found=found,
        public_name=PUBLIC_NAME,
    )  # fmt: skip
