"""Character-level facts about written 4T text: spaces, invisible and control characters,
Latin-1 corruption, Cyrillic/Greek look-alike letters, and which letters a name may hold."""

from __future__ import annotations

import re
import unicodedata

from kkod.visible import visible

# Zero-width and soft-hyphen characters, removed by the canonical form too.
ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
# C0/C1 control characters (tab and line breaks included): never in a name, not fixed silently.
CONTROL_RE = re.compile(r"[\u0000-\u001f\u007f-\u009f]")
# Line breaks: Excel's Alt+Enter (LF), pasted Windows text (CR LF), Word's manual line break
# (VT), page break (FF), and Unicode's NEL and line/paragraph separators. In a name or a place
# a line break reads as a space (the canonical form makes it one; W13 fixes it).
LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
LINE_BREAK_RE = re.compile(f"[ ]*[{LINE_BREAKS}][{LINE_BREAKS} ]*")
# Spaces other than control characters: ordinary, non-breaking and the typographic ones.
SPACES_RE = re.compile(r"[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")

# The Latin-1 (Windows-1252) corruption of the Hungarian double-acute letters.
LATIN1_CORRUPTION = str.maketrans("õûÕÛ", "őűŐŰ")
LATIN1_CORRUPTED_RE = re.compile("[õûÕÛ]")

# Cyrillic and Greek letters that look exactly like Latin ones.
LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l",
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
    }
)  # fmt: skip
LOOKALIKE_RE = re.compile("[" + "".join(chr(c) for c in LOOKALIKES) + "]")

# Dashes and apostrophes the canonical form unifies, and their plain replacements.
TYPOGRAPHIC = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
    | dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u02b9\u00b4\u0060\u2032", "'")
)
TYPOGRAPHIC_RE = re.compile(
    "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
    "\u2018\u2019\u201a\u201b\u02bc\u02b9\u00b4\u0060\u2032]"
)

# The letters of the Hungarian alphabet: the fast path for names and places.
HUNGARIAN_LETTERS = "A-Za-zÁÉÍÓÖŐÚÜŰáéíóöőúüű"
# Punctuation a name may hold besides letters and single spaces.
NAME_PUNCTUATION = frozenset("-'.")


def without_line_breaks(text: str) -> str:
    """Every line break (with the spaces around it) one space."""
    return LINE_BREAK_RE.sub(" ", text)


def tidy_spaces(text: str) -> str:
    """Zero-width characters removed; every run of spaces one ordinary space; trimmed."""
    return SPACES_RE.sub(" ", ZERO_WIDTH_RE.sub("", text)).strip(" ")


def plain_typography(text: str) -> str:
    """Composed accents (Unicode NFC) and plain dashes and apostrophes."""
    return unicodedata.normalize("NFC", text).translate(TYPOGRAPHIC)


def repair_latin1(text: str) -> str:
    """``õ``/``û`` (Latin-1) → ``ő``/``ű``."""
    return text.translate(LATIN1_CORRUPTION)


def replace_lookalikes(text: str) -> str:
    """Cyrillic/Greek look-alike letters → Latin, but only if the result is all Latin
    (a name written wholly in another script is not "repaired")."""
    replaced = text.translate(LOOKALIKES)
    return replaced if all(is_latin_or_not_letter(ch) for ch in replaced) else text


def is_latin_or_not_letter(ch: str) -> bool:
    return not ch.isalpha() or "LATIN" in unicodedata.name(ch, "")


def bad_name_characters(text: str) -> list[str]:
    """The characters that cannot be in a name: anything but Latin letters, single spaces,
    ``-``, ``'`` and ``.`` (digits, symbols, control characters, emoji, other scripts)."""
    bad = []
    for ch in text:
        if ch == " " or ch in NAME_PUNCTUATION:
            continue
        if ch.isalpha() and "LATIN" in unicodedata.name(ch, ""):
            continue
        if ch not in bad:
            bad.append(ch)
    return bad


def describe_characters(chars: list[str]) -> str:
    """A Hungarian, human-readable list of characters: invisible ones by the tag the findings
    show in the value too (``[TAB]``, ``[ZWSP]``, ``[U+202E]``), the rest quoted."""
    shown = []
    for ch in chars:
        tag = "[szóköz]" if ch == " " else visible(ch, spaces=True)
        if tag != ch or CONTROL_RE.match(ch):
            shown.append(f"{tag} (láthatatlan vagy vezérlőkarakter)")
        else:
            shown.append(f"„{ch}”")
    return ", ".join(shown)
