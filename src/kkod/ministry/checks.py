"""The intake checks of a request (SPEC §6), each with a stable id and its own Hungarian reason.

A request passes when its subject follows the convention, it carries exactly one ``.xlsx``
table and one PDF declaration (found by what the files are, also inside containers), the
table is the unmodified template with at least one data row, the declaration is signed, its
signer belongs to the declared organisation, the KRID is known to the central system, the
sender may receive the office's codes, and the declaration's row count and SHA-256 are the
table's. The first failing check decides the reason; the reason says what to fix.

A declaration without an electronic signature (a scanned, hand-signed one, or a kkod
declaration left unsigned) passes every other check it can and then waits for the operator
(``aláírás ellenőrzésre vár``): see docs/ministry.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kkod.central.interface import Central, OfficeInfo
from kkod.config import Settings
from kkod.errors import KkodError
from kkod.exchange.declaration import DeclarationData
from kkod.filekind import Kind, sniff
from kkod.hungarian import article
from kkod.mail.message import Attachment
from kkod.ministry.models import SignatureKind
from kkod.pki.verify import SignatureVerdict
from kkod.table.reader import FourTColumns


class Check(StrEnum):
    """Stable ids of the checks, in the order they run; :data:`CHECK_LABELS` names them."""

    UNREADABLE = "olvashatatlan_level"
    SUBJECT = "targy"
    CONTAINER = "csomag"
    TABLE_MISSING = "tablazat_hianyzik"
    TABLE_SEVERAL = "tablazat_tobb"
    DECLARATION_MISSING = "nyilatkozat_hianyzik"
    DECLARATION_SEVERAL = "nyilatkozat_tobb"
    TEMPLATE = "sablon"
    EMPTY_TABLE = "ures_tablazat"
    SIGNATURE = "alairas"
    DECLARATION_UNREADABLE = "nyilatkozat_olvashatatlan"
    KRID_UNKNOWN = "krid_ismeretlen"
    SIGNER_ORGANISATION = "alairo_szervezete"
    SENDER = "felado_jogosultsaga"
    ROW_COUNT = "sorok_szama"
    TABLE_SHA256 = "sha256"
    TABLE_FROM_ANOTHER_SENDER = "tablazat_mas_feladotol"
    UNEXPECTED = "varatlan_hiba"


CHECK_LABELS: dict[str, str] = {
    Check.UNREADABLE: "olvashatatlan levél",
    Check.SUBJECT: "a levél tárgya",
    Check.CONTAINER: "csomagolt melléklet",
    Check.TABLE_MISSING: "hiányzó táblázat",
    Check.TABLE_SEVERAL: "több táblázat",
    Check.DECLARATION_MISSING: "hiányzó nyilatkozat",
    Check.DECLARATION_SEVERAL: "több nyilatkozat",
    Check.TEMPLATE: "nem az eredeti sablon",
    Check.EMPTY_TABLE: "üres táblázat",
    Check.SIGNATURE: "az aláírás",
    Check.DECLARATION_UNREADABLE: "olvashatatlan nyilatkozat",
    Check.KRID_UNKNOWN: "ismeretlen KRID",
    Check.SIGNER_ORGANISATION: "az aláíró szervezete",
    Check.SENDER: "a feladó jogosultsága",
    Check.ROW_COUNT: "a sorok száma",
    Check.TABLE_SHA256: "a táblázat ellenőrzőösszege",
    Check.TABLE_FROM_ANOTHER_SENDER: "ugyanaz a táblázat másik feladótól",
    Check.UNEXPECTED: "váratlan hiba",
}


class Rejection(KkodError):
    """A request failed ``check``; ``message`` is the Hungarian reason sent to the sender.

    ``note`` is what the operator should know besides (never sent to the sender).
    """

    def __init__(self, check: Check | str, message: str, note: str | None = None) -> None:
        super().__init__(message)
        self.check = str(check)
        self.note = note


@dataclass(frozen=True, slots=True)
class Submission:
    """What arrived: who sent it, its subject (``None`` for an upload) and its files."""

    sender: str
    subject: str | None
    attachments: Sequence[Attachment]
    unreadable: bool = False  # the email could not be parsed at all


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A request that passed every check it could; ``data`` and ``office`` are ``None`` for a scan."""

    table: Attachment
    declaration: Attachment
    data: DeclarationData | None
    office: OfficeInfo | None
    signer_name: str | None
    columns: FourTColumns  # what was read from the table (the worker need not read it again)
    table_sha256: str
    signature: SignatureKind

    @property
    def rows(self) -> int:
        return len(self.columns.numbers)

    @property
    def waits_for_operator(self) -> bool:
        """Whether the operator must confirm the signature before the request is processed."""
        return self.signature in (SignatureKind.HAND_SIGNED, SignatureKind.UNSIGNED_KKOD)


SUBJECT_HINT = (
    "„<a szervezet neve> – kapcsolati kódok igénylése (BM_kapcsolati_kódok)”, "
    "például „Példa Hivatal – kapcsolati kódok igénylése (BM_kapcsolati_kódok)”"
)


def check_submission(
    submission: Submission, central: Central, settings: Settings
) -> CheckedRequest:
    """Run every check on ``submission``; raise :class:`Rejection` at the first that fails."""
    from kkod.exchange.subject import is_request_subject
    from kkod.pki.verify import SignatureProblem, verify_declaration_signature

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
            f"a „kapcsolati kódok” kifejezést, így: {SUBJECT_HINT}. "
            "Küldje el újra a kérelmet ilyen tárggyal.",
        )
    table, declaration = _the_two_files(submission.attachments, settings)
    columns = _template_columns(table)
    rows = len(columns.numbers)
    sha256 = hashlib.sha256(table.data).hexdigest()
    verdict = verify_declaration_signature(
        declaration.data,
        settings.trust_roots,
        avdh_seals=settings.avdh_seals,
        max_bytes=settings.declaration_max_bytes,
    )
    if verdict.ok:
        data: DeclarationData | None = _payload(declaration, verdict, required=True)
        signature = SignatureKind.AVDH if verdict.avdh else SignatureKind.PADES
    elif verdict.problem is SignatureProblem.UNSIGNED:
        data = _payload(declaration, verdict, required=False)
        signature = SignatureKind.UNSIGNED_KKOD if data else SignatureKind.HAND_SIGNED
    else:
        raise Rejection(
            Check.SIGNATURE,
            f"{verdict.reason} (A munkáltatói nyilatkozat aláírása nem fogadható el.)",
            note=f"az aláírás hibája: {verdict.reason}",
        )
    checked = CheckedRequest(
        table=table,
        declaration=declaration,
        data=data,
        office=None,
        signer_name=verdict.signer_name,
        columns=columns,
        table_sha256=sha256,
        signature=signature,
    )
    if data is None:  # a scan: the operator reads its fields on approval
        return checked
    office = _office(central, data)
    if signature is SignatureKind.PADES:
        _check_signer_organisation(verdict, data, office)
    _check_subject_names(submission, data, office)
    check_sender(
        submission.sender,
        office,
        contact=data.contact_email,
        domains_only=signature is SignatureKind.AVDH,
    )
    check_table_matches(data.rows, data.table_sha256, rows, sha256)
    return dataclasses.replace(checked, office=office)


def _payload(
    declaration: Attachment, verdict: SignatureVerdict, *, required: bool
) -> DeclarationData | None:
    """The declaration's embedded fields, read from the PDF as the signature check opened it;
    ``None`` for a PDF without them unless ``required``."""
    from kkod.exchange.declaration import read_declaration

    try:
        return read_declaration(declaration.data, reader=verdict.reader)
    except RecursionError:  # a payload nested beyond reason (JSON arrays in arrays …)
        message = "az adatmelléklet szerkezete rendellenesen mély."
    except KkodError as error:
        if not required:
            return None
        message = error.message
    raise Rejection(
        Check.DECLARATION_UNREADABLE,
        f"A nyilatkozat adatai nem olvashatók ki: {message} A nyilatkozatot a minisztérium "
        "mintája szerint (a kkod „Munkáltatói nyilatkozat” nyomtatványával) készítse el, írja "
        "alá, és küldje el újra.",
    )


def _office(central: Central, data: DeclarationData) -> OfficeInfo:
    office = central.office(data.krid.strip())
    if office is None:
        raise Rejection(
            Check.KRID_UNKNOWN,
            f"A nyilatkozatban megadott hivatali kapu (KRID: {data.krid}) a központi rendszerben "
            "nem ismert. Ellenőrizze a KRID-et (a hivatali kapu regisztrációjában található), "
            "javítsa a nyilatkozatot, írja alá újra, és küldje el újra a kérelmet.",
        )
    return office


def _check_signer_organisation(
    verdict: SignatureVerdict, data: DeclarationData, office: OfficeInfo
) -> None:
    from kkod.pki.verify import membership_problem

    problem = membership_problem(
        verdict, organisation=data.organisation, organisation_id=office.organisation_id
    )
    if problem is not None:
        raise Rejection(
            Check.SIGNER_ORGANISATION,
            f"A nyilatkozat aláírója nem a nyilatkozatban megnevezett szervezethez "
            f"(„{data.organisation}”) tartozik: {problem}. A nyilatkozatot a szervezet nevére "
            "kiadott tanúsítvánnyal kell aláírni.",
        )


def _check_subject_names(submission: Submission, data: DeclarationData, office: OfficeInfo) -> None:
    from kkod.exchange.subject import is_request_subject

    if submission.subject is not None and not any(
        is_request_subject(submission.subject, name)
        for name in {data.organisation, data.short_name, office.name, office.short_name}
        if name and name.strip()
    ):
        raise Rejection(
            Check.SUBJECT,
            "A levél tárgyából hiányzik a szervezet neve: a tárgynak tartalmaznia kell a "
            f"szervezet nevét („{data.organisation}” vagy „{data.short_name}”) és a „kapcsolati "
            f"kódok” kifejezést, így: {SUBJECT_HINT}. Küldje el újra a kérelmet ilyen tárggyal.",
        )


def sender_allowed(
    sender: str, office: OfficeInfo, *, contact: str | None, domains_only: bool = False
) -> bool:
    """Whether the office's codes may go to ``sender``.

    Allowed: the declaration's contact address (unless ``domains_only``), or an address in one
    of the office's registered e-mail domains or their subdomains.
    """
    sender = sender.strip().lower()
    if not domains_only and contact and sender == contact.strip().lower():
        return True
    domain = sender.rpartition("@")[2]
    for registered in office.email_domains:
        registered = registered.strip().lower().lstrip("@")
        if registered and (domain == registered or domain.endswith("." + registered)):
            return True
    return False


def check_sender(
    sender: str, office: OfficeInfo, *, contact: str | None, domains_only: bool = False
) -> None:
    """:class:`Rejection` unless :func:`sender_allowed`; the note tells the operator the details."""
    if sender_allowed(sender, office, contact=contact, domains_only=domains_only):
        return
    domains = ", ".join(office.email_domains) or "nincs bejegyezve"
    allowed = (
        f"a hivatal nyilvántartott e-mail-tartományába ({domains})"
        if domains_only
        else f"a nyilatkozatban megadott kapcsolattartó címe, és nem is a hivatal "
        f"nyilvántartott e-mail-tartományába ({domains})"
    )
    raise Rejection(
        Check.SENDER,
        f"A kérelmet olyan címről küldték ({sender}), amely nem {allowed} tartozik. A "
        "kapcsolati kódokat csak a szervezethez küldjük: küldje el a kérelmet a kapcsolattartó "
        "címéről vagy a szervezet hivatalos e-mail-címéről. A kérelem mellékleteit nem küldjük "
        "vissza.",
        note=(
            f"Nem jogosult feladó: {sender}; a kapcsolattartó: {contact or 'nincs megadva'}, "
            f"a hivatal (KRID {office.krid}) e-mail-tartományai: {domains}."
        ),
    )


def check_table_matches(declared_rows: int, declared_sha256: str, rows: int, sha256: str) -> None:
    """:class:`Rejection` unless the declared row count and SHA-256 are the table's."""
    if declared_rows != rows:
        raise Rejection(
            Check.ROW_COUNT,
            f"A nyilatkozat szerint a táblázat {declared_rows} adatsort tartalmaz, a csatolt "
            f"táblázatban azonban {rows} kitöltött adatsor van. Készítse el a nyilatkozatot a "
            "csatolt táblázathoz (vagy csatolja a nyilatkozatban szereplő táblázatot), írja alá, "
            "és küldje el újra.",
        )
    if declared_sha256.strip().lower() != sha256:
        raise Rejection(
            Check.TABLE_SHA256,
            "A csatolt táblázat SHA-256 ellenőrzőösszege nem egyezik a nyilatkozatban "
            f"szereplővel (nyilatkozat: {declared_sha256}, táblázat: {sha256}): a táblázatot a "
            "nyilatkozat elkészítése után módosították, vagy másik táblázatot csatoltak. Készítse "
            "el a nyilatkozatot a véglegesített táblázathoz, írja alá, és küldje el a kettőt együtt.",
        )


def _the_two_files(
    attachments: Sequence[Attachment], settings: Settings
) -> tuple[Attachment, Attachment]:
    """The table and the declaration, found by what the files are (containers opened)."""
    from kkod.mail.containers import ContainerError, unwrap

    try:
        found = unwrap(
            attachments,
            max_files=settings.container_max_files,
            max_bytes=settings.container_max_bytes,
        )
    except ContainerError as error:
        raise Rejection(Check.CONTAINER, error.message) from None
    kinds = [(a, sniff(a.data, a.filename, a.content_type)) for a in found.files]
    tables = [  # a damaged workbook is still the table: the template check says what is wrong
        a
        for a, kind in kinds
        if kind is Kind.XLSX or (kind is Kind.ZIP and a.filename.lower().endswith(".xlsx"))
    ]
    pdfs = [a for a, kind in kinds if kind is Kind.PDF]
    unusable = " ".join(
        f"{article(u.filename).capitalize()} „{u.filename}” {u.kind}: {u.advice}"
        for u in found.unusable
    )  # named first: it is why a file seems missing
    if not tables:
        raise Rejection(
            Check.TABLE_MISSING,
            "Hiányzik a kitöltött „Kapcsolati kód adattáblázat” (.xlsx Excel-munkafüzet). "
            + (unusable + " " if unusable else "")
            + _what_came(kinds, wanted=Kind.XLSX)
            + "Csatolja a táblázatot szerkeszthető .xlsx fájlként (Excelben: Mentés másként → "
            "Excel-munkafüzet), és küldje el újra.",
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
            "Hiányzik az aláírt munkáltatói nyilatkozat (PDF-dokumentum). "
            + (unusable + " " if unusable else "")
            + _what_came(kinds, wanted=Kind.PDF)
            + "Csatolja az aláírt nyilatkozatot PDF-ként, és küldje el újra a kérelmet.",
        )
    if len(pdfs) > 1:
        raise Rejection(
            Check.DECLARATION_SEVERAL,
            f"A kérelem {len(pdfs)} PDF-fájlt tartalmaz ({', '.join(p.filename for p in pdfs)}); "
            "pontosan egy aláírt munkáltatói nyilatkozatot csatoljon.",
        )
    return tables[0], pdfs[0]


_LOOKS_LIKE = {Kind.XLSX: (".xlsx", ".xls", ".xlsm", ".ods", ".csv"), Kind.PDF: (".pdf",)}


def _what_came(kinds: list[tuple[Attachment, Kind]], *, wanted: Kind) -> str:
    """What the attachments that look like the wanted file really are (sniffed, not by name)."""
    told = [
        f"a csatolt „{a.filename}” valójában {kind}"
        for a, kind in kinds
        if a.filename.lower().endswith(_LOOKS_LIKE[wanted]) and kind is not wanted
    ]
    if not told:
        return ""
    return "(" + "; ".join(told) + ".) "


def _template_columns(table: Attachment) -> FourTColumns:
    """The table's data rows, read as generation reads them (from the attachment's bytes: the
    table is not written to disk); :class:`Rejection` if it is not the template or empty."""
    from kkod.table.reader import read_fourt

    try:
        columns = read_fourt(Path(xlsx_filename(table.filename)), data=table.data)
    except KkodError as error:
        raise Rejection(
            Check.TEMPLATE,
            f"A táblázat nem az eredeti „Kapcsolati kód adattáblázat” sablon: {error.message} "
            "Töltse ki az eredeti sablont a formátum módosítása nélkül, és küldje el újra.",
        ) from None
    if not columns.numbers:
        raise Rejection(
            Check.EMPTY_TABLE,
            f"A csatolt táblázatban („{table.filename}”) nincs kitöltött adatsor: legalább egy "
            "munkatárs adatait (a D, F, G, H és I oszlopban) ki kell tölteni. Töltse ki a "
            "táblázatot, készítse el hozzá a nyilatkozatot, és küldje el újra a kettőt együtt.",
        )
    return columns


_UNSAFE = re.compile(r"[^\w.\- ]+")


def xlsx_filename(name: str) -> str:
    """A safe file name for a received table, always ending in ``.xlsx``."""
    safe = safe_filename(name, "tablazat.xlsx")
    return safe if safe.lower().endswith(".xlsx") else f"{safe}.xlsx"


def safe_filename(name: str, default: str) -> str:
    """``name`` without folders or odd characters, safe to create in a folder of ours."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or default
