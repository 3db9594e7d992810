"""Which export column feeds which table field: the recognised Hungarian headers (pure).

A header is compared folded (case, accents, dots, spaces and punctuation ignored), so
``Szül. hely``, ``SZULETESI HELY`` and ``születési_hely`` are the same header. Every
recognised header is listed in ``docs/employer.md``; a test keeps the two alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kkod.table.sheet_xml import column_letters

# The targets an export column can feed, by the key ``--map`` takes, with the Hungarian
# label the mapping table shows. Name parts are joined in the order of PARTS.
TARGETS: dict[str, str] = {
    "belso_azonosito": "B Belső azonosító",
    "megjegyzes": "C Megjegyzés",
    "viselt_nev": "D Viselt név",
    "viselt_csaladi_nev": "D Viselt név (családi név)",
    "viselt_utonev": "D Viselt név (utónév)",
    "viselt_utonev2": "D Viselt név (második utónév)",
    "szuletesi_nev": "F Születési név",
    "szuletesi_csaladi_nev": "F Születési név (családi név)",
    "szuletesi_utonev": "F Születési név (utónév)",
    "szuletesi_utonev2": "F Születési név (második utónév)",
    "anyja_szuletesi_neve": "G Anyja születési neve",
    "anyja_csaladi_nev": "G Anyja születési neve (családi név)",
    "anyja_utonev": "G Anyja születési neve (utónév)",
    "szuletesi_hely": "H Születési hely",
    "szuletesi_ido": "I Születési idő",
    "szuletesi_hely_ido": "H és I Születési hely és idő (egy oszlopban)",
    "kihagy": "— nem kerül a táblázatba",
}
SKIP = "kihagy"
# Table field → its parts, joined with a space when the export splits it.
PARTS: dict[str, tuple[str, ...]] = {
    "viselt_nev": ("viselt_csaladi_nev", "viselt_utonev", "viselt_utonev2"),
    "szuletesi_nev": ("szuletesi_csaladi_nev", "szuletesi_utonev", "szuletesi_utonev2"),
    "anyja_szuletesi_neve": ("anyja_csaladi_nev", "anyja_utonev"),
}
COMBINED = "szuletesi_hely_ido"
REQUIRED_FIELDS = (
    "viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve", "szuletesi_hely", "szuletesi_ido",
)  # fmt: skip

# The headers recognised for each target, as HR systems (and people) write them.
RECOGNISED: dict[str, tuple[str, ...]] = {
    "belso_azonosito": (
        "Belső azonosító", "Törzsszám", "Személyi törzsszám", "Dolgozói törzsszám",
        "Törzsszám (HR)", "Azonosító", "Dolgozói azonosító", "Dolgozó azonosító",
        "Munkavállalói azonosító", "HR azonosító", "Nyilvántartási szám", "Saját azonosító",
        "Személyi azonosító", "Dolgozószám", "Dolgozói szám", "Munkavállalói szám",
    ),
    "megjegyzes": ("Megjegyzés", "Megj.", "Közlemény"),
    "viselt_nev": (
        "Viselt név", "Név", "Dolgozó neve", "Dolgozó", "Munkavállaló neve", "Munkavállaló",
        "Teljes név", "Viselt teljes név", "Családi és utónév", "Családi és utónév (viselt)",
        "Jelenlegi név", "Alkalmazott neve", "Köztisztviselő neve", "Kormánytisztviselő neve",
        "Név (viselt)",
    ),
    "viselt_csaladi_nev": (
        "Vezetéknév", "Családi név", "Családnév", "Viselt családi név", "Viselt vezetéknév",
    ),
    "viselt_utonev": (
        "Keresztnév", "Utónév", "Utónév 1", "Első utónév", "Viselt utónév", "Viselt keresztnév",
    ),
    "viselt_utonev2": ("Második utónév", "Utónév 2", "2. utónév", "Második keresztnév"),
    "szuletesi_nev": (
        "Születési név", "Szül. név", "Születési teljes név", "Születéskori név",
        "Leánykori név", "Születési családi és utónév",
    ),
    "szuletesi_csaladi_nev": (
        "Születési családi név", "Születési vezetéknév", "Születési családnév",
        "Leánykori családi név", "Leánykori vezetéknév", "Szül. családi név", "Szül. vezetéknév",
    ),
    "szuletesi_utonev": (
        "Születési utónév", "Születési keresztnév", "Születési utónév 1", "Szül. utónév",
        "Szül. keresztnév",
    ),
    "szuletesi_utonev2": ("Születési második utónév", "Születési utónév 2"),
    "anyja_szuletesi_neve": (
        "Anyja születési neve", "Anyja neve", "Anya neve", "Anyja szül. neve",
        "Anyja születési családi és utóneve", "Anyja leánykori neve", "Anyja teljes neve",
        "Anyja szül. név", "Anyja név",
    ),
    "anyja_csaladi_nev": (
        "Anyja születési családi neve", "Anyja családi neve", "Anyja vezetékneve",
        "Anyja születési vezetékneve", "Anyja családi név", "Anyja vezetéknév",
    ),
    "anyja_utonev": (
        "Anyja születési utóneve", "Anyja utóneve", "Anyja keresztneve", "Anyja utónév",
        "Anyja keresztnév",
    ),
    "szuletesi_hely": (
        "Születési hely", "Szül. hely", "Szülhely", "Születési település", "Születés helye",
        "Született (hely)", "Szül. település", "Hely (születési)",
    ),
    "szuletesi_ido": (
        "Születési idő", "Szül. idő", "Születési dátum", "Szül. dátum", "Születés ideje",
        "Születés dátuma", "Született", "Született (dátum)", "Születésnap", "Szül. nap",
        "Szülidő",
    ),
    "szuletesi_hely_ido": (
        "Születési hely, idő", "Születési hely és idő", "Szül. hely, idő", "Szül. hely és idő",
        "Születési hely, dátum", "Születési hely és dátum", "Szül. hely, dátum",
        "Született (hely, idő)", "Születés helye és ideje",
    ),
}  # fmt: skip


def fold(header: object) -> str:
    """A header as compared: lower case, no accents, only letters and digits, single spaces."""
    text = unicodedata.normalize("NFKD", str(header or "")).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


_BY_FOLDED: dict[str, str] = {
    fold(header): target for target, headers in RECOGNISED.items() for header in headers
}
assert len(_BY_FOLDED) == sum(map(len, RECOGNISED.values())), "a header recognised twice"


def recognise(header: object) -> str | None:
    """The target of a header, or ``None`` when it is not one kkod knows."""
    return _BY_FOLDED.get(fold(header))


def target_of(text: str) -> str | None:
    """A ``--map`` target: its key (``szuletesi_hely``) or the table's header of it
    (``Születési hely``), folded; ``None`` if it is neither."""
    folded = fold(text)
    for key in TARGETS:
        if fold(key) == folded:
            return key
    for key, label in TARGETS.items():
        if fold(label.split(" ", 1)[1]) == folded and "(" not in label:
            return key
    return None


@dataclass(frozen=True, slots=True)
class Source:
    """One column of the export: its position (0-based), its letter and its header."""

    index: int
    header: str

    @property
    def letter(self) -> str:
        return column_letters(self.index + 1)
