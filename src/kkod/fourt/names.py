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
    accented form is a common name, or a married form written ``-ne`` (``Kovacsne``)."""
    suspects = unaccented_suspects()
    return any(
        word in suspects or _unaccented_married(word)
        for word in name.casefold().replace("-", " ").split(" ")
    )


def with_common_accents(name: str) -> str | None:
    """The name with the common accents restored where a word was written without any
    (``Kovacs Janos`` → ``Kovács János``, ``Kovacsne`` → ``Kovácsné``), or ``None`` if there
    is nothing to suggest.

    When the whole name is written without a single accent, a word that is a name in its own
    right but far more often accented is restored too (``Soos Robert`` → ``Soós Róbert``):
    such a name was typed on a keyboard without accents, not chosen so."""
    table = _accented_by_fold()
    suspects = unaccented_suspects()
    unaccented = name.isascii()
    changed = False

    def accented(word: str) -> str | None:
        key = word.casefold()
        if key in suspects or (unaccented and key in table):
            return table[key]
        return None

    def restore(match: re.Match[str]) -> str:
        nonlocal changed
        word = match[0]
        found = accented(word)
        if found is None and _unaccented_married(word.casefold()):
            stem = word[:-2]
            found = (accented(stem) or stem) + "né"
        if found is None or found == word:
            return word
        changed = True
        return found.upper() if word.isupper() and len(word) > 1 else found

    suggestion = _WORD_RE.sub(restore, name)
    return suggestion if changed else None


def _unaccented_married(word: str) -> bool:
    """``kovacsne``, ``palne``: a case-folded word that is a known name (accents aside) and
    ``ne`` — a married form typed without its accent."""
    if len(word) < 5 or not word.endswith("ne") or word in _folded_known():
        return False
    return word[:-2] in _folded_known()


@cache
def _folded_known() -> frozenset[str]:
    return frozenset(fold(name) for name in known_names())


def _lines(filename: str) -> list[str]:
    text = files("kkod.fourt").joinpath("data", filename).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]
