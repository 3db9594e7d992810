"""What a file that is not an .xlsx workbook really is, told from its content (never its name).

Every refusal of a table names what the file is and how to make the workbook from it: an
officer who attached a PDF, an old ``.xls``, a password-protected workbook or an Excel lock
file needs a different fix each time.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

_RESAVE = "Nyissa meg Excelben vagy LibreOffice-ban, és mentse „Excel-munkafüzet (.xlsx)” formában."


@dataclass(frozen=True, slots=True)
class Kind:
    """What a file is (Hungarian, after „ez …”-like phrasing) and what to do about it."""

    what: str
    fix: str


EMPTY = Kind("üres fájl (0 bájt)", "Mentse újra a kitöltött táblázatot, és azt küldje.")
XLS = Kind("régi, Excel 97–2003 formátumú munkafüzet (.xls)", _RESAVE)
ENCRYPTED = Kind(
    "jelszóval védett (titkosított) munkafüzet",
    "Vegye le a jelszót (Excel: Fájl → Információ → Munkafüzet védelme → Titkosítás "
    "jelszóval, a jelszó törlése), mentse, és a jelszó nélküli munkafüzetet küldje.",
)
OLE_OTHER = Kind("Microsoft Office 97–2003 formátumú dokumentum, nem munkafüzet", _RESAVE)
ODS = Kind(
    "OpenDocument-munkafüzet (.ods)",
    "Nyissa meg LibreOffice-ban, és mentse „Excel 2007–365 (.xlsx)” formában.",
)
XLSB = Kind("bináris Excel-munkafüzet (.xlsb)", _RESAVE)
XLSM = Kind(
    "makrókat tartalmazó munkafüzet (.xlsm)",
    "Mentse makrók nélküli „Excel-munkafüzet (.xlsx)” formában (a makrók nem kellenek).",
)
TRUNCATED_ZIP = Kind(
    "sérült vagy csonka zip-archívum (pl. félbemaradt mentés, letöltés vagy másolás)",
    "Mentse újra a táblázatot Excelben vagy LibreOffice-ban, és az új fájlt küldje.",
)
PDF = Kind(
    "PDF-dokumentum, nem munkafüzet",
    "A táblázatot szerkeszthető .xlsx munkafüzetként küldje; PDF-be nyomtatott vagy szkennelt "
    "táblázat nem dolgozható fel.",
)
HTML = Kind(
    "HTML-oldal .xlsx kiterjesztéssel (pl. egy webes rendszerből „Excelbe” exportált táblázat)",
    _RESAVE,
)
SPREADSHEET_ML = Kind("Excel 2003 XML-táblázat („XML-számolótábla 2003”)", _RESAVE)
XML = Kind("XML-fájl, nem munkafüzet", _RESAVE)
LOCK_FILE = Kind(
    "az Excel zárolási fájlja (~$…), amelyet az Excel a megnyitott munkafüzet mellé ír",
    "Ez nem a táblázat: a ~$ nélküli nevű fájlt küldje (zárja be előbb a munkafüzetet).",
)
TEXT = Kind(
    "CSV- vagy szövegfájl",
    "Nyissa meg Excelben vagy LibreOffice-ban, és mentse „Excel-munkafüzet (.xlsx)” formában; "
    "vagy töltse ki az üres sablont (kkod template).",
)
BINARY = Kind("ismeretlen formátumú fájl, nem munkafüzet", _RESAVE)

# Magic numbers of formats officers attach by mistake: (prefix, what it is).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", ""),  # handled as PDF
    (b"\x89PNG\r\n\x1a\n", "PNG-kép"),
    (b"\xff\xd8\xff", "JPEG-kép"),
    (b"GIF8", "GIF-kép"),
    (b"II*\x00", "TIFF-kép (pl. szkennelt dokumentum)"),
    (b"MM\x00*", "TIFF-kép (pl. szkennelt dokumentum)"),
    (b"{\\rtf", "RTF-dokumentum"),
    (b"\x1f\x8b", "gzip-tömörített fájl"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip-archívum"),
    (b"Rar!\x1a\x07", "RAR-archívum"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b", re.I | re.S
)
_XML_START = re.compile(rb"^\s*<\?xml\b")


def sniff(data: bytes, name: str) -> Kind:
    """What ``data`` (a file that is not a readable .xlsx zip) is; ``name`` only for lock files."""
    if not data:
        return EMPTY
    if data.startswith(OLE2_MAGIC):
        return _ole2(data)
    if data.startswith(ZIP_MAGICS):
        return TRUNCATED_ZIP
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return PDF
    for magic, what in _MAGIC:
        if what and data.startswith(magic):
            return Kind(f"{what}, nem munkafüzet", _RESAVE)
    if (name.startswith("~$") and len(data) < 4096) or _excel_owner_file(data):
        return LOCK_FILE
    head = _text_head(data)
    if head is not None:
        if _HTML_START.match(head):
            return HTML
        if _XML_START.match(head) or head.lstrip().startswith(b"<"):
            if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"Excel.Sheet" in head:
                return SPREADSHEET_ML
            if re.search(rb"<html\b", head, re.I):
                return HTML
            return XML
        return TEXT
    return BINARY


def _excel_owner_file(data: bytes) -> bool:
    """Excel's lock ("owner") file: 165 bytes, the user's name prefixed by its length and padded
    with spaces to 54 bytes (recognised by content: a mail client may rename it)."""
    length = data[0] if data else 0
    return (
        len(data) == 165
        and 0 < length <= 53
        and data[1 + length : 54].strip(b" ") == b""
        and all(byte >= 32 for byte in data[1 : 1 + length])
    )


def _text_head(data: bytes) -> bytes | None:
    """The first 64 KiB as UTF-8-ish bytes if the file looks like text, else ``None``."""
    head = data[:65536]
    for bom in _BOMS:
        if head.startswith(bom):
            if bom == b"\xef\xbb\xbf":
                return head[3:]
            codec = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
            return head[2:].decode(codec, "replace").encode("utf-8")
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end
            try:
                head.decode("cp1250")  # a Hungarian Windows CSV
            except UnicodeDecodeError:
                return None
    return head


def _ole2(data: bytes) -> Kind:
    """An OLE2 compound file: an old Excel workbook, an encrypted OOXML one, or another document."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {
                "/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)
            }
    except (OSError, ValueError, IndexError, TypeError, RecursionError):
        return Kind("sérült Microsoft Office 97–2003 formátumú fájl", _RESAVE)
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return ENCRYPTED
    if "workbook" in streams or "book" in streams:
        return XLS
    return OLE_OTHER
