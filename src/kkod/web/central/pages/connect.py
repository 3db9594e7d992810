"""Kapcsolat létrehozása: the five 4T fields, checked by the validator's rules on
"Ellenőrzés", connected on "Kapcsolat létrehozása"; the answer is the code or the reason.

4T travels only in the POST's body and comes back only in its answer (never a redirect,
a URL or a log line); the page is not cached (``no-store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult, Outcome, Via
from kkod.central.person_request import check_person_request
from kkod.central.ratelimit import take
from kkod.fourt.model import Finding, Person4T
from kkod.table.layout import BY_FIELD, DATE_PATTERN_HINT
from kkod.web.central.context import CentralContext
from kkod.web.central.pages.office import Staff, StaffOffice
from kkod.web.shared.sessions import CheckedForm
from kkod.web.shared.site import render

router = APIRouter()
PATH = "/kapcsolat"
MAX_CHARS = 200

HINTS = {
    "viselt_nev": "Ahogy a személyi igazolványában szerepel, pl. Kovács Péter.",
    "szuletesi_nev": "Ha nem változott, ugyanaz, mint a viselt név.",
    "anyja_szuletesi_neve": "Az anyja születéskori neve, pl. Szabó Mária.",
    "szuletesi_hely": "Településnév; Budapesten a kerület számával, pl. Budapest 11.",
    "szuletesi_ido": f"{DATE_PATTERN_HINT}, pl. 1985.03.12.",
}
FIELDS = [(name, BY_FIELD[name].header, HINTS[name]) for name in Person4T.FIELDS]


@dataclass
class Checked:
    """The form's 4T and what the rules say about each field."""

    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    notes: dict[str, list[str]] = field(default_factory=dict)  # warnings and suggestions
    key: bytes | None = None


def _message(finding: Finding) -> str:
    if finding.suggestion and finding.suggestion != finding.value:
        return f"{finding.message} Javaslat: {finding.suggestion}"
    return finding.message


def check_form(form: FormData, today: date) -> Checked:
    """The 4T of ``form`` checked by :func:`check_person_request` (the API's and the
    validator's rules); an over-long field is an error of its own."""
    raw = {name: form.get(name) for name, _, _ in FIELDS}
    values = {name: (v.strip() if isinstance(v, str) else "") for name, v in raw.items()}
    checked = Checked({name: v[:MAX_CHARS] for name, v in values.items()})
    too_long = [name for name, v in values.items() if len(v) > MAX_CHARS]
    if too_long:
        checked.errors = [(n, f"Legfeljebb {MAX_CHARS} karakter lehet.") for n in too_long]
        return checked
    result = check_person_request(Person4T(*(values[n] for n in Person4T.FIELDS)), today)
    fields = set(Person4T.FIELDS)
    for finding in result.errors:
        checked.errors.append((_field(finding, fields), _message(finding)))
    for finding in result.warnings:
        checked.notes.setdefault(_field(finding, fields), []).append(_message(finding))
    checked.key = result.key
    return checked


def _field(finding: Finding, fields: set[str]) -> str:
    """The form field a finding is about (a finding on the whole row: the first field)."""
    return finding.column if finding.column in fields else Person4T.FIELDS[0]


@router.get(PATH, response_class=HTMLResponse)
async def connect_form(request: Request, office: Staff) -> HTMLResponse:
    return _form(request, office, Checked({name: "" for name, _, _ in FIELDS}))


def _form(
    request: Request, office: StaffOffice, checked: Checked, *, ok: bool = False, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "connect.html",
        status=status,
        title="Kapcsolat létrehozása",
        office=office,
        fields=FIELDS,
        values=checked.values,
        errors=checked.errors,
        notes=checked.notes,
        checked_ok=ok,
    )


@router.post(PATH, response_class=HTMLResponse)
async def connect(request: Request, office: Staff, form: CheckedForm) -> HTMLResponse:
    checked = check_form(form, date.today())
    if checked.errors or form.get("action") != "connect":
        return _form(request, office, checked, ok=not checked.errors)
    ctx: CentralContext = request.app.state.central
    outcome, retry_after = await run_in_threadpool(_connect, ctx, office, checked.key)
    if outcome is None:
        return render(
            request,
            "error.html",
            status=429,
            title="Túl sok kérés",
            message="A hivatali kapu elérte a percenkénti kapcsolási korlátot. Próbálja újra "
            f"{retry_after} másodperc múlva (az adatokat újra be kell írnia).",
        )
    return render(
        request,
        "connect_result.html",
        title="Kapcsolati kód" if outcome.result is MatchResult.KOD else "Nincs kapcsolati kód",
        office=office,
        outcome=outcome,
        explanation=EXPLANATION[outcome.result],
        next_step=NEXT_STEP[outcome.result],
        notes=[note for field_notes in checked.notes.values() for note in field_notes],
    )


def _connect(
    ctx: CentralContext, office: StaffOffice, key: bytes | None
) -> tuple[Outcome | None, int]:
    """Connect in one transaction, counted against the office's connect limit (the API's)."""
    with ctx.engine.begin() as conn:
        decision = take(conn, f"connect:{office.krid}", ctx.connect_rate)
        if not decision.allowed:
            office.audit(conn, "web.connect", "status=429")
            return None, decision.retry_after
        outcome = ctx.central.connect_in(conn, office.id, office.krid, key, via=Via.WEB)
        office.audit(conn, "web.connect", f"result={outcome.result.value}")
    return outcome, 0
