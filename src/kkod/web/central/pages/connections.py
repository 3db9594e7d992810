"""Kapcsolatok: this office's connections (code, how made, when, request reference), newest
first, searched by code, a page at a time, and the whole list (or the search) as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from kkod.central.codes import searchable
from kkod.central.connections import ConnectionEntry, search_connections
from kkod.central.interface import VIA_WORDS
from kkod.hungarian import moment
from kkod.reports import csv_safe
from kkod.web.central.context import CentralContext
from kkod.web.central.pages.office import Staff, StaffOffice
from kkod.web.shared.site import render

router = APIRouter()
PATH = "/kapcsolatok"
CSV_PATH = "/kapcsolatok.csv"
PAGE_SIZE = 50
CSV_CHUNK = 1000
CSV_HEADERS = ("Kapcsolati kód", "Létrehozva", "Módja", "Kérelem hivatkozása", "Fiók")

CodeQuery = Annotated[str, Query(alias="kod", max_length=40)]
PageQuery = Annotated[int, Query(alias="oldal", ge=1, le=1_000_000)]


def row_words(entry: ConnectionEntry) -> tuple[str, str, str, str, str]:
    """One connection as the page and the CSV show it."""
    return (
        entry.code,
        moment(entry.created_at),
        VIA_WORDS.get(entry.via, entry.via),
        entry.reference or "",
        "aktív" if entry.active else "megszűnt",
    )


def _search(ctx: CentralContext, office: StaffOffice, code: str, page: int):
    with ctx.engine.begin() as conn:
        entries, total = search_connections(
            conn, office.id, code, (page - 1) * PAGE_SIZE, PAGE_SIZE
        )
        office.audit(conn, "web.connections", f"items={len(entries)}")
    return entries, total


@router.get(PATH, response_class=HTMLResponse)
async def connections(
    request: Request, office: Staff, kod: CodeQuery = "", oldal: PageQuery = 1
) -> HTMLResponse:
    code = searchable(kod)
    ctx = request.app.state.central
    entries, total = await run_in_threadpool(_search, ctx, office, code, oldal)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "connections.html",
        title="Kapcsolatok",
        office=office,
        rows=[row_words(e) for e in entries],
        total=total,
        page=min(oldal, pages),
        pages=pages,
        search=kod.strip(),
        code=code,
        headers=CSV_HEADERS,
    )


@router.get(CSV_PATH)
async def connections_csv(
    request: Request, office: Staff, kod: CodeQuery = ""
) -> StreamingResponse:
    """All of the office's connections (or those the search finds) as a CSV file (UTF-8 with
    BOM, semicolons: Excel opens it as it is); a field that looks like a formula stays text."""
    ctx = request.app.state.central
    code = searchable(kod)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        _csv_lines(ctx, office, code),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="kapcsolatok-{office.krid}-{stamp}.csv"'
        },
    )


def _csv_lines(ctx: CentralContext, office: StaffOffice, code: str) -> Iterator[bytes]:
    yield "\ufeff".encode()
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow(CSV_HEADERS)
    offset, written = 0, 0
    while True:
        with ctx.reader.connect() as conn:
            entries, _ = search_connections(conn, office.id, code, offset, CSV_CHUNK)
        for entry in entries:
            out.writerow([csv_safe(value) for value in row_words(entry)])
        written += len(entries)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        if len(entries) < CSV_CHUNK:
            break
        offset += CSV_CHUNK
    with ctx.engine.begin() as conn:
        office.audit(conn, "web.connections_csv", f"items={written}")
