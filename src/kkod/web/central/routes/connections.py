"""Connect one person (by 4T or by match key) and list the office's connections."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from kkod.central.connections import MAX_PAGE, connections_after
from kkod.central.interface import EXPLANATION, NEXT_STEP, Outcome, Via
from kkod.central.models import MATCH_KEY_BYTES
from kkod.central.person_request import check_person_request
from kkod.fourt.model import Finding, Person4T
from kkod.web.central.context import CentralContext
from kkod.web.central.deps import (
    Authenticated,
    Caller,
    Context,
    KeyHolder,
    KridPath,
    OwnOffice,
    Reach,
    limited_write,
)
from kkod.web.central.problems import UNKNOWN_OFFICE
from kkod.web.central.schemas import (
    ConnectionOut,
    ConnectionPage,
    ConnectOut,
    FindingOut,
    MatchKeyIn,
    Person4TIn,
)
from kkod.web.shared.problems import VALIDATION, FieldError, Problem, problems

router = APIRouter(prefix="/api/v1/offices/{krid}", tags=["Kapcsolatok"])


@router.post(
    "/connections",
    response_model=ConnectOut,
    summary="Egy személy kapcsolása 4T adatokkal",
    responses=problems(401, 403, 413, 422, 429),
)
async def connect_person(
    person: Person4TIn, krid: KridPath, call: KeyHolder, ctx: Context
) -> ConnectOut:
    """A dokumentumkezelő rendszer modulja ezzel kapcsol egy dolgozót: a 4T adatokat a
    `kkod validate` szabályai szerint ellenőrzi (hiba → 422, mezőnként a szabállyal),
    kanonikus alakra hozza és egyezteti. Ugyanarra a 4T-re mindig ugyanaz a kód; közeli
    találatot soha nem mutat. A hivatali kapu percenkénti kéréskorlátja vonatkozik rá (a
    422-vel elutasított kérés nem számít bele)."""
    return await run_in_threadpool(_connect_person, ctx, call, krid, person)


def _connect_person(ctx: CentralContext, call: Caller, krid: str, person: Person4TIn) -> ConnectOut:
    check = check_person_request(
        Person4T(
            person.viselt_nev,
            person.szuletesi_nev,
            person.anyja_szuletesi_neve,
            person.szuletesi_hely,
            person.szuletesi_ido,
        ),
        date.today(),
    )
    invalid = None
    if check.errors:
        invalid = Problem(
            VALIDATION,
            f"A 4T adatok közül {len({f.column for f in check.errors})} mező hibás; "
            "az `errors` lista mezőnként megnevezi a szabályt.",
            errors=[FieldError(f.column, f.rule, f.message) for f in check.errors],
        )
    outcome = _connect(ctx, call, krid, Reach.OWN, check.key, invalid)
    return _connect_out(outcome, check.warnings)


@router.post(
    "/connections/by-match-key",
    response_model=ConnectOut,
    summary="Egy személy kapcsolása egyeztetési kulccsal",
    responses=problems(401, 403, UNKNOWN_OFFICE, 413, 422, 429),
)
async def connect_by_match_key(
    body: MatchKeyIn, krid: KridPath, call: KeyHolder, ctx: Context
) -> ConnectOut:
    """Ugyanaz, mint a 4T-s kapcsolás, de a 4T helyett csak a kanonikus 4T egyeztetési
    kulcsa érkezik (a kkod munkáltatói és minisztériumi kliense így kapcsol: 4T nem hagyja
    el a gépét). Hivatali kapu kulcsával a sajátjára, a minisztérium kulcsával bármelyikre."""
    outcome = await run_in_threadpool(_connect_by_match_key, ctx, call, krid, body.match_key)
    return _connect_out(outcome, [])


def _connect_by_match_key(
    ctx: CentralContext, call: Caller, krid: str, text: str | None
) -> Outcome:
    try:
        key, invalid = _match_key(text), None
    except Problem as problem:  # told once the key and the office are checked
        key, invalid = None, problem
    return _connect(ctx, call, krid, Reach.ANY, key, invalid)


def _match_key(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != MATCH_KEY_BYTES:
        raise Problem(
            VALIDATION,
            "Az egyeztetési kulcs nem olvasható.",
            errors=[
                FieldError(
                    "match_key",
                    "base64-16",
                    f"Pontosan {MATCH_KEY_BYTES} bájt base64 kódolással (24 jel).",
                )
            ],
        )
    return key


def _connect(
    ctx: CentralContext,
    call: Caller,
    krid: str,
    reach: Reach,
    key: bytes | None,
    invalid: Problem | None = None,
) -> Outcome:
    rate = ctx.connect_rate
    with limited_write(ctx, call, krid, reach, "connect", rate, invalid=invalid) as (conn, office):
        outcome = ctx.central.connect_in(conn, office.id, office.krid, key, via=Via.API)
        call.audit(conn, f"result={outcome.result.value}")
    return outcome


def _connect_out(outcome: Outcome, warnings: list[Finding]) -> ConnectOut:
    return ConnectOut(
        result=outcome.result,
        code=outcome.code,
        explanation=EXPLANATION[outcome.result],
        next_step=NEXT_STEP[outcome.result],
        warnings=[FindingOut(field=f.column, rule=f.rule, message=f.message) for f in warnings],
    )


@router.get(
    "/connections",
    response_model=ConnectionPage,
    summary="A hivatali kapu kapcsolatai, lapozva",
    responses=problems(401, 403, 422, 429),
)
def list_connections(
    office: OwnOffice,
    call: Authenticated,
    ctx: Context,
    after: Annotated[
        int, Query(ge=0, description="Az előző lap `next_after` értéke; először 0.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Egy lap mérete.")] = 100,
) -> ConnectionPage:
    """A hivatali kapu kapcsolatai létrejöttük sorrendjében, `after` után (a dokumentum-
    kezelő rendszer így követi a nyilvántartását): kód, létrejötte, módja, és hogy a fiók
    aktív-e. Más hivatali kapu kapcsolatai soha nem látszanak."""
    with ctx.engine.begin() as conn:
        entries = connections_after(conn, office.id, after, limit)
        call.audit(conn, f"status=200 items={len(entries)}")
    items = [
        ConnectionOut(
            cursor=e.cursor,
            code=e.code,
            created_at=e.created_at,
            via=e.via,
            reference=e.reference,
            active=e.active,
        )
        for e in entries
    ]
    return ConnectionPage(
        items=items, next_after=entries[-1].cursor if len(entries) == limit else None
    )
