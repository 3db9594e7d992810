"""The operators' console pages: the requests, one request, uploading one, and what an operator
decides (resend a reply, approve or reject a hand-signed declaration), each audited.

Every page needs an operator's login; every form its session's CSRF token. Each route calls
the same domain function as the command line (``kkod ministry requests|show|upload|resend|
approve|reject``) and renders its result.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from kkod.errors import KkodError
from kkod.ministry.models import ReplyKind, RequestStatus
from kkod.web.shared.sessions import CheckedForm, SignedIn, text_field
from kkod.web.shared.site import render

router = APIRouter()

HOME = "/kerelmek"
UPLOAD = "/feltoltes"
_REFERENCE = re.compile(r"^KK-\d{4}-\d{6,}$")
_SAFE_NAME = re.compile(r"[^\w.\- ]+")


def _store(request: Request):
    return request.app.state.store


def _central(request: Request):
    state = request.app.state
    if state.central is None:
        state.central = state.open_central()
    return state.central


def _actor(session) -> str:
    return f"kezelő ({session.user.username})"


def _status_named(text: str) -> RequestStatus | None:
    for status in RequestStatus:
        if str(status) == text:
            return status
    return None


# -- the requests -----------------------------------------------------------------------------


@router.get(HOME, response_class=HTMLResponse)
def requests_page(
    request: Request,
    session: SignedIn,
    allapot: Annotated[str, Query(max_length=64)] = "",
    kereses: Annotated[str, Query(max_length=200)] = "",
    oldal: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The requests, newest first: filtered by status, searched by reference or organisation."""
    from kkod.ministry.console import find_requests

    status = _status_named(allapot)
    found = find_requests(_store(request), status=status, text=kereses, page=oldal)

    def page_link(number: int) -> str:
        query = {k: v for k, v in (("allapot", allapot), ("kereses", kereses)) if v}
        return HOME + "?" + urlencode({**query, "oldal": number})

    return render(
        request,
        "requests.html",
        title="Kérelmek",
        found=found,
        statuses=[str(s) for s in RequestStatus],
        chosen=str(status) if status else "",
        search=kereses,
        page_link=page_link,
    )


def _request_or_404(request: Request, reference: str):
    if not _REFERENCE.match(reference):
        raise HTTPException(404)
    found = _store(request).get(reference)
    if found is None:
        raise HTTPException(404)
    return found


def _details(request: Request, found, **context) -> HTMLResponse:
    store = _store(request)
    answer = store.reply_of(found.id)
    return render(
        request,
        "request.html",
        status=context.pop("status_code", 200),
        title=f"Kérelem {found.reference}",
        found=found,
        waiting=found.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR,
        held=found.status
        in (RequestStatus.ALAIRAS_ELLENORZESRE_VAR, RequestStatus.ATTEKINTESRE_VAR),
        acknowledgement=store.reply_of(found.id, ReplyKind.ACKNOWLEDGEMENT),
        answer=answer,
        has_report=answer is not None
        and answer.kind == str(ReplyKind.CODES)
        and answer.raw is not None,
        history=store.status_history(found.id),
        events=store.audit_of(found.id),
        notice=context.pop("notice", None),
        errors=context.pop("errors", []),
        values=context.pop("values", {}),
    )


@router.get(HOME + "/{reference}", response_class=HTMLResponse)
def request_page(request: Request, reference: str, session: SignedIn) -> HTMLResponse:
    """One request: its checks and reason, counts, reply state, status history, audit trail."""
    return _details(request, _request_or_404(request, reference))


@router.get(HOME + "/{reference}/jelentes")
def reason_report(request: Request, reference: str, session: SignedIn) -> Response:
    """The reason report sent with the codes (…-jelentes.xlsx), as the employer got it."""
    from kkod.mail.message import XLSX_TYPE, parse_message

    found = _request_or_404(request, reference)
    answer = _store(request).reply_of(found.id)
    if answer is None or answer.kind != str(ReplyKind.CODES) or answer.raw is None:
        raise HTTPException(404)
    reports = [
        a for a in parse_message(answer.raw).attachments if a.filename.endswith("-jelentes.xlsx")
    ]
    if not reports:
        raise HTTPException(404)
    name = _SAFE_NAME.sub("_", reports[0].filename)
    return Response(
        reports[0].data,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(HOME + "/{reference}/ujrakuldes", response_class=HTMLResponse)
def resend(request: Request, reference: str, form: CheckedForm) -> Response:
    """Send the request's answer again (the same message); audited."""
    from kkod.ministry.console import resend_reply

    found = _request_or_404(request, reference)
    session = request.state.web_session
    try:
        resend_reply(_store(request), found.reference, _actor(session))
    except KkodError as error:
        return _details(request, found, status_code=409, errors=[("resend", error.message)])
    return _details(
        request,
        _store(request).get(found.id),
        notice="A választ a feldolgozó újra elküldi (ugyanazzal az üzenetazonosítóval).",
    )


@router.post(HOME + "/{reference}/jovahagyas", response_class=HTMLResponse)
def approve(request: Request, reference: str, form: CheckedForm) -> Response:
    """Approve a hand-signed declaration (for a scan: KRID, rows and SHA-256 read off the page)."""
    from kkod.ministry.intake import approve_signature

    found = _request_or_404(request, reference)
    values = {name: text_field(form, name, 100) for name in ("krid", "rows", "sha256")}
    rows = None
    if values["rows"]:
        if not values["rows"].isdigit():
            return _details(
                request,
                found,
                status_code=400,
                errors=[("rows", "Az adatsorok száma egész szám.")],
                values=values,
            )
        rows = int(values["rows"])
    try:
        approved = approve_signature(
            found.reference,
            store=_store(request),
            central=_central(request),
            krid=values["krid"] or None,
            rows=rows,
            sha256=values["sha256"] or None,
            actor=_actor(request.state.web_session),
        )
    except KkodError as error:
        return _details(
            request, found, status_code=400, errors=[("krid", error.message)], values=values
        )
    return _details(request, approved, notice="Jóváhagyva: a kérelem feldolgozásra vár.")


@router.post(HOME + "/{reference}/elutasitas", response_class=HTMLResponse)
def reject(request: Request, reference: str, form: CheckedForm) -> Response:
    """Reject a request waiting for the operator, with the reason the sender reads."""
    from kkod.ministry.intake import reject_held_request

    found = _request_or_404(request, reference)
    reason = text_field(form, "reason", 2000)
    if not reason:
        return _details(
            request,
            found,
            status_code=400,
            errors=[("reason", "Adja meg az elutasítás okát: a feladó ezt olvassa.")],
        )
    settings = request.app.state.settings
    try:
        rejected, answered = reject_held_request(
            found.reference,
            reason,
            store=_store(request),
            settings=settings,
            reply=form.get("reply") == "igen" or None,
            actor=_actor(request.state.web_session),
        )
    except KkodError as error:
        return _details(request, found, status_code=400, errors=[("reason", error.message)])
    notice = "Elutasítva. " + (
        "Az elutasító választ a feldolgozó küldi el." if answered else "Válasz nem megy."
    )
    return _details(request, rejected, notice=notice)


# -- uploading a request ----------------------------------------------------------------------


@router.get(UPLOAD, response_class=HTMLResponse)
def upload_page(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "upload.html", title="Kérelem feltöltése", values={})


@router.post(UPLOAD, response_class=HTMLResponse)
async def upload(request: Request, form: CheckedForm) -> Response:
    """A request handed over another way: the same checks as e-mail (not the subject)."""
    sender = text_field(form, "sender", 320)
    errors = []
    files = {}
    for name, label in (
        ("table", "a táblázatot (.xlsx)"),
        ("declaration", "a nyilatkozatot (PDF)"),
    ):
        upload = form.get(name)
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors.append((name, f"Válassza ki {label}."))
        else:
            files[name] = upload
    if "@" not in sender:
        errors.append(("sender", "Adja meg a kérelmező e-mail-címét: a választ oda küldjük."))
    if errors:
        return render(
            request,
            "upload.html",
            status=400,
            title="Kérelem feltöltése",
            errors=errors,
            values={"sender": sender},
        )
    contents = {name: await upload.read() for name, upload in files.items()}
    names = {name: _file_name(upload.filename, name) for name, upload in files.items()}
    try:
        result = await run_in_threadpool(_ingest, request, sender, contents, names)
    except KkodError as error:
        return render(
            request,
            "upload.html",
            status=400,
            title="Kérelem feltöltése",
            errors=[("table", error.message)],
            values={"sender": sender},
        )
    return RedirectResponse(f"{HOME}/{result.request.reference}", status_code=303)


def _file_name(given: str | None, field: str) -> str:
    """The uploaded file's own name, safe for a file in the work folder."""
    default = {"table": "tablazat.xlsx", "declaration": "nyilatkozat.pdf"}[field]
    name = _SAFE_NAME.sub("_", Path(given or "").name).strip(" .")[:120]
    return name or default


def _ingest(request: Request, sender: str, contents: dict, names: dict):
    """The intake's upload path on the files written to a private work folder (removed after)."""
    from kkod.ministry.intake import ingest_upload
    from kkod.workspace import work_folder

    settings = request.app.state.settings
    with work_folder("console", settings.data_dir) as folder:
        paths = {}
        for field, data in contents.items():
            (folder / field).mkdir()
            paths[field] = folder / field / names[field]
            paths[field].write_bytes(data)
        return ingest_upload(
            paths["table"],
            paths["declaration"],
            sender,
            store=_store(request),
            central=_central(request),
            settings=settings,
            actor=f"feltöltés: {_actor(request.state.web_session)}",
        )
