"""The canonical matching form of 4T data (SPEC §4), applied identically to registry and request.

Unicode NFC; control and zero-width characters removed (a line break reads as a space);
whitespace collapsed and trimmed;
case-folded; dash and apostrophe variants unified; the ``dr.`` title dropped; Budapest
district notation normalised; the date parsed. Accents stay significant.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kkod.fourt.dates import parse_date
from kkod.fourt.model import Person4T
from kkod.places.budapest import format_budapest, parse_budapest

# Control characters except the line breaks (LF, VT, FF, CR, NEL), which read as a space.
_INVISIBLE_RE = re.compile(
    r"[\u0000-\u0009\u000e-\u001f\u007f-\u0084\u0086-\u009f\u200b-\u200f\u2060-\u2064\ufeff\u00ad]"
)
_SPACE_RE = re.compile(r"\s+")
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
_APOSTROPHES = dict.fromkeys(
    map(ord, "\u2018\u2019\u201a\u201b\u02bc\u02b9\u00b4\u0060\u2032"), "'"
)
_TRANSLATE = _DASHES | _APOSTROPHES
# "dr." / "Dr" as its own word, before or after the name; "Drótos" is left alone.
_DR_RE = re.compile(r"(?:(?<=\s)|^)dr\.?(?=\s|$)", re.IGNORECASE)
_KEY_SEPARATOR = "\x1f"
_blake2b = hashlib.blake2b
# Text that cleaning leaves as it is: printable ASCII (except the backtick, an apostrophe
# variant) and Hungarian letters, single spaces between, none at the ends. Most cells are such.
_PLAIN_CHARS = "!-_a-~ÁÉÍÓÖŐÚÜŰáéíóöőúüű"
_PLAIN_RE = re.compile(f"[{_PLAIN_CHARS}]+(?: [{_PLAIN_CHARS}]+)*")


@dataclass(frozen=True, slots=True)
class Canonical4T:
    """A 4T in canonical form; equal canonical forms identify the same person."""

    viselt_nev: str
    szuletesi_nev: str
    anyja_szuletesi_neve: str
    szuletesi_hely: str
    szuletesi_ido: date

    def match_key(self) -> bytes:
        """A 16-byte digest of all five fields, the key the registry indexes."""
        return match_key_of(
            self.viselt_nev,
            self.szuletesi_nev,
            self.anyja_szuletesi_neve,
            self.szuletesi_hely,
            self.szuletesi_ido,
        )


def clean_text(value: str) -> str:
    """NFC, invisible characters removed, dash/apostrophe variants unified, spaces collapsed."""
    if _PLAIN_RE.fullmatch(value):
        return value
    return _clean_text(value)


def _clean_text(value: str) -> str:
    # Invisible characters go first: one between a letter and its accent would block NFC.
    text = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", value)).translate(_TRANSLATE)
    return _SPACE_RE.sub(" ", text).strip()


def canonical_name(value: str) -> str:
    """A name in match form: cleaned, title ``dr.`` dropped, case-folded."""
    if _PLAIN_RE.fullmatch(value) and not _DR_RE.search(value):
        # Nothing to clean or drop; folding these letters keeps them composed (NFC).
        return value.casefold()
    return _canonical_name(value)


def _canonical_name(value: str) -> str:
    text = _DR_RE.sub(" ", _clean_text(value))
    return _fold(_SPACE_RE.sub(" ", text).strip())


def canonical_place(value: str) -> str:
    """A birth place in match form; Budapest districts become ``budapest NN``."""
    text = clean_text(value)
    budapest = parse_budapest(text)
    if budapest is not None and budapest.district is not None:
        return format_budapest(budapest.district).casefold()
    return _fold(text)


def canonical(person: Person4T) -> Canonical4T | None:
    """The canonical form of ``person``, or ``None`` if it cannot be read as 4T
    (a field empty or the date not a real calendar date)."""
    names = [
        canonical_name(_as_text(person.viselt_nev)),
        canonical_name(_as_text(person.szuletesi_nev)),
        canonical_name(_as_text(person.anyja_szuletesi_neve)),
    ]
    place = canonical_place(_as_text(person.szuletesi_hely))
    born = parse_date(
        clean_text(person.szuletesi_ido)
        if isinstance(person.szuletesi_ido, str)
        else person.szuletesi_ido
    )
    if not all(names) or not place or born is None:
        return None
    return Canonical4T(*names, place, born)


def match_key_of(
    viselt_nev: str, szuletesi_nev: str, anyja_neve: str, szuletesi_hely: str, szuletesi_ido: date
) -> bytes:
    """The match key of fields that are already canonical (used by bulk registry loading)."""
    return match_key_of_text(
        viselt_nev, szuletesi_nev, anyja_neve, szuletesi_hely, szuletesi_ido.isoformat()
    )


def match_key_of_text(
    viselt_nev: str, szuletesi_nev: str, anyja_neve: str, szuletesi_hely: str, iso_date: str
) -> bytes:
    """:func:`match_key_of` with the date already as ISO text (``1985-03-12``)."""
    sep = _KEY_SEPARATOR
    joined = (
        f"{viselt_nev}{sep}{szuletesi_nev}{sep}{anyja_neve}{sep}{szuletesi_hely}{sep}{iso_date}"
    )
    return _blake2b(joined.encode(), digest_size=16).digest()


def _fold(text: str) -> str:
    """Case-folded, then NFC again: folding can decompose (``ß́`` → ``ss´``), and the form
    must be idempotent."""
    return unicodedata.normalize("NFC", text.casefold())


def _as_text(value: object) -> str:
    return "" if value is None else str(value)
