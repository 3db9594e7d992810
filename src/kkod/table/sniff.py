"""How a table refusal names a file that is not an .xlsx workbook, and the fix for each.

What the file is comes from :mod:`kkod.filekind` (its content, never its name); an officer
who attached a PDF, an old ``.xls``, a password-protected workbook or an Excel lock file
needs a different fix each time.
"""

from __future__ import annotations

from dataclasses import dataclass

from kkod.filekind import Kind as FileKind
from kkod.filekind import image_format
from kkod.filekind import sniff as sniff_kind

_RESAVE = "Nyissa meg Excelben vagy LibreOffice-ban, és mentse „Excel-munkafüzet (.xlsx)” formában."


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a file is (Hungarian, after „ez …”-like phrasing) and what to do about it."""

    what: str
    fix: str


EMPTY = Refusal("üres fájl (0 bájt)", "Mentse újra a kitöltött táblázatot, és azt küldje.")
XLS = Refusal("régi, Excel 97–2003 formátumú munkafüzet (.xls)", _RESAVE)
ENCRYPTED = Refusal(
    "jelszóval védett (titkosított) munkafüzet",
    "Vegye le a jelszót (Excel: Fájl → Információ → Munkafüzet védelme → Titkosítás "
    "jelszóval, a jelszó törlése), mentse, és a jelszó nélküli munkafüzetet küldje.",
)
OLE_OTHER = Refusal("Microsoft Office 97–2003 formátumú dokumentum, nem munkafüzet", _RESAVE)
ODS = Refusal(
    "OpenDocument-munkafüzet (.ods)",
    "Nyissa meg LibreOffice-ban, és mentse „Excel 2007–365 (.xlsx)” formában.",
)
XLSB = Refusal("bináris Excel-munkafüzet (.xlsb)", _RESAVE)
XLSM = Refusal(
    "makrókat tartalmazó munkafüzet (.xlsm)",
    "Mentse makrók nélküli „Excel-munkafüzet (.xlsx)” formában (a makrók nem kellenek).",
)
TRUNCATED_ZIP = Refusal(
    "sérült vagy csonka zip-archívum (pl. félbemaradt mentés, letöltés vagy másolás)",
    "Mentse újra a táblázatot Excelben vagy LibreOffice-ban, és az új fájlt küldje.",
)
PDF = Refusal(
    "PDF-dokumentum, nem munkafüzet",
    "A táblázatot szerkeszthető .xlsx munkafüzetként küldje; PDF-be nyomtatott vagy szkennelt "
    "táblázat nem dolgozható fel.",
)
HTML = Refusal(
    "HTML-oldal .xlsx kiterjesztéssel (pl. egy webes rendszerből „Excelbe” exportált táblázat)",
    _RESAVE,
)
SPREADSHEET_ML = Refusal("Excel 2003 XML-táblázat („XML-számolótábla 2003”)", _RESAVE)
XML = Refusal("XML-fájl, nem munkafüzet", _RESAVE)
LOCK_FILE = Refusal(
    "az Excel zárolási fájlja (~$…), amelyet az Excel a megnyitott munkafüzet mellé ír",
    "Ez nem a táblázat: a ~$ nélküli nevű fájlt küldje (zárja be előbb a munkafüzetet).",
)
TEXT = Refusal(
    "CSV- vagy szövegfájl",
    "Nyissa meg Excelben vagy LibreOffice-ban, és mentse „Excel-munkafüzet (.xlsx)” formában; "
    "vagy töltse ki az üres sablont (kkod template).",
)
BINARY = Refusal("ismeretlen formátumú fájl, nem munkafüzet", _RESAVE)


def _not_a_workbook(what: str) -> Refusal:
    return Refusal(f"{what}, nem munkafüzet", _RESAVE)


_BY_KIND: dict[FileKind, Refusal] = {
    FileKind.EMPTY: EMPTY,
    FileKind.XLS: XLS,
    FileKind.ENCRYPTED_OFFICE: ENCRYPTED,
    FileKind.OLE: OLE_OTHER,
    FileKind.DOC: OLE_OTHER,
    FileKind.OUTLOOK_MSG: _not_a_workbook("Outlook-üzenet (.msg)"),
    FileKind.DAMAGED_OLE: Refusal("sérült Microsoft Office 97–2003 formátumú fájl", _RESAVE),
    FileKind.ODS: ODS,
    FileKind.XLSB: XLSB,
    FileKind.XLSM: XLSM,
    FileKind.XLSX: TRUNCATED_ZIP,  # the reader asks only about what it could not open
    FileKind.ZIP: TRUNCATED_ZIP,
    FileKind.PDF: PDF,
    FileKind.HTML: HTML,
    FileKind.EXCEL_XML: SPREADSHEET_ML,
    FileKind.XML: XML,
    FileKind.EXCEL_LOCK: LOCK_FILE,
    FileKind.TEXT: TEXT,
    FileKind.BINARY: BINARY,
}


def sniff(data: bytes, name: str) -> Refusal:
    """What ``data`` (a file that is not a readable .xlsx zip) is, and the fix; ``name`` only
    for lock files."""
    kind = sniff_kind(data, name)
    if data and kind is FileKind.EMPTY:  # only spaces or line ends: a text file
        return TEXT
    if kind is FileKind.IMAGE:
        return _not_a_workbook(f"{image_format(data)}-kép (pl. szkennelt dokumentum)")
    return _BY_KIND.get(kind) or _not_a_workbook(kind.value)
