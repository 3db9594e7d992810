"""What a received file really is, read from its first bytes (never from its name).

Used to find the table and the declaration among a message's attachments and to name, in a
refusal, what an attachment is instead (``„tabla.xlsx” valójában régi Excel-munkafüzet (.xls)``).
"""

from __future__ import annotations

import enum
import io
import zipfile

TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Kind(enum.StrEnum):
    """The kinds kkod tells apart; the value is how a refusal names it."""

    EMPTY = "üres fájl"
    PDF = "PDF-dokumentum"
    XLSX = "Excel-munkafüzet (.xlsx)"
    XLSM = "makrós Excel-munkafüzet (.xlsm)"
    XLS = "régi formátumú Excel-munkafüzet (.xls)"
    ENCRYPTED_OFFICE = "jelszóval védett Office-fájl"
    ODS = "OpenDocument-táblázat (.ods)"
    DOCX = "Word-dokumentum (.docx)"
    DOC = "régi formátumú Word-dokumentum (.doc)"
    OUTLOOK_MSG = "Outlook-üzenet (.msg)"
    OLE = "régi formátumú Office-fájl"
    ZIP = "ZIP-tömörítvény"
    TNEF = "Outlook winmail.dat csomag (TNEF)"
    ES3 = "e-Szignó aktatáska (.es3)"
    EXCEL_XML = "Excel 2003 XML-táblázat"
    XML = "XML-fájl"
    HTML = "HTML-oldal"
    EXCEL_LOCK = "Excel zárolási fájl (~$…, nem a táblázat)"
    RTF = "RTF-dokumentum"
    IMAGE = "kép"
    PKCS7 = "S/MIME-csomag (.p7m)"
    EMAIL = "továbbított e-mail"
    TEXT = "szöveg vagy CSV"
    BINARY = "ismeretlen bináris fájl"


def sniff(data: bytes, filename: str = "", content_type: str = "") -> Kind:
    """The kind of ``data``; ``filename`` and ``content_type`` only break ties the bytes leave."""
    head = data[:4096]
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not data.strip():
        return Kind.EMPTY
    if name.startswith("~$") and len(data) < 4096:
        return Kind.EXCEL_LOCK
    if head.lstrip().startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(data)
    if head.startswith(TNEF_SIGNATURE):
        return Kind.TNEF
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return Kind.IMAGE
    if head.startswith(b"{\\rtf"):
        return Kind.RTF
    if b"%PDF-" in head[:1024]:  # a PDF behind some junk, which PDF readers accept
        return Kind.PDF
    if content_type == "message/rfc822" or (
        name.endswith(".eml")
        and head[:200].split(b":", 1)[0].strip().isascii()
        and b"\n\n" in head.replace(b"\r\n", b"\n")
    ):
        return Kind.EMAIL
    if content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime") or name.endswith(
        ".p7m"
    ):
        return Kind.PKCS7
    text = _as_text(head)
    if text is None:
        return Kind.BINARY
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "microsec.hu/ds/e-szigno" in lowered or "<es:dossier" in lowered:
        return Kind.ES3
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return Kind.EXCEL_XML
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        return Kind.HTML
    if lowered.startswith("<?xml"):
        return Kind.XML
    return Kind.TEXT


def _zip_kind(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = (
                archive.read("mimetype")[:100] if "mimetype" in names else b""
            )  # a few bytes, stored uncompressed
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return Kind.ZIP
    if "[Content_Types].xml" in names:
        if "xl/vbaProject.bin" in names:
            return Kind.XLSM
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return Kind.XLSX
        if any(n.startswith("word/") for n in names):
            return Kind.DOCX
    if b"opendocument.spreadsheet" in mimetype:
        return Kind.ODS
    return Kind.ZIP


def _ole_kind(data: bytes) -> Kind:
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        return Kind.ENCRYPTED_OFFICE
    if has("Workbook") or has("Book"):
        return Kind.XLS
    if has("WordDocument"):
        return Kind.DOC
    if has("__substg1.0_"):
        return Kind.OUTLOOK_MSG
    return Kind.OLE


def _as_text(head: bytes) -> str | None:
    if b"\x00" in head[:1024]:
        try:
            return head.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4:  # a character cut at the end of the sample
            return head[: error.start].decode("utf-8")
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return head.decode("latin-1") if control == 0 else None
