"""The mapping an export gets: each column's target, chosen from its header or from ``--map``,
and every problem that keeps it from making a table, told with the ``--map`` that solves it
(pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kkod.employer.hrexport.headers import (
    COMBINED,
    PARTS,
    REQUIRED_FIELDS,
    SKIP,
    TARGETS,
    Source,
    fold,
    recognise,
    target_of,
)
from kkod.hungarian import with_article
from kkod.table.sheet_xml import column_index

MAP_OPTION = "--map"
RECOGNISED_HOW = "felismert fejléc"
GIVEN_HOW = MAP_OPTION
UNUSED_HOW = "nem ismert fejléc"


@dataclass(frozen=True, slots=True)
class Assignment:
    source: Source
    target: str | None  # a key of TARGETS; None: not used
    how: str  # RECOGNISED_HOW, GIVEN_HOW or UNUSED_HOW


@dataclass(slots=True)
class Mapping:
    """Every export column's assignment, and the problems (Hungarian sentences) if any."""

    assignments: list[Assignment]
    problems: list[str] = field(default_factory=list)

    def columns_of(self, target: str) -> list[Source]:
        return [a.source for a in self.assignments if a.target == target]

    def column_of(self, target: str) -> int | None:
        """The export column (index) feeding ``target``, if exactly one does."""
        found = self.columns_of(target)
        return found[0].index if len(found) == 1 else None

    @property
    def usable(self) -> bool:
        return not self.problems


def quoted(source: Source) -> str:
    return f"„{source.header}” ({source.letter} oszlop)"


def _map_hint(source: Source, target: str) -> str:
    return f'{MAP_OPTION} "{source.header or source.letter}={target}"'


def choose_mapping(headers: Sequence[object], overrides: Sequence[str] = ()) -> Mapping:
    """The mapping of an export whose header row is ``headers``; ``overrides`` are the
    ``--map COL=FIELD`` values (COL a header or a column letter, FIELD a key of
    :data:`TARGETS` or the table's header of it)."""
    sources = [Source(i, "" if h is None else str(h).strip()) for i, h in enumerate(headers)]
    problems: list[str] = []
    given = _overrides(sources, overrides, problems)
    assignments = []
    for source in sources:
        if source.index in given:
            assignments.append(Assignment(source, given[source.index], GIVEN_HOW))
            continue
        target = recognise(source.header) if source.header else None
        assignments.append(Assignment(source, target, RECOGNISED_HOW if target else UNUSED_HOW))
    mapping = Mapping(assignments, problems)
    _check(mapping)
    return mapping


def _overrides(
    sources: list[Source], overrides: Sequence[str], problems: list[str]
) -> dict[int, str]:
    given: dict[int, str] = {}
    for text in overrides:
        column, sep, wanted = text.rpartition("=")
        if not sep or not column.strip() or not wanted.strip():
            problems.append(
                f"A {MAP_OPTION} „{text}” értéke nem OSZLOP=MEZŐ alakú (például "
                f'{MAP_OPTION} "Szül. hely=szuletesi_hely").'
            )
            continue
        target = target_of(wanted)
        if target is None:
            problems.append(
                f"A {MAP_OPTION} „{text}” mezője („{wanted.strip()}”) nem ismert; lehet: "
                f"{', '.join(TARGETS)}."
            )
            continue
        found = _find_column(sources, column.strip())
        if isinstance(found, str):
            problems.append(f"A {MAP_OPTION} „{text}”: {found}")
            continue
        given[found.index] = target
    return given


def _find_column(sources: list[Source], column: str) -> Source | str:
    """The column a ``--map`` names by its header, else by its letter; a sentence if none."""
    by_header = [s for s in sources if s.header and fold(s.header) == fold(column)]
    if len(by_header) == 1:
        return by_header[0]
    if len(by_header) > 1:
        letters = ", ".join(s.letter for s in by_header)
        return (
            f"„{column}” fejlécű oszlop több is van ({letters}); adja meg az oszlop betűjelét "
            f'(például {MAP_OPTION} "{by_header[0].letter}=…").'
        )
    if column.isascii() and column.isalpha() and len(column) <= 3:
        index = column_index(column.upper()) - 1
        if 0 <= index < len(sources):
            return sources[index]
    return f"nincs „{column}” fejlécű (vagy betűjelű) oszlop az exportban."


def _check(mapping: Mapping) -> None:
    """Ambiguities (two columns for one field) and missing fields, each with its ``--map``."""
    problems = mapping.problems
    for target in TARGETS:
        if target == SKIP:
            continue
        feeding = mapping.columns_of(target)
        if len(feeding) > 1:
            names = " és ".join(quoted(s) for s in feeding)
            problems.append(
                f"Több oszlop is {_label(target)} lehet: {names}. Válassza ki, melyik nem az: "
                f"{_map_hint(feeding[1], SKIP)} (vagy adja meg a helyes mezőt)."
            )
    for whole, parts in PARTS.items():
        present = [p for p in parts if mapping.columns_of(p)]
        if mapping.columns_of(whole) and present:
            names = " és ".join(
                quoted(s) for s in mapping.columns_of(whole) + mapping.columns_of(present[0])
            )
            problems.append(
                f"{_label(whole, capital=True)} egy oszlopban és részekre bontva is megvan: "
                f"{names}. Az egyiket hagyja ki: {_map_hint(mapping.columns_of(whole)[0], SKIP)}."
            )
        elif present and not all(mapping.columns_of(p) for p in parts[:2]):
            have = mapping.columns_of(present[0])[0]
            missing = next(p for p in parts[:2] if not mapping.columns_of(p))
            problems.append(
                f"{_label(whole, capital=True)} részei közül csak {quoted(have)} van meg; "
                f'{_label(missing)} oszlopát adja meg: {MAP_OPTION} "OSZLOP={missing}".'
            )
    if mapping.columns_of(COMBINED):
        for single in ("szuletesi_hely", "szuletesi_ido"):
            if mapping.columns_of(single):
                both = mapping.columns_of(COMBINED) + mapping.columns_of(single)
                problems.append(
                    f"{_label(single, capital=True)} két oszlopban is megvan: "
                    f"{' és '.join(quoted(s) for s in both)}. Az egyiket hagyja ki: "
                    f"{_map_hint(both[0], SKIP)}."
                )
    unused = [a.source for a in mapping.assignments if a.target is None and a.source.header]
    for name in REQUIRED_FIELDS:
        if _covered(mapping, name):
            continue
        hint = (
            f" A nem használt oszlopok: {', '.join(quoted(s) for s in unused)}." if unused else ""
        )
        problems.append(
            f"Nincs oszlop, amely {_label(name)} lehetne. Adja meg, melyik az: "
            f'{MAP_OPTION} "OSZLOP={name}".{hint}'
        )


def _covered(mapping: Mapping, name: str) -> bool:
    if mapping.columns_of(name):
        return True
    if name in ("szuletesi_hely", "szuletesi_ido") and mapping.columns_of(COMBINED):
        return True
    parts = PARTS.get(name, ())
    return bool(parts) and all(mapping.columns_of(p) for p in parts[:2])


def _label(target: str, *, capital: bool = False) -> str:
    """``a Születési hely`` (the table's words for a target, with its article)."""
    label = TARGETS[target].split(" ", 1)[1] if target != SKIP else TARGETS[target]
    if target == COMBINED:
        label = "Születési hely és idő"
    return with_article(f"„{label}”", capital=capital)
