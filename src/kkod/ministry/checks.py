"""The intake checks of a request (SPEC §6), each with a stable id and its own Hungarian reason.

A request passes when its subject follows the convention, it carries exactly one ``.xlsx``
table and one PDF declaration, the table is the unmodified template, the declaration's PAdES
signature is present, intact and trusted, its signer belongs to the declared organisation,
the KRID is known to the central system, and the declaration's row count and SHA-256 are
the table's. The first failing check decides the reason; the reason says what to fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kkod.central.interface import Central, OfficeInfo
from kkod.errors import KkodError
from kkod.exchange.declaration import DeclarationData
from kkod.mail.message import Attachment
from kkod.pki.verify import SignatureVerdict


class Check(StrEnum):
    """Stable ids of the checks, in the order they run (kept in the audit trail)."""

    UNREADABLE = "olvashatatlan_level"
    SUBJECT = "targy"
    TABLE_MISSING = "tablazat_hianyzik"
    TABLE_SEVERAL = "tablazat_tobb"
    DECLARATION_MISSING = "nyilatkozat_hianyzik"
    DECLARATION_SEVERAL = "nyilatkozat_tobb"
    TEMPLATE = "sablon"
    SIGNATURE = "alairas"
    DECLARATION_UNREADABLE = "nyilatkozat_olvashatatlan"
    KRID_UNKNOWN = "krid_ismeretlen"
    SIGNER_ORGANISATION = "alairo_szervezete"
    ROW_COUNT = "sorok_szama"
    TABLE_SHA256 = "sha256"


class Rejection(KkodError):
    """A request failed ``check``; ``message`` is the Hungarian reason sent to the sender."""

    def __init__(self, check: Check | str, message: str) -> None:
        super().__init__(message)
        self.check = str(check)


@dataclass(frozen=True, slots=True)
class Submission:
    """What arrived: who sent it, its subject (``None`` for an upload) and its files."""

    sender: str
    subject: str | None
    attachments: Sequence[Attachment]
    unreadable: bool = False  # the email could not be parsed at all


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A request that passed every check."""

    table: Attachment
    declaration: Attachment
    data: DeclarationData
    office: OfficeInfo
    signer_name: str | None
    rows: int
    table_sha256: str


SUBJECT_HINT = "„<a szervezet neve> – kapcsolati kódok igénylése” (például „BM_kapcsolati_kódok”)"


def check_submission(
    submission: Submission,
    central: Central,
    trust_roots: Sequence[Path],
    data_dir: Path | None = None,
) -> CheckedRequest:
    """Run every check on ``submission``; raise :class:`Rejection` at the first that fails.

    The table is read from a copy in a private work folder under ``data_dir`` (default: the
    configured data folder)."""
    from kkod.exchange.declaration import read_declaration
    from kkod.exchange.subject import is_request_subject
    from kkod.pki.verify import signer_belongs_to, verify_declaration_signature

    if submission.unreadable:
        raise Rejection(
            Check.UNREADABLE,
            "A levél nem olvasható (hibás a felépítése, a mellékletek nem nyerhetők ki). "
            "Küldje el újra a kérelmet egy szokásos levelezőprogrammal, a táblázatot és a "
            "nyilatkozatot mellékletként csatolva.",
        )
    if submission.subject is not None and not is_request_subject(submission.subject):
        raise Rejection(
            Check.SUBJECT,
            "A levél tárgya nem felel meg az előírásnak: tartalmaznia kell a szervezet nevét és "
            f"a „kapcsolati kódok” kifejezést, például {SUBJECT_HINT}. "
            "Küldje el újra a kérelmet ilyen tárggyal.",
        )
    table, declaration = _the_two_files(submission.attachments)
    rows = _template_rows(table, data_dir)
    verdict = verify_declaration_signature(declaration.data, trust_roots)
    if not verdict.ok:
        raise Rejection(f"{Check.SIGNATURE}:{verdict.problem}", _signature_reason(verdict))
    try:
        data = read_declaration(declaration.data)
    except KkodError as error:
        raise Rejection(
            Check.DECLARATION_UNREADABLE,
            f"A nyilatkozat adatai nem olvashatók ki: {error.message} A nyilatkozatot a kkod "
            "„employer declaration” parancsával (vagy a minisztérium által kiadott minta "
            "szerint) készítse el, írja alá, és küldje el újra.",
        ) from None
    office = central.office(data.krid.strip())
    if office is None:
        raise Rejection(
            Check.KRID_UNKNOWN,
            f"A nyilatkozatban megadott hivatali kapu (KRID: {data.krid}) a központi rendszerben "
            "nem ismert. Ellenőrizze a KRID-et (a hivatali kapu regisztrációjában található), "
            "javítsa a nyilatkozatot, írja alá újra, és küldje el újra a kérelmet.",
        )
    if not signer_belongs_to(
        verdict, organisation=data.organisation, organisation_id=office.organisation_id
    ):
        shown = verdict.signer_organisation or "nincs megadva"
        raise Rejection(
            Check.SIGNER_ORGANISATION,
            "A nyilatkozat aláírója nem a nyilatkozatban megnevezett szervezethez "
            f"(„{data.organisation}”) tartozik: az aláíró tanúsítványában szereplő szervezet "
            f"„{shown}”. A nyilatkozatot a szervezet nevére kiadott tanúsítvánnyal kell aláírni.",
        )
    if submission.subject is not None and not any(
        is_request_subject(submission.subject, name)
        for name in {data.organisation, data.short_name, office.name, office.short_name}
        if name and name.strip()
    ):
        raise Rejection(
            Check.SUBJECT,
            "A levél tárgyából hiányzik a szervezet neve: a tárgynak tartalmaznia kell a "
            f"szervezet nevét („{data.organisation}” vagy „{data.short_name}”) és a „kapcsolati "
            f"kódok” kifejezést, például {SUBJECT_HINT}. Küldje el újra a kérelmet ilyen tárggyal.",
        )
    if data.rows != rows:
        raise Rejection(
            Check.ROW_COUNT,
            f"A nyilatkozat szerint a táblázat {data.rows} adatsort tartalmaz, a csatolt "
            f"táblázatban azonban {rows} kitöltött adatsor van. Készítse el a nyilatkozatot a "
            "csatolt táblázathoz (vagy csatolja a nyilatkozatban szereplő táblázatot), írja alá, "
            "és küldje el újra.",
        )
    sha256 = hashlib.sha256(table.data).hexdigest()
    if data.table_sha256.lower() != sha256:
        raise Rejection(
            Check.TABLE_SHA256,
            "A csatolt táblázat SHA-256 ellenőrzőösszege nem egyezik a nyilatkozatban "
            f"szereplővel (nyilatkozat: {data.table_sha256}, táblázat: {sha256}): a táblázatot a "
            "nyilatkozat elkészítése után módosították, vagy másik táblázatot csatoltak. Készítse "
            "el a nyilatkozatot a véglegesített táblázathoz, írja alá, és küldje el a kettőt együtt.",
        )
    return CheckedRequest(
        table=table,
        declaration=declaration,
        data=data,
        office=office,
        signer_name=verdict.signer_name,
        rows=rows,
        table_sha256=sha256,
    )


def _the_two_files(attachments: Sequence[Attachment]) -> tuple[Attachment, Attachment]:
    tables = [a for a in attachments if a.is_xlsx]
    pdfs = [a for a in attachments if a.is_pdf and not a.is_xlsx]
    if not tables:
        others = [
            a.filename for a in attachments if a.filename.lower().endswith((".xls", ".ods", ".csv"))
        ]
        hint = (
            f" (a csatolt „{others[0]}” nem .xlsx formátumú: a sablont Excel-munkafüzetként, "
            ".xlsx kiterjesztéssel mentse)"
            if others
            else ""
        )
        raise Rejection(
            Check.TABLE_MISSING,
            "Hiányzik a kitöltött „Kapcsolati kód adattáblázat” (.xlsx melléklet)"
            f"{hint}. Csatolja a táblázatot szerkeszthető .xlsx fájlként, és küldje el újra.",
        )
    if len(tables) > 1:
        raise Rejection(
            Check.TABLE_SEVERAL,
            f"A kérelem {len(tables)} .xlsx táblázatot tartalmaz "
            f"({', '.join(t.filename for t in tables)}); kérelmenként pontosan egy táblázatot "
            "csatoljon (több táblázatot külön kérelemben küldjön).",
        )
    if not pdfs:
        raise Rejection(
            Check.DECLARATION_MISSING,
            "Hiányzik az aláírt munkáltatói nyilatkozat (PDF melléklet). Csatolja az "
            "elektronikusan aláírt nyilatkozatot, és küldje el újra a kérelmet.",
        )
    if len(pdfs) > 1:
        raise Rejection(
            Check.DECLARATION_SEVERAL,
            f"A kérelem {len(pdfs)} PDF-fájlt tartalmaz ({', '.join(p.filename for p in pdfs)}); "
            "pontosan egy aláírt munkáltatói nyilatkozatot csatoljon.",
        )
    return tables[0], pdfs[0]


def _template_rows(table: Attachment, data_dir: Path | None) -> int:
    """The number of data rows of the table; :class:`Rejection` if it is not the template."""
    from kkod.table.reader import read_table
    from kkod.workspace import work_folder

    with work_folder("intake", data_dir) as folder:
        path = folder / xlsx_filename(table.filename)
        path.write_bytes(table.data)
        try:
            return len(read_table(path).rows)
        except KkodError as error:
            raise Rejection(
                Check.TEMPLATE,
                f"A táblázat nem az eredeti „Kapcsolati kód adattáblázat” sablon: {error.message} "
                "Töltse ki az eredeti sablont (kkod template) a formátum módosítása nélkül, és "
                "küldje el újra.",
            ) from None


def _signature_reason(verdict: SignatureVerdict) -> str:
    return f"{verdict.reason} (A munkáltatói nyilatkozat aláírása nem fogadható el.)"


_UNSAFE = re.compile(r"[^\w.\- ]+")


def xlsx_filename(name: str) -> str:
    """A safe file name for a received table, always ending in ``.xlsx``."""
    safe = safe_filename(name, "tablazat.xlsx")
    return safe if safe.lower().endswith(".xlsx") else f"{safe}.xlsx"


def safe_filename(name: str, default: str) -> str:
    """``name`` without folders or odd characters, safe to create in a folder of ours."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or default
