"""Hungarian settlements and historic Hungarian place names: lookup and nearest-name suggestions.

The data files under ``data/`` are derived once from the ``magyar`` package by
``scripts/derive_places.py`` (see ``data/NOTICE.txt``) and loaded lazily on first use.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

# Minimum rapidfuzz ratio (0–100) for a nearest-name suggestion; short names need more
# (``Bécs`` must not suggest ``Écs``).
SUGGESTION_CUTOFF = 80.0
SHORT_NAME_CUTOFF = 90.0
SHORT_NAME_LENGTH = 5
# From this length on, a settlement one typo away is suggested before a merely similar one.
ONE_TYPO_LENGTH = 4


@dataclass(frozen=True, slots=True)
class HistoricPlace:
    """A historic Hungarian place name: what and where the place is called today."""

    name: str
    today: str
    country: str  # in Hungarian, e.g. "Románia"; "Magyarország" for merged Budapest towns


@cache
def settlements() -> frozenset[str]:
    """Every Hungarian settlement, spelt officially (``Budapest`` included, no districts)."""
    return frozenset(_lines("settlements.txt"))


@cache
def historic_places() -> dict[str, HistoricPlace]:
    """Historic Hungarian names of places now abroad (and towns merged into Budapest)."""
    places = {}
    for line in _lines("historic.tsv"):
        if line.startswith("#"):
            continue
        name, today, country = line.split("\t")
        places[name] = HistoricPlace(name, today, country)
    return places


def is_settlement(name: str) -> bool:
    return name in settlements()


def historic_place(name: str) -> HistoricPlace | None:
    return historic_places().get(name)


def official_spelling(name: str) -> str | None:
    """The official spelling of a known place written in other letter case (``DEBRECEN``)."""
    return _by_casefold().get(name.casefold())


def nearest_place(name: str) -> str | None:
    """The nearest known place name to a misspelt one (``Debrecn`` → ``Debrecen``), or ``None``.

    Compares without accents and case, so ``Szekesfehervar`` finds ``Székesfehérvár``;
    current settlements are preferred to historic names.
    """
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    query = fold(name)
    if not query:
        return None
    lists = (_folded(True), _folded(False))
    for _, names in lists:
        exact = names.get(query)
        if exact is not None:
            return exact
    if len(query) >= ONE_TYPO_LENGTH:
        # One letter left out, added, changed or two swapped (``Márók`` → ``Márkó``): the
        # likeliest typo, preferred to a name that is merely similar; the most similar of them.
        keys, names = lists[0]
        near = process.extract(query, keys, scorer=OSA.distance, score_cutoff=1, limit=None)
        if len(query) <= SHORT_NAME_LENGTH:
            # A short name only gains a left-out letter or has two swapped back: another
            # letter changed or dropped is a different place (Bécs is not Bőcs, nor Écs).
            near = [
                found
                for found in near
                if len(found[0]) > len(query) or sorted(found[0]) == sorted(query)
            ]
        if near:
            best = max(near, key=lambda found: (fuzz.ratio(query, found[0]), -found[2]))
            return names[best[0]]
    for keys, names in lists:
        cutoff = SHORT_NAME_CUTOFF if len(query) <= SHORT_NAME_LENGTH else SUGGESTION_CUTOFF
        best = process.extractOne(query, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is not None:
            return names[best[0]]
    return None


def fold(text: str) -> str:
    """Accents removed and case folded: the key for forgiving comparisons."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _by_casefold() -> dict[str, str]:
    table = {name.casefold(): name for name in historic_places()}
    table.update({name.casefold(): name for name in settlements()})
    return table


@cache
def _folded(current: bool) -> tuple[list[str], dict[str, str]]:
    source = sorted(settlements()) if current else sorted(historic_places())
    names: dict[str, str] = {}
    for name in source:
        names.setdefault(fold(name), name)
    return list(names), names


def _lines(filename: str) -> list[str]:
    text = files("kkod.places").joinpath("data", filename).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]
