"""Facts about Hungarian personal names: married-name forms, the ``dr.`` title, and the
common accented spelling of a name written without accents (``Janos`` → ``János``)."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from kkod.places.settlements import fold

# "dr." / "Dr" as a word of its own, before or after the name (as the canonical form drops it).
DR_RE = re.compile(r"(?:(?<=\s)|^)dr\.?(?=\s|$)", re.IGNORECASE)
# A married-name form of the Civil Code: a word ending in "-né" (``Tóth Pálné``,
# ``Tóthné Szabó Éva``), or the widow's "özv." in front.
# Anchored at a word's start: unanchored, a long word made the search quadratic.
MARRIED_RE = re.compile(r"(?<!\w)\w{2,}né\b|(?:^|\s)özv\.?(?=\s|$)", re.IGNORECASE)
# Names that end in "-né" without being married forms.
NOT_MARRIED = frozenset({"rené"})
_WORD_RE = re.compile(r"[^\s\-]+")


@cache
def known_names() -> frozenset[str]:
    """Common Hungarian given and family names, as spelt."""
    return frozenset(_lines("given_names.txt")) | frozenset(_lines("family_names.txt"))


@cache
def _accented_by_fold() -> dict[str, str]:
    table: dict[str, str] = {}
    for name in [*_lines("given_names.txt"), *_lines("family_names.txt")]:
        key = fold(name)
        if key != name.casefold():  # the common form has accents
            table.setdefault(key, name)
    return table


def is_married_form(name: str) -> bool:
    """Whether ``name`` is written in a married-name form (allowed only as the current name)."""
    return any(m[0].strip().casefold() not in NOT_MARRIED for m in MARRIED_RE.finditer(name))


def has_dr_title(name: str) -> bool:
    return DR_RE.search(name) is not None


def without_dr_title(name: str) -> str:
    """``name`` with the ``dr.`` title removed (the canonical form ignores it anyway)."""
    return " ".join(DR_RE.sub(" ", name).split())


def words(name: str) -> list[str]:
    """The words of a name without titles; a hyphenated double name counts as one word."""
    return [w for w in without_dr_title(name).split(" ") if w and not w.lower().startswith("özv")]


@cache
def unaccented_suspects() -> frozenset[str]:
    """Case-folded words that are a common name with its accents missing (``janos``),
    leaving out spellings that are names in their own right."""
    own = {name.casefold() for name in known_names()}
    return frozenset(key for key in _accented_by_fold() if key not in own)


def may_lack_accents(name: str) -> bool:
    """Cheap pre-check for :func:`with_common_accents`: an unaccented, unknown word whose
    accented form is a common name."""
    suspects = unaccented_suspects()
    return any(word in suspects for word in name.casefold().replace("-", " ").split(" "))


def with_common_accents(name: str) -> str | None:
    """The name with the common accents restored where a word was written without any
    (``Kovacs Janos`` → ``Kovács János``), or ``None`` if there is nothing to suggest."""
    table = _accented_by_fold()
    suspects = unaccented_suspects()
    changed = False

    def restore(match: re.Match[str]) -> str:
        nonlocal changed
        word = match[0]
        if word.casefold() not in suspects:
            return word  # a known spelling, accented already, or not a common name
        accented = table[word.casefold()]
        changed = True
        return accented.upper() if word.isupper() and len(word) > 1 else accented

    suggestion = _WORD_RE.sub(restore, name)
    return suggestion if changed else None


def _lines(filename: str) -> list[str]:
    text = files("kkod.fourt").joinpath("data", filename).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]
