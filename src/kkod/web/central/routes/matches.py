"""Bulk match-and-issue by match keys, for the ministry's worker: binary in, one line a key out.

The request body is the keys end to end, 16 bytes each (an all-zero key stands for a row
that could not be read as 4T: HIBAS_SOR); the answer is one ASCII line per key, in order:
the compact code for KOD, else the result's name. 100,000 keys are 1.6 MB in and about
1.8 MB out, parsed with one split on either side. Issuing is idempotent: a retried request
gets the same codes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kkod.central.interface import MatchResult, Via
from kkod.central.models import MATCH_KEY_BYTES
from kkod.web.central.deps import Authenticated, Context, MinistryOffice
from kkod.web.central.problems import UNKNOWN_OFFICE
from kkod.web.shared.problems import (
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION,
    FieldError,
    Problem,
    problems,
)

router = APIRouter(prefix="/api/v1/offices/{krid}", tags=["Tömeges egyeztetés"])

KEYS_MEDIA_TYPE = "application/octet-stream"
OUTCOMES_MEDIA_TYPE = "text/plain; charset=us-ascii"
NO_KEY = bytes(MATCH_KEY_BYTES)
_LINES = {result: result.value.encode() for result in MatchResult if result is not MatchResult.KOD}


@router.post(
    "/matches",
    summary="Tömeges egyeztetés és kódkiadás egyeztetési kulcsokkal",
    response_class=Response,
    responses={
        200: {
            "description": "Kulcsonként egy sor, a kérés sorrendjében: KOD esetén a tömör "
            "kapcsolati kód (17 jel), egyébként az eredmény neve (NINCS_TALALAT, "
            "TOBB_TALALAT, HIBAS_SOR).",
            "content": {OUTCOMES_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        **problems(401, 403, UNKNOWN_OFFICE, 413, 415, 422, 429),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Egyeztetési kulcsok egymás után, kulcsonként 16 bájt; a csupa "
            "nulla kulcs a nem olvasható sor (HIBAS_SOR).",
            "content": {KEYS_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def match_and_issue(
    request: Request,
    office: MinistryOffice,
    call: Authenticated,
    ctx: Context,
    reference: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[\w./:-]+$",
            description="A minisztériumi kérelem hivatkozása (a kapcsolatoknál és a naplóban).",
        ),
    ] = None,
) -> Response:
    """A minisztérium feldolgozója ezzel egyeztet egy táblázatnyi sort (darabokban): a
    kulcsok 4T értéket nem hordoznak. Csak a minisztérium kulcsával."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != KEYS_MEDIA_TYPE:
        raise Problem(UNSUPPORTED_MEDIA_TYPE, f"A kérés törzse {KEYS_MEDIA_TYPE} kell legyen.")
    body = await request.body()
    if len(body) % MATCH_KEY_BYTES:
        raise Problem(
            VALIDATION,
            "A kérés törzse nem egész számú egyeztetési kulcs.",
            errors=[
                FieldError(
                    "body",
                    "record-length",
                    f"A törzs hossza {MATCH_KEY_BYTES} bájt többszöröse kell legyen.",
                )
            ],
        )
    keys = [
        None if key == NO_KEY else key
        for key in (body[i : i + MATCH_KEY_BYTES] for i in range(0, len(body), MATCH_KEY_BYTES))
    ]
    outcomes = await run_in_threadpool(
        ctx.central.match_and_issue,
        office.krid,
        keys,
        via=Via.BULK,
        reference=reference,
        actor=call.principal.actor,
    )
    call.audited = True  # match_and_issue audits the chunk (counts, reference, the key)
    lines = _LINES
    text = b"\n".join(
        outcome.code.replace("-", "").encode() if outcome.code else lines[outcome.result]
        for outcome in outcomes
    )
    return Response(text + b"\n" if outcomes else b"", media_type=OUTCOMES_MEDIA_TYPE)
