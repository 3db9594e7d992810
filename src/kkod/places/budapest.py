"""Budapest and its districts, in every notation people use (``Bp. XI. ker.`` → ``Budapest 11``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

DISTRICTS = range(1, 24)

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_CITY = r"(?:budapest|bp)"
_PLACE_RE = re.compile(
    rf"^\s*{_CITY}\b\.?\s*[,\-–]?\s*"
    r"(?:(?P<arabic>\d{1,3})|(?P<roman>[ivx]{1,7}))?"
    r"\s*\.?\s*(?:ker(?:ület|\.)?|kerulet)?\s*\.?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class BudapestPlace:
    """A birth place in Budapest; ``district`` is ``None`` when none was written."""

    district: int | None

    @property
    def in_range(self) -> bool:
        return self.district in DISTRICTS


def parse_budapest(text: str) -> BudapestPlace | None:
    """The district of a Budapest birth place, or ``None`` if ``text`` is not Budapest."""
    m = _PLACE_RE.match(text)
    if not m:
        return None
    if m["arabic"]:
        return BudapestPlace(int(m["arabic"]))
    if m["roman"]:
        value = roman_to_int(m["roman"])
        return BudapestPlace(value) if value is not None else None
    return BudapestPlace(None)


def format_budapest(district: int) -> str:
    """The table's notation: ``Budapest 01`` … ``Budapest 23``."""
    return f"Budapest {district:02d}"


def roman_to_int(text: str) -> int | None:
    """A Roman numeral made of I, V and X (enough for districts and months)."""
    total, previous = 0, 0
    for ch in reversed(text.lower()):
        value = _ROMAN_VALUES.get(ch)
        if value is None:
            return None
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None
