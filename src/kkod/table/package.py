"""The .xlsx zip package: recognising it, and finding the first worksheet's XML part.

The first sheet is the one listed first in ``xl/workbook.xml``; its part name comes from the
workbook's relationships (targets may be relative or absolute).
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from kkod.errors import TableError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
OFFICE_DOCUMENT = "/officeDocument"  # relationship type suffix (transitional and strict)
WORKSHEET = "/worksheet"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


@dataclass(frozen=True, slots=True)
class FirstSheet:
    name: str  # the sheet's name as the user sees it
    part: str  # zip member name, e.g. "xl/worksheets/sheet1.xml"


def not_xlsx(path: Path, what: str) -> TableError:
    return TableError(
        f"A(z) „{path.name}” fájl nem olvasható Excel-munkafüzetként (.xlsx): {what}. "
        "A kitöltött „Kapcsolati kód adattáblázat” sablont .xlsx formában küldje."
    )


def check_is_xlsx(path: Path) -> None:
    """Raise :class:`TableError` unless ``path`` looks like an .xlsx (zip) file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise TableError(f"A(z) „{path}” fájl nem található.") from None
    except OSError as error:
        raise TableError(f"A(z) „{path}” fájl nem nyitható meg ({error.strerror}).") from None
    if head.startswith(OLE2_MAGIC):
        raise not_xlsx(path, "régi .xls formátumú vagy jelszóval védett munkafüzet")
    if not head.startswith(ZIP_MAGIC):
        raise not_xlsx(path, "a fájl nem munkafüzet (pl. CSV vagy szöveg)")


def first_sheet(archive: zipfile.ZipFile, path: Path) -> FirstSheet:
    """The first worksheet of an open .xlsx archive; :class:`TableError` if it is not a workbook."""
    names = set(archive.namelist())
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        raise not_xlsx(path, "OpenDocument (.ods) munkafüzet")
    workbook_part = _office_document(archive, names, path)
    workbook = _parse(archive, workbook_part, path)
    sheet = next((el for el in workbook.iter() if _local(el) == "sheet"), None)
    if sheet is None:
        raise not_xlsx(path, "a munkafüzetben nincs munkalap")
    rel_id = sheet.get(_R_ID) or sheet.get(_R_ID_STRICT)
    rels = _relationships(archive, workbook_part, names, path)
    target = rels.get(rel_id or "")
    if target is None or not target[0].endswith(WORKSHEET):
        raise not_xlsx(path, "az első lap nem munkalap (pl. diagramlap)")
    part = resolve(workbook_part, target[1])
    if part not in names:
        raise not_xlsx(path, f"hiányzik a munkalap része ({part})")
    return FirstSheet(name=sheet.get("name", ""), part=part)


def resolve(source_part: str, target: str) -> str:
    """A relationship target as a zip member name (OPC: absolute from the root, else relative)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _office_document(archive: zipfile.ZipFile, names: set[str], path: Path) -> str:
    if "_rels/.rels" in names:
        for rel_type, target in _relationships(archive, "", names, path).values():
            if rel_type.endswith(OFFICE_DOCUMENT):
                part = resolve("", target)
                if part in names:
                    return part
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise not_xlsx(path, "nem található benne munkafüzet (xl/workbook.xml)")


def _relationships(
    archive: zipfile.ZipFile, source_part: str, names: set[str], path: Path
) -> dict[str, tuple[str, str]]:
    """Id → (type, target) of ``source_part``'s relationships part."""
    folder, base = posixpath.split(source_part)
    rels_part = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels_part not in names:
        raise not_xlsx(path, f"hiányzik a(z) {rels_part} rész")
    root = _parse(archive, rels_part, path)
    return {
        el.get("Id", ""): (el.get("Type", ""), el.get("Target", ""))
        for el in root.iter()
        if _local(el) == "Relationship"
    }


def _parse(archive: zipfile.ZipFile, part: str, path: Path) -> etree._Element:
    try:
        return etree.fromstring(archive.read(part), parser=etree.XMLParser(resolve_entities=False))
    except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, OSError) as error:
        raise not_xlsx(path, f"sérült rész: {part}") from error


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
