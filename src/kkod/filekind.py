"""What a file from outside really is, read from its content (its name only breaks ties).

One detection for every place that receives files: the table reader (a file that is not an
.xlsx workbook), the intake (which attachment is the table, which the declaration, what came
instead) and the PDF checks. Each caller words the refusal for its own reader; the kinds'
values are the short Hungarian names (``„tabla.xlsx” valójában régi formátumú
Excel-munkafüzet (.xls)``).
"""

from __future__ import annotations

import enum
import io
import re
import zipfile

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


class Kind(enum.StrEnum):
    """The kinds kkod tells apart; the value is how a message names it."""

    EMPTY = "üres fájl"
    PDF = "PDF-dokumentum"
    XLSX = "Excel-munkafüzet (.xlsx)"
    XLSM = "makrós Excel-munkafüzet (.xlsm)"
    XLSB = "bináris Excel-munkafüzet (.xlsb)"
    XLS = "régi formátumú Excel-munkafüzet (.xls)"
    ENCRYPTED_OFFICE = "jelszóval védett Office-fájl"
    ODS = "OpenDocument-táblázat (.ods)"
    DOCX = "Word-dokumentum (.docx)"
    DOC = "régi formátumú Word-dokumentum (.doc)"
    OUTLOOK_MSG = "Outlook-üzenet (.msg)"
    OLE = "régi formátumú Office-fájl"
    DAMAGED_OLE = "sérült, régi formátumú Office-fájl"
    ZIP = "ZIP-tömörítvény"
    GZIP = "gzip-tömörített fájl"
    SEVEN_ZIP = "7-Zip-archívum"
    RAR = "RAR-archívum"
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


# Pictures officers attach (a scan, a screenshot of the table), by format.
_IMAGES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),  # as scanners write
    (b"MM\x00*", "TIFF"),
)
_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (TNEF_SIGNATURE, Kind.TNEF),
    *((magic, Kind.IMAGE) for magic, _ in _IMAGES),
    (b"{\\rtf", Kind.RTF),
    (b"\x1f\x8b", Kind.GZIP),
    (b"7z\xbc\xaf\x27\x1c", Kind.SEVEN_ZIP),
    (b"Rar!\x1a\x07", Kind.RAR),
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b", re.I | re.S
)
_PKCS7_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")


def sniff(data: bytes, filename: str = "", content_type: str = "") -> Kind:
    """The kind of ``data``; ``filename`` and ``content_type`` only break ties the bytes leave
    (a lock file by its ``~$`` name, a forwarded message, an S/MIME package)."""
    head = data[:65536]
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not data.strip():
        return Kind.EMPTY
    if (name.startswith("~$") and len(data) < 4096) or _excel_owner_file(data):
        return Kind.EXCEL_LOCK
    if head.lstrip().startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(ZIP_SIGNATURES):
        return _zip_kind(data)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(data)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head[:1024]:  # a PDF behind some junk, which PDF readers accept
        return Kind.PDF
    if content_type == "message/rfc822" or (
        name.endswith(".eml")
        and head[:200].split(b":", 1)[0].strip().isascii()
        and b"\n\n" in head.replace(b"\r\n", b"\n")
    ):
        return Kind.EMAIL
    if content_type in _PKCS7_TYPES or name.endswith(".p7m"):
        return Kind.PKCS7
    text = _as_text(head)
    if text is None:
        return Kind.BINARY
    return _text_kind(text)


def image_format(data: bytes) -> str | None:
    """The picture format of ``data`` (``PNG``, ``JPEG``, ``GIF``, ``TIFF``), if it is one."""
    return next((name for magic, name in _IMAGES if data.startswith(magic)), None)


def _text_kind(text: str) -> Kind:
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "microsec.hu/ds/e-szigno" in lowered or "<es:dossier" in lowered:
        return Kind.ES3
    if _HTML_START.match(lowered):
        return Kind.HTML
    if lowered.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered or "excel.sheet" in lowered:
            return Kind.EXCEL_XML
        if "<html" in lowered[:4096]:
            return Kind.HTML
        return Kind.XML
    return Kind.TEXT


def _zip_kind(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # a few bytes: never inflate it all
                    mimetype = member.read(100)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return Kind.ZIP
    if b"opendocument.spreadsheet" in mimetype:
        return Kind.ODS
    if "[Content_Types].xml" in names:
        if "xl/vbaProject.bin" in names:
            return Kind.XLSM
        if "xl/workbook.bin" in names:
            return Kind.XLSB
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return Kind.XLSX
        if any(n.startswith("word/") for n in names):
            return Kind.DOCX
    return Kind.ZIP


def _ole_kind(data: bytes) -> Kind:
    """An OLE2 compound file: an old Excel workbook, an encrypted OOXML one (Excel's
    password protection), an old Word document, an Outlook message, or another document."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {
                "/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)
            }
    except (OSError, ValueError, IndexError, TypeError, RecursionError):
        return Kind.DAMAGED_OLE
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return Kind.ENCRYPTED_OFFICE
    if "workbook" in streams or "book" in streams:
        return Kind.XLS
    if "worddocument" in streams:
        return Kind.DOC
    if any(stream.startswith("__substg1.0_") for stream in streams):
        return Kind.OUTLOOK_MSG
    return Kind.OLE


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


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: mostly Latin text, so every other byte is zero
    (a binary file with a few zero bytes is not text)."""
    sample = head[:1024]
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros and zeros.count(0) >= 0.9 * len(zeros):
            try:
                return head[: len(head) // 2 * 2].decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _as_text(head: bytes) -> str | None:
    """``head`` as text if the file looks like text (UTF-8, UTF-16 with its mark, or a
    Hungarian Windows code page), else ``None``."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "replace")
    if b"\x00" in head[:1024]:
        return _utf16_without_mark(head)
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4:  # a character cut at the end of the sample
            return head[: error.start].decode("utf-8")
    if any(byte < 9 or 13 < byte < 32 for byte in head):
        return None
    return head.decode("cp1250", "replace")
