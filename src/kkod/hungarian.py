"""Small pieces of Hungarian that kkod's texts need: the definite article, dates and times.

``article("5")`` is ``az`` (öt), ``article("2")`` is ``a`` (kettő): the article follows the
sound the word starts with when read aloud, numbers and abbreviations included. Dates are
written ``2026.12.02.``, times in Europe/Budapest with the zone (``2026.12.02. 14:05 CET``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUDAPEST = ZoneInfo("Europe/Budapest")

_VOWELS = frozenset("aáeéiíoóöőuúüű")
# Letters whose Hungarian name starts with a vowel sound, for abbreviations read letter by
# letter (SMTP: es-em-té-pé, so "az SMTP"; PDF: pé-dé-ef, so "a PDF").
_VOWEL_NAMED_LETTERS = _VOWELS | frozenset("flmnrsxy")
_LEADING_NOISE = re.compile(r"^[^\w]+")  # quotes, brackets, dashes, slashes before the word
_NUMBER = re.compile(r"^\d[\d\s\u00a0.]*")


def article(word: object) -> str:
    """``a`` or ``az`` before ``word`` (a word, a name, an abbreviation or a number).

    Numbers are read aloud: az 1, az 5, az 50, az 1000 (ezer), a 2, a 100 (száz), a 10.
    A lone letter or an abbreviation of capitals with no vowel is read letter by letter
    (az F oszlop, az x.xlsx, az SMTP, a PDF); one with a vowel as a word (a KRID, az ELTE).
    Quotes, brackets and dashes before the word are skipped (az „Eger”, az --org).
    """
    text = _LEADING_NOISE.sub("", str(word))
    if not text:
        return "a"
    number = _NUMBER.match(text)
    if number:
        return "az" if _number_starts_with_vowel(number.group()) else "a"
    first = text[0].lower()
    if first in _VOWELS:
        return "az"
    head = re.match(r"[^\W\d_]+", text)
    letters = head.group() if head else ""
    if len(letters) == 1 or (letters.isupper() and not set(letters.lower()) & _VOWELS):
        return "az" if first in _VOWEL_NAMED_LETTERS else "a"
    return "a"


def with_article(word: object, *, capital: bool = False) -> str:
    """``word`` after its article: ``az 5``, ``a KRID``; ``capital`` starts a sentence."""
    found = article(word)
    if capital:
        found = found.capitalize()
    return f"{found} {word}"


def _number_starts_with_vowel(written: str) -> bool:
    """Whether a number read aloud starts with a vowel. Only its leading group of up to three
    digits matters (5 000 ötezer, 10 000 tízezer); of those only 1 (egy, ezer, egymillió)
    and the ones starting with 5 (öt, ötven, ötszáz) start with a vowel. A dot ends the
    number (an ordinal or a date: az 1., a 2026.12.02.)."""
    digits = re.sub(r"\D", "", written.split(".")[0]).lstrip("0") or "0"
    group = digits[: (len(digits) - 1) % 3 + 1]  # 1 234 567 → "1", 50 000 → "50"
    return group == "1" or group[0] == "5"


def day(value: date) -> str:
    """A date as Hungarians write it: ``2026.12.02.``"""
    return f"{value.year:04d}.{value.month:02d}.{value.day:02d}."


def moment(value: datetime | None, *, seconds: bool = False) -> str:
    """A point in time in Budapest with the zone, e.g. ``2026.12.02. 14:05 CET``
    (``CEST`` in summer); a naive value is taken as UTC (how the stores keep it); ``None``
    is an empty string."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(BUDAPEST)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{day(local.date())} {clock} {local.tzname()}"
