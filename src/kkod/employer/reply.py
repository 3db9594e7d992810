"""Reading the ministry's reply: the returned table (column E filled) and, when attached, its reason report.

A reply arrives as the ``.eml`` the ministry sent or as the bare returned ``.xlsx``. Codes are
checked with the code parser; a malformed code is an error naming the row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kkod.central.interface import MatchResult
from kkod.employer.register import ReplyRow
from kkod.errors import KkodError
from kkod.exchange.reason_report import RowReason, read_reason_report
from kkod.table.layout import CODE_COLUMN

MAX_LISTED_ERRORS = 20


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply ready for import."""

    file_name: str  # the file the user gave
    table_name: str  # the table's own name (the attachment's, for an .eml)
    table_sha256: str  # of the returned table's bytes
    reference: str | None  # the request's Message-ID (In-Reply-To) or the reply's own
    rows: list[ReplyRow]
    report_found: bool


def read_reply(path: Path) -> Reply:
    """Read ``path`` (``.xlsx`` or ``.eml``); raises :class:`KkodError` with a Hungarian message."""
    path = Path(path)
    if not path.is_file():
        raise KkodError(f"A fájl nem található: {path}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = path.read_bytes()
        return _reply_from_table(path.name, path.name, data, None, None)
    if suffix == ".eml":
        return _reply_from_eml(path)
    raise KkodError(
        f"A válasz formátuma nem ismert: {path.name} (lehet .xlsx táblázat vagy .eml levél)."
    )


def _reply_from_eml(path: Path) -> Reply:
    from kkod.mail.message import parse_message

    message = parse_message(path.read_bytes())
    tables = [a for a in message.attachments if a.is_xlsx]
    reasons: dict[int, RowReason] | None = None
    table = None
    for attachment in tables:
        found = _reasons_of(attachment.filename, attachment.data)
        if found is not None:
            reasons = found
        elif table is None and _is_data_table(attachment.data):
            table = attachment
    if reasons is None:
        for attachment in message.attachments:
            if attachment is table or attachment.is_pdf:
                continue
            found = _reasons_of(attachment.filename, attachment.data)
            if found is not None:
                reasons = found
                break
    if table is None:
        raise KkodError(
            f"A levélben ({path.name}) nincs visszaküldött kapcsolati kód adattáblázat (.xlsx). "
            f"Tárgy: „{message.subject}” — lehet, hogy elutasítás; olvassa el a levél szövegét."
        )
    reference = message.in_reply_to or message.message_id
    return _reply_from_table(
        path.name, table.filename or "tablazat.xlsx", table.data, reference, reasons
    )


def _reply_from_table(
    file_name: str,
    table_name: str,
    data: bytes,
    reference: str | None,
    reasons: dict[int, RowReason] | None,
) -> Reply:
    from kkod.central.codes import CodeError, parse_code

    table = _read_table_bytes(table_name, data)
    rows: list[ReplyRow] = []
    problems: list[str] = []
    for table_row in table.rows:
        raw = (table_row.kapcsolati_kod or "").strip()
        code = None
        if raw:
            try:
                code = parse_code(raw)
            except CodeError as error:
                problems.append(
                    f"{table_row.row}. sor, {CODE_COLUMN} oszlop (Kapcsolati kód): „{raw}” — {error.message}"
                )
                continue
        reason = reasons.get(table_row.row) if reasons else None
        rows.append(
            ReplyRow(
                row=table_row.row,
                belso_azonosito=table_row.belso_azonosito,
                person=table_row.person,
                code=code,
                result=MatchResult.KOD if code else (reason.result if reason else None),
                explanation=None if code or reason is None else reason.explanation,
            )
        )
    if problems:
        shown = problems[:MAX_LISTED_ERRORS]
        more = len(problems) - len(shown)
        tail = f"\n… és még {more} hibás kód." if more else ""
        raise KkodError(
            f"A válaszban ({file_name}) hibás kapcsolati kód van, semmit sem importáltam:\n"
            + "\n".join(shown)
            + tail
        )
    _check_unique_ids(file_name, rows)
    return Reply(
        file_name=file_name,
        table_name=table_name,
        table_sha256=hashlib.sha256(data).hexdigest(),
        reference=reference,
        rows=rows,
        report_found=reasons is not None,
    )


def _check_unique_ids(file_name: str, rows: list[ReplyRow]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        key = (row.belso_azonosito or "").strip()
        if not key:
            continue
        if key in seen:
            raise KkodError(
                f"A válaszban ({file_name}) a(z) „{key}” belső azonosító kétszer szerepel "
                f"({seen[key]}. és {row.row}. sor); így nem dönthető el, melyik sor kié. "
                "Semmit sem importáltam."
            )
        seen[key] = row.row


def _with_temp_file(name: str, data: bytes, read: Callable[[Path], object]) -> object:
    """``read`` a copy named like the attachment (so messages name the user's file), made in
    a private work folder under the data folder (:mod:`kkod.workspace`)."""
    from kkod.workspace import work_folder

    safe = Path(name.replace("\\", "/")).name.strip() or "valasz.xlsx"
    with work_folder("reply") as folder:
        path = folder / safe
        path.write_bytes(data)
        return read(path)


def _read_table_bytes(name: str, data: bytes):
    from kkod.table.reader import read_table

    return _with_temp_file(name, data, read_table)


def _is_data_table(data: bytes) -> bool:
    from kkod.table.reader import read_table

    try:
        _with_temp_file("t.xlsx", data, read_table)
    except KkodError:
        return False
    return True


def _reasons_of(name: str, data: bytes) -> dict[int, RowReason] | None:
    """The reason report in an attachment, by Excel row; ``None`` if the attachment is not one."""
    report = read_reason_report(name, data)
    return None if report is None else report.reasons
