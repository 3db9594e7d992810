"""4T validation of a table's rows: findings per cell, safe fixes, duplicate 4T (pure, no I/O).

Every rule of :mod:`kkod.fourt.rules` is applied here. Most rows are clean, so each field
has a fast path (one regex or set lookup) and only suspicious values take the slow path.
Findings carry the Excel row number and the column letter given by the caller's
field → letter mapping (``kkod.table.layout.COLUMN_OF_FIELD``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from kkod.fourt import names as hu_names
from kkod.fourt import text as chars
from kkod.fourt.canonical import canonical_name, canonical_place
from kkod.fourt.dates import format_date, parse_date
from kkod.fourt.model import Finding, OpaqueCell, Person4T, SeverityCounts
from kkod.fourt.rules import RULES
from kkod.hungarian import with_article
from kkod.places import settlements as places
from kkod.places.budapest import format_budapest, parse_budapest

NAME_FIELDS = ("viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve")
BIRTH_NAME_FIELDS = ("szuletesi_nev", "anyja_szuletesi_neve")
# The 4T fields as the subject of a Hungarian sentence, article included ("{subject} …").
FIELD_SUBJECTS = {
    "viselt_nev": "A viselt név",
    "szuletesi_nev": "A születési név",
    "anyja_szuletesi_neve": "Az anyja születési neve",
    "szuletesi_hely": "A születési hely",
    "szuletesi_ido": "A születési idő",
}
MIN_YEAR = 1900
# Longer than any real name, place or date: such a cell gets E14 and no other rule (the rules'
# work grows with the length; a cell may hold up to 32,767 characters).
MAX_VALUE_CHARS = 200
USUAL_AGE = range(16, 101)

_L = chars.HUNGARIAN_LETTERS
# At least two words of Hungarian letters, single spaces, hyphenated parts allowed.
_FAST_NAME_RE = re.compile(rf"[{_L}]+(?:-[{_L}]+)*(?: [{_L}]+(?:-[{_L}]+)*)+")
# Anything in a fast-path name that still needs the full rules: a title, a married form
# (``-né``, or ``-ne`` typed without the accent).
_FAST_NAME_SUSPECT_RE = re.compile(r"(?:^|\s)(?:dr|özv)\b|n[ée]\b", re.IGNORECASE)
_FAST_DATE_RE = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})")
_FAST_BUDAPEST_RE = re.compile(r"Budapest (?:0[1-9]|1\d|2[0-3])")
_PLACE_PUNCTUATION = frozenset(",()/")
_OPAQUE_RULES = {"error": "E12", "richvalue": "E13"}


@dataclass(slots=True)
class Validation(SeverityCounts):
    """The outcome of validating a table: findings in row/column order and the safe fixes."""

    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    # (row, letter) → the cell's text after every auto-fix rule, for cells that change.
    fixes: dict[tuple[int, str], str] = field(default_factory=dict)
    # (row, letter) → the ids of the auto-fix rules that changed the cell.
    fixed_by: dict[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)

    def by_rule(self) -> Counter[str]:
        return Counter(f.rule for f in self.findings)


@dataclass(slots=True)
class RowCheck:
    """One row's findings, its safe fixes, and its duplicate key (``None`` if unusable)."""

    findings: list[Finding]
    fixes: dict[str, str]  # letter → fixed text
    fixed_by: dict[str, tuple[str, ...]]
    key: tuple | None


def validate_rows(
    rows: Iterable[tuple[int, Person4T, frozenset[str]]],
    *,
    columns: Mapping[str, str],
    today: date,
) -> Validation:
    """Validate ``(excel_row, person, formula_letters)`` rows, including the duplicate-4T rule."""
    return validate_cells(
        (
            (row, tuple(getattr(p, f) for f in Person4T.FIELDS), formulas)
            for row, p, formulas in rows
        ),
        columns=columns,
        today=today,
    )


def validate_cells(
    rows: Iterable[tuple[int, tuple[object, ...], frozenset[str]]],
    *,
    columns: Mapping[str, str],
    today: date,
) -> Validation:
    """Like :func:`validate_rows`, for ``(excel_row, values, formula_letters)`` where ``values``
    are the five 4T cells as read (in :attr:`Person4T.FIELDS` order: text, a date cell, a
    number or ``None``). The common clean row never becomes a :class:`Person4T`."""
    result = Validation()
    first_row_of: dict[tuple, int] = {}
    fast = _fast_path_for(today)
    for row, values, formulas in rows:
        result.rows += 1
        key = None if formulas else fast.key(*values)
        if key is None:
            person = person_from_cells(values)
            check = check_person(row, person, columns=columns, today=today, formulas=formulas)
            result.findings.extend(check.findings)
            for letter, text in check.fixes.items():
                result.fixes[(row, letter)] = text
                result.fixed_by[(row, letter)] = check.fixed_by[letter]
            key = check.key
            if key is None:
                continue
        first = first_row_of.setdefault(key, row)
        if first != row:
            letter = columns["viselt_nev"]
            result.findings.append(
                _finding("E11", row, letter, _display(values[0]), first_row=with_article(first))
            )
    result.findings.sort(key=lambda f: (f.row, f.column, f.rule))
    return result


def person_from_cells(values: tuple[object, ...]) -> Person4T:
    """A :class:`Person4T` from the five cells as read; the date cell keeps its type."""
    d, f, g, h, i = values
    return Person4T(*map(_kept_or_text, (d, f, g, h)), "" if i is None else i)  # type: ignore[arg-type]


def _kept_or_text(value: object) -> object:
    """A name or place cell as text; an :class:`OpaqueCell` kept (its own rule reports it)."""
    return value if value.__class__ is OpaqueCell else _as_text(value)


@lru_cache(maxsize=8)
def _fast_path_for(today: date) -> _FastPath:
    return _FastPath(today)


class _FastPath:
    """Recognises the common clean row with a few regexes and set lookups, and returns its
    duplicate key, identical to the one :func:`check_person` computes via the canonical form.
    ``None`` means "take the full rules"."""

    __slots__ = ("born_after", "born_by", "places", "suspects")

    def __init__(self, today: date) -> None:
        self.places = places.settlements() - {"Budapest"}
        self.suspects = hu_names.unaccented_suspects()
        # Age 16–100 on ``today``, as (year, month, day) bounds: born_after < birth <= born_by.
        self.born_by = (today.year - USUAL_AGE.start, today.month, today.day)
        self.born_after = (today.year - USUAL_AGE.stop, today.month, today.day)

    def date(self, value: object) -> date | None:
        """The birth date if ``value`` is ``éééé.hh.nn`` text of a usual age, else ``None``."""
        if value.__class__ is not str:
            return None
        m = _FAST_DATE_RE.fullmatch(value)  # type: ignore[arg-type]
        if m is None:
            return None
        ymd = (int(m[1]), int(m[2]), int(m[3]))
        if not (self.born_after < ymd <= self.born_by) or ymd[0] < MIN_YEAR:
            return None
        return _real_date(*ymd)

    def place(self, value: object) -> str | None:
        """The canonical place if ``value`` is a listed settlement or ``Budapest NN``."""
        if value.__class__ is str and (
            value in self.places or _FAST_BUDAPEST_RE.fullmatch(value)  # type: ignore[arg-type]
        ):
            return value.casefold()  # type: ignore[attr-defined]
        return None

    def name(self, value: object) -> str | None:
        """The canonical name if ``value`` needs none of the name rules."""
        if (
            value.__class__ is str
            and _FAST_NAME_RE.fullmatch(value)  # type: ignore[arg-type]
            and not _FAST_NAME_SUSPECT_RE.search(value)  # type: ignore[arg-type]
        ):
            folded = value.casefold()  # type: ignore[attr-defined]
            if self.suspects.isdisjoint(folded.replace("-", " ").split(" ")):
                return folded
        return None

    def key(self, d: object, f: object, g: object, h: object, i: object) -> tuple | None:
        """The key of a clean row given its five 4T cells, or ``None``."""
        if not (
            d.__class__ is str
            and f.__class__ is str
            and g.__class__ is str
            and h.__class__ is str
            and i.__class__ is str
        ):
            return None
        m = _FAST_DATE_RE.fullmatch(i)
        if m is None:
            return None
        ymd = (int(m[1]), int(m[2]), int(m[3]))
        if not (self.born_after < ymd <= self.born_by) or ymd[0] < MIN_YEAR:
            return None
        born = _real_date(*ymd)
        if born is None:
            return None
        if h not in self.places and _FAST_BUDAPEST_RE.fullmatch(h) is None:
            return None
        if (
            _FAST_NAME_RE.fullmatch(d) is None
            or _FAST_NAME_RE.fullmatch(f) is None
            or _FAST_NAME_RE.fullmatch(g) is None
        ):
            return None
        joined = f"{d} {f} {g}"
        if _FAST_NAME_SUSPECT_RE.search(joined):
            return None
        folded = joined.casefold()
        if not self.suspects.isdisjoint(folded.replace("-", " ").split(" ")):
            return None
        dc, fc, gc = d.casefold(), f.casefold(), g.casefold()
        if gc in (dc, fc):
            return None
        return (dc, fc, gc, h.casefold(), born)


def check_person(
    row: int,
    person: Person4T,
    *,
    columns: Mapping[str, str],
    today: date,
    formulas: frozenset[str] = frozenset(),
    suggest: bool = True,
) -> RowCheck:
    """All single-row rules on one person; see :func:`validate_rows` for the table-wide ones.

    A field that passes its fast check costs a regex or a set lookup; only the others get
    the full rules. ``suggest=False`` leaves out the suggestions a person would decide on
    (W06's nearest place, W07's accents), the costly part, for a caller that needs only the
    errors and the key.
    """
    fast = _fast_path_for(today)
    findings: list[Finding] = []
    fixes: dict[str, str] = {}
    fixed_by: dict[str, tuple[str, ...]] = {}
    canon: dict[str, object] = {}  # field → canonical value; None/"" when unusable
    for name in Person4T.FIELDS:
        letter = columns[name]
        value = getattr(person, name)
        if letter not in formulas:
            if name == "szuletesi_ido":
                clean = fast.date(value)
            elif name == "szuletesi_hely":
                clean = fast.place(value)
            else:
                clean = fast.name(value)
            if clean is not None:
                canon[name] = clean
                continue
        cell = _Cell(row, letter, name, value, suggest)
        if letter in formulas:
            cell.add("E09")
            canon[name] = None
        elif isinstance(value, OpaqueCell):
            cell.add(_OPAQUE_RULES[value.kind])
            canon[name] = None
        elif isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            cell.add("E14", length=len(value))
            canon[name] = None
        elif name == "szuletesi_ido":
            canon[name] = _check_date(cell, value, today)
        elif name == "szuletesi_hely":
            text = _check_place(cell, value)
            canon[name] = None if text is None else canonical_place(text)
        else:
            text = _check_name(cell, value)
            canon[name] = None if text is None else canonical_name(text)
        findings.extend(cell.finish())
        if cell.fixed is not None:
            fixes[letter] = cell.fixed
            fixed_by[letter] = tuple(cell.auto_rules)
    mother = canon["anyja_szuletesi_neve"]
    if mother and mother in (canon["viselt_nev"], canon["szuletesi_nev"]):
        letter = columns["anyja_szuletesi_neve"]
        findings.append(_finding("W09", row, letter, _display(person.anyja_szuletesi_neve)))
    key = None
    if all(canon[name] for name in Person4T.FIELDS):
        key = tuple(canon[name] for name in Person4T.FIELDS)
    return RowCheck(findings, fixes, fixed_by, key)


class _Cell:
    """Collects one cell's findings; auto-fix rules share the cell's final fixed text."""

    __slots__ = (
        "auto_rules",
        "field",
        "findings",
        "fixed",
        "letter",
        "original",
        "row",
        "suggests",
    )

    def __init__(
        self, row: int, letter: str, field_name: str, value: object, suggests: bool = True
    ) -> None:
        self.row, self.letter, self.field = row, letter, field_name
        self.original = value
        self.suggests = suggests  # whether to look for suggestions (W06, W07)
        self.findings: list[tuple[str, str | None, dict[str, object]]] = []
        self.auto_rules: list[str] = []
        self.fixed: str | None = None  # set when auto-fixes change the cell

    def add(self, rule: str, suggestion: str | None = None, **details: object) -> None:
        self.findings.append((rule, suggestion, details))

    def auto(self, rule: str, fixed: str) -> str:
        """Record an auto-fix rule that changed the cell to ``fixed``; return ``fixed``."""
        self.auto_rules.append(rule)
        self.fixed = fixed
        return fixed

    def finish(self) -> list[Finding]:
        value = _display(self.original)
        subject = FIELD_SUBJECTS[self.field]
        out = [
            _finding(rule, self.row, self.letter, value, self.fixed, subject=subject)
            for rule in self.auto_rules
        ]
        out.extend(
            _finding(
                rule, self.row, self.letter, value, suggestion, subject=subject, **details
            )
            for rule, suggestion, details in self.findings
        )  # fmt: skip
        return out


def _check_name(cell: _Cell, value: object) -> str | None:
    text = _as_text(value)
    if not text.strip():
        cell.add("E01")
        return None
    if not _FAST_NAME_RE.fullmatch(text):
        text = _text_fixes(cell, text)
        if not text:
            cell.add("E01")
            return None
        bad = chars.bad_name_characters(text)
        if bad:
            cell.add("E08", characters=chars.describe_characters(bad))
            return None
    if hu_names.has_dr_title(text):
        text = cell.auto("W08", hu_names.without_dr_title(text))
    if cell.field in BIRTH_NAME_FIELDS and hu_names.is_married_form(text):
        cell.add("E07")
    if len(hu_names.words(text)) < 2:
        cell.add("E10")
    if cell.suggests and hu_names.may_lack_accents(text):
        suggestion = hu_names.with_common_accents(text)
        if suggestion is not None:
            cell.add("W07", suggestion)
    return text


def _check_place(cell: _Cell, value: object) -> str | None:
    text = _as_text(value)
    if (text in places.settlements() and text != "Budapest") or _FAST_BUDAPEST_RE.fullmatch(text):
        return text
    if not text.strip():
        cell.add("E01")
        return None
    text = _text_fixes(cell, text)
    if not text:
        cell.add("E01")
        return None
    budapest = parse_budapest(text)
    if budapest is not None:
        if budapest.district is None:
            cell.add("E05")
            return None
        if not budapest.in_range:
            cell.add("E06", district=budapest.district)
            return None
        written = format_budapest(budapest.district)
        return cell.auto("W03", written) if written != text else text
    if places.is_settlement(text):
        return text
    official = places.official_spelling(text)
    if official is not None and official != text:
        text = cell.auto("W12", official)
    historic = places.historic_place(text)
    if historic is not None:
        cell.add("I01", today=historic.today, country=historic.country)
        return text
    if official is not None:
        return text
    bad = [ch for ch in chars.bad_name_characters(text) if ch not in _PLACE_PUNCTUATION]
    if bad:
        cell.add("E08", characters=chars.describe_characters(bad))
        return None
    if cell.suggests:
        cell.add("W06", places.nearest_place(text))
    return text


def _check_date(cell: _Cell, value: object, today: date) -> date | None:
    born: date | None
    if isinstance(value, str):
        m = _FAST_DATE_RE.fullmatch(value)
        if m:
            born = _real_date(int(m[1]), int(m[2]), int(m[3]))
        else:
            if not value.strip():
                cell.add("E01")
                return None
            text = value
            if chars.LINE_BREAK_RE.search(text):
                text = cell.auto("W13", chars.tidy_spaces(chars.without_line_breaks(text)))
            born = parse_date(chars.tidy_spaces(text))
            if born is not None:
                cell.auto("W01", format_date(born))
    elif value is None:
        cell.add("E01")
        return None
    elif isinstance(value, datetime | date):
        born = value.date() if isinstance(value, datetime) else value
        cell.auto("W01", format_date(born))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # A number cell: 19850312 typed as a number, or an Excel serial date without format;
        # NaN or infinity (a crafted file) is no date at all.
        if not math.isfinite(value):
            born = None
        elif value == int(value) and 10_000_000 <= value <= 99_991_231:
            born = parse_date(str(int(value)))
        else:
            born = parse_date(value)
        if born is not None:
            cell.auto("W01", format_date(born))
    else:
        born = None
    if born is None:
        cell.add("E02")
        return None
    if born > today:
        cell.add("E03")
        return None
    if born.year < MIN_YEAR:
        cell.add("E04")
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age not in USUAL_AGE:
        cell.add("W10", age=age)
    return born


def _text_fixes(cell: _Cell, text: str) -> str:
    """The safe text repairs, in order: line breaks, spaces, typography, Latin-1 õ/û,
    look-alike letters."""
    if chars.LINE_BREAK_RE.search(text):
        text = cell.auto("W13", chars.without_line_breaks(text))
    fixed = chars.tidy_spaces(text)
    if fixed != text:
        cell.auto("W02", fixed)
    typographic = chars.plain_typography(fixed)
    if typographic != fixed:
        fixed = cell.auto("W11", typographic)
    if chars.LATIN1_CORRUPTED_RE.search(fixed):
        fixed = cell.auto("W04", chars.repair_latin1(fixed))
    if chars.LOOKALIKE_RE.search(fixed):
        latin = chars.replace_lookalikes(fixed)
        if latin != fixed:
            fixed = cell.auto("W05", latin)
    return fixed


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _display(value: object) -> str:
    """A cell value as shown in findings (an Excel date cell as ``1985-03-12``)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _as_text(value)


def _finding(
    rule_id: str,
    row: int,
    letter: str,
    value: str,
    suggestion: str | None = None,
    **details: object,
) -> Finding:
    rule = RULES[rule_id]
    message = rule.message.format(**details) if "{" in rule.message else rule.message
    return Finding(row, letter, rule_id, rule.severity, value, message, suggestion)


def code_cell_finding(row: int, letter: str, value: object) -> Finding:
    """W14 on a Kapcsolati kód cell the employer filled (column E is the ministry's); the safe
    fix empties it."""
    return _finding("W14", row, letter, _display(value), "")
