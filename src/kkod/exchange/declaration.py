"""The declaration's machine-readable payload: its fields and the JSON both parties read.

The employer's PDF (:mod:`kkod.employer.declaration`) carries the fields as an embedded JSON
attachment named :data:`ATTACHMENT_NAME`; the ministry reads them back with
:func:`read_declaration`. A PAdES signature over the PDF covers both.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from io import BytesIO
from typing import Any

from kkod.errors import KkodError

ATTACHMENT_NAME = "kkod-nyilatkozat.json"
FORMAT_ID = "kkod-munkaltatoi-nyilatkozat"
FORMAT_VERSION = 2  # 2 added the seat, the organisation's identifier, the signer and the place
READ_VERSIONS = (1, 2)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEXTS = ("organisation", "short_name", "krid", "contact_name", "contact_email", "table_filename")
# Version 2's fields. Empty in a version 1 declaration, and where a declaration to be signed by
# hand leaves them for the pen (the PDF shows a line to write on).
_TEXTS_2 = ("seat", "organisation_id", "signer_name", "signer_position", "place")


@dataclass(frozen=True, slots=True)
class DeclarationData:
    """What the declaration states: who asks, for which Hivatali kapu, about which table."""

    organisation: str  # the organisation's full name
    short_name: str  # Hivatali kapu short name
    krid: str
    contact_name: str
    contact_email: str
    rows: int  # number of data rows in the table
    table_sha256: str  # hex, lower case
    table_filename: str
    issued: dt.date
    seat: str = ""  # the organisation's seat (székhely)
    organisation_id: str = ""  # e.g. its törzskönyvi azonosító or VATHU-15000000
    signer_name: str = ""  # who signs: "Alulírott …"
    signer_position: str = ""  # their position
    place: str = ""  # "Kelt: <place>, <date>"


def read_declaration(pdf: bytes, *, reader: Any = None) -> DeclarationData:
    """The fields of a kkod declaration PDF, read from its embedded JSON attachment.

    ``reader``: ``pdf`` as pyHanko already opened it (the signature check's
    :attr:`~kkod.pki.verify.SignatureVerdict.reader`), so that it is not parsed again.
    Raises :class:`KkodError` (Hungarian) when ``pdf`` is not a PDF or not a kkod declaration.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    not_ours = "A PDF nem a kkod által készített munkáltatói nyilatkozat (hiányzó vagy hibás adatmelléklet)."
    try:
        if reader is None:
            reader = PdfFileReader(BytesIO(pdf), strict=False)
        raw = _find_attachment(reader.root, ATTACHMENT_NAME)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError):
        raise KkodError("A nyilatkozat nem olvasható PDF-fájl.") from None
    if raw is None:
        raise KkodError(not_ours)
    try:
        return _from_payload(json.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise KkodError(not_ours) from None


def payload(data: DeclarationData) -> bytes:
    """The fields as the JSON attachment's bytes (format id and version first)."""
    fields = asdict(data)
    fields["issued"] = data.issued.isoformat()
    body = {"format": FORMAT_ID, "version": FORMAT_VERSION, **fields}
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _from_payload(payload: Any) -> DeclarationData:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_ID:
        raise ValueError("not a kkod declaration")
    version = payload.get("version")
    if version not in READ_VERSIONS or isinstance(version, bool):
        raise ValueError("unsupported version")
    texts = _TEXTS + (_TEXTS_2 if version >= 2 else ())
    if not all(isinstance(payload[name], str) for name in texts):
        raise ValueError("text field of wrong type")
    rows = payload["rows"]
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise ValueError("rows")
    data = DeclarationData(
        **{name: payload[name] for name in texts},
        rows=rows,
        table_sha256=str(payload["table_sha256"]),
        issued=dt.date.fromisoformat(payload["issued"]),
    )
    check_fields(data)
    return data


def check_fields(data: DeclarationData) -> None:
    """Raise :class:`KkodError` (Hungarian) when a field is empty or malformed."""
    if not _SHA256.fullmatch(data.table_sha256):
        raise KkodError("A táblázat SHA-256 ellenőrzőösszege 64 kisbetűs hexadecimális jel legyen.")
    if data.rows < 0:
        raise KkodError("Az adatsorok száma nem lehet negatív.")
    for label, value in (
        ("szervezet neve", data.organisation),
        ("hivatali kapu rövid neve", data.short_name),
        ("KRID", data.krid),
        ("kapcsolattartó neve", data.contact_name),
        ("kapcsolattartó e-mail-címe", data.contact_email),
    ):
        if not value.strip():
            raise KkodError(f"A nyilatkozatból hiányzik: {label}.")


def _find_attachment(root: Any, name: str) -> bytes | None:
    names = root.get("/Names")
    if names is None:
        return None
    tree = names.get_object().get("/EmbeddedFiles")
    if tree is None:
        return None
    for key, spec in _name_tree_items(tree.get_object()):
        if key == name:
            spec = spec.get_object()
            stream = spec["/EF"].get_object()["/F"].get_object()
            return stream.data
    return None


def _name_tree_items(node: Any, depth: int = 0) -> Any:
    if depth > 16:
        return
    pairs = node.get("/Names")
    if pairs is not None:
        pairs = pairs.get_object()
        for i in range(0, len(pairs) - 1, 2):
            yield str(pairs[i].get_object()), pairs[i + 1]
    for kid in node.get("/Kids", ()):
        yield from _name_tree_items(kid.get_object(), depth + 1)
