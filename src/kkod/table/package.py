"""The .xlsx zip package, opened as hostile input.

Before anything is inflated: the file's size, what it really is (:mod:`kkod.table.sniff`), the
zip's member count (from its end record, before the central directory is read), each member's
name, encryption, compression method, declared size and ratio, the total size, and that no two
members share compressed bytes (the overlapping-member zip bomb). A member is inflated only up
to its declared size, and must end exactly there with its CRC. XML parts with a DTD or in
another encoding than UTF-8 are refused. The worksheets are listed as calamine will find them
(calamine reads ``xl/workbook.xml`` and its relationships at fixed places); a workbook whose
relationships would make calamine read another part than ours is refused.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from kkod.errors import TableError
from kkod.hungarian import article
from kkod.table import sniff
from kkod.table.limits import RATIO_FROM_BYTES, TableLimits, amount, size, variable
from kkod.zipmembers import stored_info, stored_span, write_stored

OFFICE_DOCUMENT = "/officeDocument"  # relationship type suffix (transitional and strict)
WORKSHEET = "/worksheet"
WORKBOOK_PART = "xl/workbook.xml"  # where calamine reads it, whatever _rels/.rels says
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
_MACRO_CONTENT = b"macroEnabled"
# Parts parsed into a tree (workbook, relationships, content types) are small in any real file.
_TREE_PART_BYTES = 16 * 2**20
# A part read a block at a time (Package.blocks) is inflated this much at once.
INFLATE_BLOCK = 4 * 2**20
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
_METHODS = {
    zipfile.ZIP_STORED: "tárolt",
    zipfile.ZIP_DEFLATED: "deflate",
}
_METHOD_NAMES = {
    9: "Deflate64 (a Windows Intéző így tömöríti a nagy fájlokat)",
    12: "BZIP2 (pl. 7-Zip)",
    14: "LZMA (pl. 7-Zip)",
    93: "Zstandard",
    95: "XZ",
    98: "PPMd (pl. 7-Zip)",
    99: "AES-titkosítás",
}
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_XML_DECL = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)?", re.S)
_RESAVE = "Mentse újra a táblázatot Excelben vagy LibreOffice-ban (.xlsx), és az új fájlt küldje."


@dataclass(frozen=True, slots=True)
class SheetRef:
    """A worksheet of the workbook: its name as the user sees it, its part, its visibility."""

    name: str
    part: str  # zip member name, e.g. "xl/worksheets/sheet1.xml"
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class OtherSheet:
    """A sheet that is not a worksheet (a chart sheet, a macro sheet): named in messages."""

    name: str
    kind: str  # Hungarian, e.g. "diagramlap"


def not_xlsx(path: Path, what: str, fix: str = "") -> TableError:
    fix = fix or "A kitöltött „Kapcsolati kód adattáblázat” sablont .xlsx formában küldje."
    return TableError(
        f"{article(path.name).capitalize()} „{path.name}” fájl nem olvasható Excel-munkafüzetként (.xlsx): {what}. {fix}"
    )


def refused(path: Path, what: str, fix: str = _RESAVE) -> TableError:
    """The workbook cannot be processed safely: what is wrong, and the fix."""
    return TableError(
        f"{article(path.name).capitalize()} „{path.name}” munkafüzet nem dolgozható fel: {what}. {fix}"
    )


def too_big(path: Path, what: str, limit: str) -> TableError:
    return TableError(
        f"{article(path.name).capitalize()} „{path.name}” munkafüzet túl nagy a feldolgozáshoz: {what} "
        f"(a korlát {article(variable(limit))} {variable(limit)} beállítással módosítható). Ha a táblázat valóban "
        "ekkora, ossza több táblázatra; ha nem, mentse újra Excelben vagy LibreOffice-ban "
        "(a végén álló üres, csak formázott sorokat törölve)."
    )


class Package:
    """An .xlsx file read into memory and checked as a zip (see the module's description).

    ``members`` are the zip's entries; :meth:`read` inflates one, :meth:`xml` also checks it
    as XML, :meth:`raw` gives its compressed bytes as stored (for copying it unchanged).
    ``data``: the file's bytes when they are in memory already (an attachment); ``path`` then
    only names the file in messages.
    """

    def __init__(
        self, path: Path, limits: TableLimits | None = None, data: bytes | None = None
    ) -> None:
        self.path = path = Path(path)
        self.limits = limits = limits or TableLimits.from_settings()
        self.data = read_limited(path, limits) if data is None else limited(path, data, limits)
        if not self.data.startswith(b"PK\x03\x04"):
            kind = sniff.sniff(self.data, path.name)
            raise not_xlsx(path, kind.what, kind.fix)
        declared = _declared_entries(self.data)
        if declared is None:
            raise not_xlsx(path, sniff.TRUNCATED_ZIP.what, sniff.TRUNCATED_ZIP.fix)
        if declared > limits.max_members:
            raise too_big(
                path,
                f"{amount(declared)} fájlt tartalmaz, legfeljebb {amount(limits.max_members)} lehet",
                "max_members",
            )
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
            raise not_xlsx(path, sniff.TRUNCATED_ZIP.what, sniff.TRUNCATED_ZIP.fix) from None
        self.members = {info.filename: info for info in self.archive.infolist()}
        self._spans: dict[str, tuple[int, int]] = {}
        self._check_members()

    # -- the zip ------------------------------------------------------------------------------

    def _check_members(self) -> None:
        path, limits = self.path, self.limits
        infos = self.archive.infolist()
        if len(self.members) != len(infos):
            seen: set[str] = set()
            twice = next(i.filename for i in infos if i.filename in seen or seen.add(i.filename))
            raise refused(path, f"a zip-archívumban két tag is „{twice}” nevű")
        total = 0
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise refused(path, f"a zip-archívum szabálytalan nevű tagot tartalmaz („{name}”)")
            if info.flag_bits & 0x41 or info.compress_type == 99:
                raise refused(
                    path,
                    f"a zip-archívum „{name}” tagja jelszóval titkosított",
                    "Csomagolja ki, és az eredeti, jelszó nélküli .xlsx munkafüzetet küldje; "
                    "vagy mentse újra Excelben vagy LibreOffice-ban.",
                )
            if info.compress_type not in _METHODS:
                method = _METHOD_NAMES.get(info.compress_type, f"{info.compress_type}. számú")
                raise refused(
                    path,
                    f"a zip-archívum „{name}” tagja {method} módszerrel tömörített, amelyet "
                    "Excel-munkafüzet nem használ",
                )
            if info.file_size > limits.max_member_bytes:
                raise too_big(
                    path,
                    f"{article(name)} „{name}” rész kibontva {size(info.file_size)}, legfeljebb "
                    f"{size(limits.max_member_bytes)} lehet",
                    "max_member_bytes",
                )
            if info.file_size >= RATIO_FROM_BYTES and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise refused(
                    path,
                    f"{article(name)} „{name}” rész {info.file_size // max(info.compress_size, 1)}-szorosára "
                    f"bomlik ki (legfeljebb {limits.max_ratio}-szeresére lehet, "
                    f"{variable('max_ratio')}): ez „zip-bomba”, nem munkafüzet",
                    "Ilyen fájlt nem dolgozunk fel; küldje el a kitöltött sablont.",
                )
            total += info.file_size
        if total > limits.max_total_bytes:
            raise too_big(
                path,
                f"a részei kibontva összesen {size(total)}, legfeljebb "
                f"{size(limits.max_total_bytes)} lehet",
                "max_total_bytes",
            )
        self._check_spans(infos)

    def _check_spans(self, infos: list[zipfile.ZipInfo]) -> None:
        """Every member's bytes lie in their own stretch of the file (no overlapping members)."""
        data = self.data
        previous_end, previous = 0, ""
        for info in sorted(infos, key=lambda i: i.header_offset):
            span = stored_span(data, info)
            if span is None:
                raise not_xlsx(self.path, sniff.TRUNCATED_ZIP.what, sniff.TRUNCATED_ZIP.fix)
            begin, end = span
            if info.header_offset < previous_end:
                raise refused(
                    self.path,
                    f"a zip-archívum „{info.filename}” és „{previous}” tagja ugyanazokat a "
                    "tömörített bájtokat használja (átfedő tagok: „zip-bomba”)",
                    "Ilyen fájlt nem dolgozunk fel; küldje el a kitöltött sablont.",
                )
            if end > len(data):
                raise not_xlsx(self.path, sniff.TRUNCATED_ZIP.what, sniff.TRUNCATED_ZIP.fix)
            self._spans[info.filename] = (begin, end)
            previous_end, previous = end, info.filename

    # -- members ------------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.members

    def raw(self, name: str) -> memoryview:
        """The member's compressed bytes as stored."""
        begin, end = self._spans[name]
        return memoryview(self.data)[begin:end]

    def read(self, name: str) -> bytes:
        """The member inflated: exactly its declared size, its stream ending there, its CRC right
        (:meth:`blocks` in one block)."""
        return b"".join(self.blocks(name, self.members[name].file_size + 1))

    def blocks(self, name: str, size: int = INFLATE_BLOCK) -> Iterator[bytes]:
        """:meth:`read` a block of at most ``size`` bytes at a time, with the same checks: the
        size, the stream's end and the CRC are checked after the last block."""
        info = self.members[name]
        raw = self.raw(name)
        total, crc = 0, 0
        if info.compress_type == zipfile.ZIP_STORED:
            for start in range(0, len(raw), size):
                block = bytes(raw[start : start + size])
                total, crc = total + len(block), zlib.crc32(block, crc)
                yield block
            complete = total == info.file_size
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            pending: bytes | memoryview = raw
            while not inflater.eof and total <= info.file_size:
                try:
                    block = inflater.decompress(pending, size)
                except zlib.error:
                    raise not_xlsx(self.path, f"sérült tömörített rész: {name}") from None
                pending = inflater.unconsumed_tail
                if not block and not pending:
                    break  # the stream ends before its end mark
                total, crc = total + len(block), zlib.crc32(block, crc)
                if total <= info.file_size:
                    yield block
            complete = total == info.file_size and inflater.eof and not pending
        if not complete:
            raise refused(
                self.path,
                f"{article(name)} „{name}” rész kibontva nem akkora, amekkorának a zip-archívum mondja "
                "(sérült vagy szándékosan félrevezető archívum)",
            )
        if crc != info.CRC:
            raise not_xlsx(self.path, f"sérült rész (hibás ellenőrzőösszeg): {name}")

    def with_member(self, name: str, pieces: Sequence[bytes | memoryview]) -> bytes:
        """This zip with member ``name`` made of ``pieces`` and stored uncompressed (a reader
        takes it without inflating it); every other member copied as stored."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for info in self.archive.infolist():
                if info.filename != name:
                    write_stored(out, stored_info(info), self.raw(info.filename))
                    continue
                member = zipfile.ZipInfo(name, date_time=info.date_time)
                member.file_size = sum(len(piece) for piece in pieces)
                with out.open(member, "w") as stream:
                    for piece in pieces:
                        stream.write(piece)
        return buffer.getvalue()

    def head(self, name: str, length: int) -> bytes:
        """At most the first ``length`` bytes of the member, inflating no more than needed."""
        info = self.members[name]
        raw = self.raw(name)
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(raw[:length])
        try:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, length)
        except zlib.error:
            raise not_xlsx(self.path, f"sérült tömörített rész: {name}") from None

    def xml(self, name: str) -> bytes:
        """The member inflated and checked as XML: UTF-8, no DTD."""
        data = self.read(name)
        check_xml_prolog(data, name, self.path)
        return data

    def tree(self, name: str) -> etree._Element:
        """A small XML part (workbook, relationships, content types) parsed, entities never resolved."""
        if self.members[name].file_size > _TREE_PART_BYTES:
            raise too_big(
                self.path,
                f"{article(name)} „{name}” rész {size(self.members[name].file_size)}, legfeljebb "
                f"{size(_TREE_PART_BYTES)} lehet",
                "max_member_bytes",
            )
        try:
            return etree.fromstring(self.xml(name), parser=_SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            raise not_xlsx(self.path, f"sérült rész: {name}") from error

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the workbook -------------------------------------------------------------------------

    def check_workbook(self) -> None:
        """Refuse zips that are not a plain .xlsx workbook, naming what they are."""
        path, names = self.path, self.members
        if "mimetype" in names and b"opendocument" in self.read("mimetype")[:200]:
            raise not_xlsx(path, sniff.ODS.what, sniff.ODS.fix)
        if "xl/workbook.bin" in names:
            raise not_xlsx(path, sniff.XLSB.what, sniff.XLSB.fix)
        if "xl/vbaProject.bin" in names or (
            "[Content_Types].xml" in names and _MACRO_CONTENT in self.read("[Content_Types].xml")
        ):
            raise not_xlsx(path, sniff.XLSM.what, sniff.XLSM.fix)
        if WORKBOOK_PART not in names:
            raise not_xlsx(path, _zip_without_workbook(list(names)), _UNPACK)
        if "_rels/.rels" in names:
            targets = [
                resolve("", target)
                for rel_type, target, _ in self._relationships("_rels/.rels").values()
                if rel_type.endswith(OFFICE_DOCUMENT)
            ]
            if targets and WORKBOOK_PART not in targets:
                raise refused(
                    path,
                    f"a munkafüzet fő része nem a szokásos helyén van ({targets[0]})",
                )

    def sheets(self) -> tuple[list[SheetRef], list[OtherSheet]]:
        """The worksheets in workbook order, and the other sheets (for messages)."""
        path = self.path
        if WORKBOOK_RELS not in self.members:
            raise not_xlsx(path, f"hiányzik {article(WORKBOOK_RELS)} {WORKBOOK_RELS} rész")
        rels = self._relationships(WORKBOOK_RELS)
        workbook = self.tree(WORKBOOK_PART)
        worksheets: list[SheetRef] = []
        others: list[OtherSheet] = []
        seen: set[str] = set()
        for sheet in (el for el in workbook.iter() if _local(el) == "sheet"):
            name = sheet.get("name", "")
            if name.casefold() in seen:
                raise refused(path, f"két munkalapnak is „{name}” a neve")
            seen.add(name.casefold())
            rel_type, target, mode = rels.get(
                sheet.get(_R_ID) or sheet.get(_R_ID_STRICT) or "", ("", "", "")
            )
            if not rel_type.endswith(WORKSHEET):
                kind = "diagramlap" if rel_type.endswith("/chartsheet") else "nem munkalap"
                others.append(OtherSheet(name, kind))
                continue
            part = resolve(WORKBOOK_PART, target)
            if (
                mode.lower() == "external"
                or part != _calamine_part(target)
                or part not in self.members
            ):
                raise refused(
                    path,
                    f"{article(name)} „{name}” munkalap a munkafüzetben szabálytalan helyre mutat "
                    f"(„{target}”)",
                )
            worksheets.append(
                SheetRef(name, part, hidden=sheet.get("state", "visible") != "visible")
            )
        return worksheets, others

    def _relationships(self, part: str) -> dict[str, tuple[str, str, str]]:
        """Id → (type, target, target mode) of a relationships part."""
        root = self.tree(part)
        return {
            el.get("Id", ""): (el.get("Type", ""), el.get("Target", ""), el.get("TargetMode", ""))
            for el in root.iter()
            if _local(el) == "Relationship"
        }


_UNPACK = (
    "Ha a táblázatot becsomagolta, csomagolja ki, és magát a kitöltött .xlsx munkafüzetet küldje."
)


def _zip_without_workbook(names: list[str]) -> str:
    if "word/document.xml" in names:
        return "Word-dokumentum (.docx), nem munkafüzet"
    if "ppt/presentation.xml" in names:
        return "PowerPoint-bemutató (.pptx), nem munkafüzet"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return f"zip-archívum, de nincs benne Excel-munkafüzet (xl/workbook.xml); tartalma: {shown}"


def resolve(source_part: str, target: str) -> str:
    """A relationship target as a zip member name (OPC: absolute from the root, else relative)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _calamine_part(target: str) -> str:
    """The member calamine reads for a worksheet relationship's target."""
    if target.startswith("/xl/"):
        return target[1:]
    if target.startswith("xl/"):
        return target
    return f"xl/{target}"


def check_xml_prolog(data: bytes, part: str, path: Path) -> None:
    """Refuse an XML part in another encoding than UTF-8 or with a DTD (entities, XXE)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refused(
            path, f"{article(part)} „{part}” rész UTF-16 kódolású; munkafüzetben UTF-8 kell"
        )
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    declaration = _XML_DECL.match(data, start)
    if declaration:
        encoding = declaration[1].decode("ascii", "replace")
        if encoding.lower().replace("-", "").replace("_", "") != "utf8":
            raise refused(
                path,
                f"{article(part)} „{part}” rész {encoding} kódolású; Excel-munkafüzet részei mindig "
                "UTF-8 kódolásúak (ezt a fájlt nem Excel vagy LibreOffice mentette)",
            )
    position = prolog_end(data, start)
    if data.startswith(b"<!DOCTYPE", position) or data.startswith(b"<!ENTITY", position):
        raise refused(
            path,
            f"{article(part)} „{part}” rész dokumentumtípus-definíciót (DTD, <!DOCTYPE>) tartalmaz, "
            "amilyet Excel-munkafüzet soha",
            "Ilyen fájlt nem dolgozunk fel; küldje el a kitöltött sablont.",
        )


def prolog_end(data: bytes, start: int = 0) -> int:
    """Where the declaration, comments and processing instructions before the root end."""
    position = start
    while True:
        m = _PROLOG_SKIP.match(data, position)
        if m is None or m.end() == position:
            return position
        position = m.end()


def limited(path: Path, data: bytes, limits: TableLimits) -> bytes:
    """``data`` (the bytes of the file ``path`` names), refused as :func:`read_limited` refuses
    a file bigger than :attr:`TableLimits.max_file_bytes`."""
    _check_size(path, len(data), limits)
    return data


def _check_size(path: Path, file_bytes: int, limits: TableLimits) -> None:
    if file_bytes > limits.max_file_bytes:
        raise too_big(
            path,
            f"a fájl {size(file_bytes)}, legfeljebb {size(limits.max_file_bytes)} lehet",
            "max_file_bytes",
        )


def read_limited(path: Path, limits: TableLimits) -> bytes:
    """The file's bytes, refused first if it is bigger than :attr:`TableLimits.max_file_bytes`."""
    try:
        if path.is_dir():
            raise TableError(
                f"{article(path.name).capitalize()} „{path.name}” mappa, nem fájl: a kitöltött táblázat (.xlsx) fájlját adja meg."
            )
        _check_size(path, path.stat().st_size, limits)
        return path.read_bytes()
    except FileNotFoundError:
        raise TableError(f"{article(path).capitalize()} „{path}” fájl nem található.") from None
    except IsADirectoryError:
        raise TableError(
            f"{article(path.name).capitalize()} „{path.name}” mappa, nem fájl: a kitöltött táblázat (.xlsx) fájlját adja meg."
        ) from None
    except OSError as error:
        raise TableError(
            f"{article(path).capitalize()} „{path}” fájl nem nyitható meg ({error.strerror})."
        ) from None


def _declared_entries(data: bytes) -> int | None:
    """The member count the zip's end record states (ZIP64 too), read before the central
    directory is; ``None`` when there is no end record."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return None
    (entries,) = struct.unpack_from("<H", data, at + 10)
    if entries == 0xFFFF:
        locator = at - 20
        if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack_from("<Q", data, locator + 8)
            if offset + 56 <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
                (entries,) = struct.unpack_from("<Q", data, offset + 32)
    return entries


def _unsafe_name(name: str) -> bool:
    """A member name no workbook has: absolute, with a drive, backslashes or ``..`` parts."""
    return (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
