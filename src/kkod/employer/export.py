"""The register exported for other document-management systems: CSV (UTF-8 with BOM, ``;``) or JSON.

The columns are documented field by field in docs/employer.md; keep the two in step.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kkod.employer.models import Employee
from kkod.employer.register import employees, next_step_of, reason_of
from kkod.reports import csv_safe

FIELDS: tuple[str, ...] = (
    "belso_azonosito",
    "generalt_azonosito",
    "viselt_nev",
    "szuletesi_nev",
    "anyja_szuletesi_neve",
    "szuletesi_hely",
    "szuletesi_ido",
    "kapcsolati_kod",
    "allapot",
    "ok",
    "kovetkezo_lepes",
    "utolso_kerelem",
    "modositva",
)
FORMATS = ("csv", "json")


def record_of(employee: Employee) -> dict[str, object]:
    """One employee as an export record (the keys are :data:`FIELDS`)."""
    status_reason = reason_of(employee) or None
    return {
        "belso_azonosito": employee.belso_azonosito,
        "generalt_azonosito": employee.generated_key,
        "viselt_nev": employee.viselt_nev,
        "szuletesi_nev": employee.szuletesi_nev,
        "anyja_szuletesi_neve": employee.anyja_szuletesi_neve,
        "szuletesi_hely": employee.szuletesi_hely,
        "szuletesi_ido": employee.szuletesi_ido,
        "kapcsolati_kod": employee.kapcsolati_kod,
        "allapot": employee.status,
        "ok": status_reason,
        "kovetkezo_lepes": next_step_of(employee) or None,
        "utolso_kerelem": employee.last_reference,
        "modositva": _iso(employee.updated_at),
    }


def _iso(when: datetime) -> str:
    if when.tzinfo is None:  # SQLite gives naive datetimes back; they were stored as UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_records(session: Session) -> list[dict[str, object]]:
    return [record_of(e) for e in employees(session)]


def to_csv(records: Sequence[dict[str, object]]) -> bytes:
    """UTF-8 with BOM (so Excel reads the accents), ``;`` separated, CRLF, header row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([_csv_value(record[name]) for name in FIELDS])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: object) -> str:
    """A field as text; one that starts like a formula gets a leading apostrophe, so that a
    spreadsheet opening the export shows it as written (the JSON export keeps it as is)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "igen" if value else "nem"
    return str(csv_safe(str(value)))


def to_json(records: Sequence[dict[str, object]]) -> bytes:
    """A JSON array of objects, UTF-8 without BOM, accents kept as they are."""
    return (json.dumps(list(records), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(records: Sequence[dict[str, object]], fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(records)
    if fmt == "json":
        return to_json(records)
    raise ValueError(fmt)
