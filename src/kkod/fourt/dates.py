"""Birth dates in every way Hungarians write them, parsed to ``datetime.date``."""

from __future__ import annotations

import re
from datetime import date, datetime

# Roman numerals and Hungarian month names/abbreviations → month number.
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8,
          "ix": 9, "x": 10, "xi": 11, "xii": 12}  # fmt: skip
_MONTH_NAMES = {
    "jan": 1, "január": 1, "febr": 2, "feb": 2, "február": 2, "márc": 3, "már": 3, "március": 3,
    "ápr": 4, "április": 4, "máj": 5, "május": 5, "jún": 6, "június": 6, "júl": 7, "július": 7,
    "aug": 8, "augusztus": 8, "szept": 9, "szep": 9, "szeptember": 9, "okt": 10, "október": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

CANONICAL_RE = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})$")
_NUMERIC_RE = re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# nn.hh.éééé, the day first (12.03.1985, as many other countries write it): dots only, so an
# American month-first 03/12/1985 is never read as the 3rd of December.
_DAY_FIRST_RE = re.compile(r"^(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4})\s*\.?$")
_WORDY_RE = re.compile(
    r"^(\d{4})\s*\.?\s*([a-záéíóöőúüű]+)\s*\.?\s*(\d{1,2})\s*\.?$", re.IGNORECASE
)
# A midnight time after the date, as database exports and pasted Excel date cells carry it.
_MIDNIGHT_RE = re.compile(r"(?:\s+|T)0?0:00(?::00(?:\.0+)?)?$")
# Excel serial dates: day 1 = 1900-01-01 with the 1900 leap-year bug, so count from 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def format_date(d: date) -> str:
    """The table's form, ``éééé.hh.nn``."""
    return f"{d.year:04d}.{d.month:02d}.{d.day:02d}"


def parse_date(value: object) -> date | None:
    """A real calendar date from any accepted way of writing it, else ``None``.

    Accepts ``date``/``datetime`` objects (Excel date cells), Excel serial numbers, and
    the strings ``1985.03.12``, ``1985.03.12.``, ``1985-03-12``, ``1985. 03. 12.``,
    ``1985. III. 12.``, ``1985. márc. 12.``, ``19850312``, the day first ``12.03.1985``
    (nn.hh.éééé), and any of them followed by a midnight time (``1985-03-12 00:00:00``).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_excel_serial(value)
    if not isinstance(value, str):
        return None
    m = CANONICAL_RE.match(value)  # the table's own form, most cells: no clean-up needed
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    text = _MIDNIGHT_RE.sub("", value.strip())
    for pattern in (_NUMERIC_RE, _COMPACT_RE):
        m = pattern.match(text)
        if m:
            return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _DAY_FIRST_RE.match(text)
    if m:
        return _safe_date(int(m[3]), int(m[2]), int(m[1]))
    m = _WORDY_RE.match(text)
    if m:
        word = m[2].lower()
        month = _ROMAN.get(word) or _MONTH_NAMES.get(word)
        if month:
            return _safe_date(int(m[1]), month, int(m[3]))
    return None


def is_canonical_text(value: object) -> bool:
    """Whether ``value`` is already written exactly as ``éééé.hh.nn``."""
    return isinstance(value, str) and CANONICAL_RE.match(value) is not None


def _from_excel_serial(serial: float) -> date | None:
    if serial != int(serial) or not 1 <= serial <= 2_958_465:
        return None
    return date.fromordinal(_EXCEL_EPOCH + int(serial))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
