"""A PDF from outside checked before any parser reads it: size, shape, nesting, compression, scripts.

pyHanko parses nested arrays and dictionaries recursively and inflates streams whole, so a
hostile PDF could exhaust the stack (100,000 nested arrays) or the memory (a PDF bomb). This
linear scan refuses such files first, with a Hungarian reason naming what is wrong.
"""

from __future__ import annotations

import re
import zlib

from kkod.errors import KkodError
from kkod.oserrors import human_size

MAX_NESTING = 100
"""Deepest nesting of arrays and dictionaries accepted (a declaration needs fewer than 10)."""

MAX_INFLATED = 64 * 1024 * 1024
"""Most bytes all of a PDF's compressed streams may inflate to together."""

_DEFLATE_MAX_RATIO = 1032  # the most deflate can expand: 258 bytes from 2 bits
_OPENING = 64  # inflated bytes enough to tell an object stream from the others
# An object stream begins with its objects' numbers; one that begins with more blanks than
# the opening holds is inflated whole to tell.
_OBJECTS_MAY_START = frozenset(b"%d" % digit for digit in range(10)) | {b""}

_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_BRACKETS = re.compile(rb"<<|>>|\[|\]")
_SCRIPT = re.compile(rb"/(?:JavaScript|JS)(?=[\s/<\[(>]|$)")
_ENCRYPT = re.compile(rb"/Encrypt(?=[\s/<\[])")


class PdfRefused(KkodError):
    """The PDF is refused before parsing; the message says why in Hungarian."""


def check_pdf(data: bytes, *, max_bytes: int, what: str = "A nyilatkozat") -> None:
    """Raise :class:`PdfRefused` unless ``data`` is safe to hand to a PDF parser.

    ``what`` names the file in the message (``A nyilatkozat``).
    """
    if not data.strip():
        raise PdfRefused(f"{what} üres fájl, nem PDF-dokumentum.")
    if len(data) > max_bytes:
        raise PdfRefused(
            f"{what} túl nagy ({human_size(len(data))}); legfeljebb {human_size(max_bytes)} lehet "
            "(KKOD_DECLARATION_MAX_BYTES). Egy nyilatkozat néhány száz kilobájt: mentse el újra "
            "képek nélkül, vagy kisebb felbontással szkennelve."
        )
    if b"%PDF-" not in data[:1024]:
        from kkod.filekind import sniff

        raise PdfRefused(f"{what} nem PDF-dokumentum, hanem {sniff(data)}.")
    if b"%%EOF" not in data[-65536:]:
        raise PdfRefused(
            f"{what} csonka PDF-fájl (hiányzik a vége): a fájl a küldéskor vagy mentéskor "
            "megsérült. Küldje el újra az eredeti fájlt."
        )
    outside, streams = _split_streams(data, what)
    if _ENCRYPT.search(outside):
        raise PdfRefused(
            f"{what} jelszóval védett (titkosított) PDF, ezért nem ellenőrizhető. Mentse el "
            "jelszó és titkosítás nélkül, írja alá, és küldje el újra."
        )
    _check_nesting(outside, what)
    inflated_total = 0
    others: list[bytes] = []  # streams holding no objects: only what they inflate to counts
    for body in streams:
        opening = _inflate(body, _OPENING)
        if opening is None:
            continue
        if opening.lstrip()[:1] not in _OBJECTS_MAY_START:
            others.append(body)
            continue
        inflated = _inflate(body, MAX_INFLATED - inflated_total)
        if inflated is None:
            continue
        inflated_total += len(inflated)
        _refuse_a_bomb(inflated_total, what)
        if inflated.lstrip()[:1].isdigit():  # an object stream: objects, checked like the rest
            _check_nesting(inflated, what)
            outside += b"\n" + inflated[:1_000_000]
    # The rest (fonts, images, glyph maps) are inflated only when deflate's largest ratio
    # could take them over the limit: a declaration's never can, and inflating its glyph maps
    # (128 KiB each) was most of this check's time.
    if inflated_total + _DEFLATE_MAX_RATIO * sum(map(len, others)) > MAX_INFLATED:
        for body in others:
            inflated_total += len(_inflate(body, MAX_INFLATED - inflated_total) or b"")
            _refuse_a_bomb(inflated_total, what)
    if _SCRIPT.search(outside):
        raise PdfRefused(
            f"{what} JavaScript-kódot tartalmaz; a nyilatkozatban nem lehet program. Mentse el "
            "a nyilatkozatot nyomtatható PDF-ként (programkód nélkül), írja alá, és küldje el újra."
        )


def _refuse_a_bomb(inflated_total: int, what: str) -> None:
    if inflated_total > MAX_INFLATED:
        raise PdfRefused(
            f"{what} tömörített tartalma kibontva több mint {human_size(MAX_INFLATED)} (PDF-bomba "
            "vagy rendellenes fájl), ezért nem dolgozzuk fel. Mentse el újra a PDF-et."
        )


def _split_streams(data: bytes, what: str) -> tuple[bytes, list[bytes]]:
    """The bytes outside streams, and each stream's raw body."""
    outside: list[bytes] = []
    streams: list[bytes] = []
    position = 0
    # Searched from the end of the last stream on: a stream's body is never scanned by the
    # expression, only by ``find`` for its end (the compressed bodies are most of the bytes).
    while (match := _STREAM.search(data, position)) is not None:
        end = data.find(b"endstream", match.end())
        if end < 0:
            raise PdfRefused(
                f"{what} csonka PDF-fájl (egy adatfolyamnak nincs vége). Küldje el újra az "
                "eredeti fájlt."
            )
        outside.append(data[position : match.start()])
        streams.append(data[match.end() : end])
        position = end + len(b"endstream")
    outside.append(data[position:])
    return b"".join(outside), streams


def _check_nesting(data: bytes, what: str) -> None:
    depth = 0
    for match in _BRACKETS.finditer(data):
        if match.group() in (b"<<", b"["):
            depth += 1
            if depth > MAX_NESTING:
                raise PdfRefused(
                    f"{what} szerkezete rendellenes: több mint {MAX_NESTING} szintig egymásba "
                    "ágyazott tömböket vagy szótárakat tartalmaz. Ilyen fájlt a PDF-készítő "
                    "programok nem írnak; mentse el újra a nyilatkozatot PDF-ként."
                )
        elif depth:
            depth -= 1


def _inflate(body: bytes, limit: int) -> bytes | None:
    """``body`` inflated (at most ``limit`` + 1 bytes), or ``None`` when it is not zlib data."""
    if not body[:2] or body[0] & 0x0F != 8:  # not a zlib header (deflate method)
        return None
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(body, max(limit, 0) + 1)
    except zlib.error:
        return None
