"""Properties of the canonical form and the safe fixes, checked with hypothesis."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kkod.fourt.canonical import canonical, canonical_name, canonical_place
from kkod.fourt.dates import format_date, parse_date
from kkod.fourt.model import Person4T
from kkod.fourt.names import _lines
from kkod.fourt.rules import RULES
from kkod.fourt.validation import _FastPath, check_person
from kkod.places.settlements import settlements
from kkod.table.layout import COLUMN_OF_FIELD

TODAY = date(2025, 6, 1)
GIVEN = _lines("given_names.txt")
FAMILY = _lines("family_names.txt")
PLACES = sorted(settlements())
LETTER_FIELD = {letter: field for field, letter in COLUMN_OF_FIELD.items()}
IDENTITY_RULES = {r.id for r in RULES.values() if r.changes_identity}

# Characters that make trouble: spaces of all kinds, invisible ones, combining accents,
# Latin-1 corruption, look-alikes, dashes and apostrophes, a title.
TRICKY = st.sampled_from(
    [" ", "  ", "\u00a0", "\u200b", "\ufeff", "\u0301", "\u030b", "õ", "û", "Õ", "а", "о", "Ε",
     "–", "’", "-", "'", "dr.", "Dr ", "ß", "İ", "ΐ", "\t", "\x07", "é", "ő", "Ű"]
)  # fmt: skip
name_text = st.lists(
    st.one_of(st.sampled_from(GIVEN + FAMILY), TRICKY), min_size=1, max_size=6
).map("".join)
any_text = st.one_of(st.text(max_size=30), name_text)


@settings(max_examples=400)
@given(any_text)
def test_canonical_name_is_idempotent(text):
    once = canonical_name(text)
    assert canonical_name(once) == once


@settings(max_examples=400)
@given(
    st.one_of(any_text, st.sampled_from(["Budapest XI. ker.", "Bp. 5", "budapest, 11. kerület"]))
)
def test_canonical_place_is_idempotent(text):
    once = canonical_place(text)
    assert canonical_place(once) == once


def _messy_name() -> st.SearchStrategy[str]:
    word = st.sampled_from(GIVEN + FAMILY)
    glue = st.sampled_from([" ", "  ", "\u00a0", " \u200b", " dr. ", "–", " "])
    mutate = st.sampled_from(["", "upper", "latin1", "nfd", "cyrillic", "pad"])

    @st.composite
    def build(draw):
        parts = [draw(word)]
        for _ in range(draw(st.integers(1, 3))):
            parts += [draw(glue), draw(word)]
        text = "".join(parts)
        how = draw(mutate)
        if how == "upper":
            text = text.upper()
        elif how == "latin1":
            text = text.replace("ő", "õ").replace("ű", "û")
        elif how == "nfd":
            text = unicodedata.normalize("NFD", text)
        elif how == "cyrillic":
            text = text.replace("a", "а", 1)
        elif how == "pad":
            text = f" \u00a0{text} "
        return text

    return build()


@st.composite
def messy_date(draw):
    d = draw(st.dates(date(1900, 1, 1), date(2024, 12, 31)))
    fmt = draw(st.sampled_from(["{y}.{m:02d}.{d:02d}", "{y}.{m:02d}.{d:02d}.", "{y}-{m:02d}-{d:02d}",
                                "{y}. {m:02d}. {d:02d}.", "{y}{m:02d}{d:02d}", " {y}.{m}.{d} ", "obj"]))  # fmt: skip
    return d if fmt == "obj" else fmt.format(y=d.year, m=d.month, d=d.day)


messy_place = st.one_of(
    st.sampled_from(PLACES),
    st.integers(1, 23).map(lambda n: f"Budapest {n:02d}"),
    st.sampled_from(["Budapest XI. ker.", "Bp. XI.", "Budapest, 11. kerület", "Budapest 1", " Győr",
                     "Gyõr", "DEBRECEN", "Kolozsvár", "Sopron\u00a0", "Dеbrecen"]),
)  # fmt: skip
people = st.builds(Person4T, _messy_name(), _messy_name(), _messy_name(), messy_place, messy_date())


def _apply(person: Person4T, fixes: dict[str, str]) -> Person4T:
    values = {f: getattr(person, f) for f in Person4T.FIELDS}
    for letter, text in fixes.items():
        values[LETTER_FIELD[letter]] = text
    return Person4T(**values)


def _check(person: Person4T):
    return check_person(2, person, columns=COLUMN_OF_FIELD, today=TODAY)


@settings(max_examples=300)
@given(people)
def test_fixes_are_idempotent(person):
    fixed = _apply(person, _check(person).fixes)
    again = _check(fixed)
    assert again.fixes == {}
    assert not [f for f in again.findings if RULES[f.rule].auto_fix]


@settings(max_examples=300)
@given(people)
def test_a_fix_keeps_the_canonical_identity_unless_its_rule_says_otherwise(person):
    check = _check(person)
    for letter, text in check.fixes.items():
        field = LETTER_FIELD[letter]
        before, after = getattr(person, field), text
        if IDENTITY_RULES & set(check.fixed_by[letter]):
            continue  # õ/û and look-alike repairs change the identity, and say so
        if field == "szuletesi_ido":
            assert parse_date(after) == parse_date(before) is not None
            continue
        canon = canonical_place if field == "szuletesi_hely" else canonical_name
        assert canon(after) == canon(before)


@settings(max_examples=300)
@given(people)
def test_fixes_without_identity_rules_keep_the_match_key(person):
    check = _check(person)
    if any(IDENTITY_RULES & set(rules) for rules in check.fixed_by.values()):
        return
    before, after = canonical(person), canonical(_apply(person, check.fixes))
    assert before == after


@settings(max_examples=300)
@given(people)
def test_without_suggestions_a_row_has_the_same_errors_fixes_and_key(person):
    """``suggest=False`` (what generation asks) leaves out only W06 and W07."""
    full = _check(person)
    lean = check_person(2, person, columns=COLUMN_OF_FIELD, today=TODAY, suggest=False)
    assert lean.findings == [f for f in full.findings if f.rule not in ("W06", "W07")]
    assert (lean.fixes, lean.fixed_by, lean.key) == (full.fixes, full.fixed_by, full.key)


def test_suggestions_are_left_out_on_request():
    person = Person4T("Kovacs Janos", "Kovacs Janos", "Nagy Maria", "Debrecn", "1985.03.12")
    assert {"W06", "W07"} <= {f.rule for f in _check(person).findings}
    lean = check_person(2, person, columns=COLUMN_OF_FIELD, today=TODAY, suggest=False)
    assert not {"W06", "W07"} & {f.rule for f in lean.findings}


clean_name = st.builds(
    lambda a, b, c: f"{a} {b}" + (f" {c}" if c else ""),
    st.sampled_from(FAMILY), st.sampled_from(GIVEN), st.one_of(st.none(), st.sampled_from(GIVEN)),
)  # fmt: skip
clean_people = st.builds(
    Person4T, clean_name, clean_name, clean_name,
    st.one_of(st.sampled_from(PLACES), st.integers(1, 23).map(lambda n: f"Budapest {n:02d}")),
    st.dates(date(1930, 1, 1), date(2005, 12, 31)).map(format_date),
)  # fmt: skip


@settings(max_examples=500)
@given(clean_people)
def test_the_fast_path_key_is_the_canonical_key(person):
    assert _FastPath(TODAY).key("Kovács János", "Kovács János", "Nagy Mária", "Budapest 05",
                                "1985.03.12") is not None  # fmt: skip
    fast = _FastPath(TODAY).key(*(getattr(person, f) for f in Person4T.FIELDS))
    full = _check(person)
    if fast is None:
        return  # not a clean row after all (e.g. mother's name equal to own)
    assert full.findings == []
    c = canonical(person)
    assert fast == full.key == (c.viselt_nev, c.szuletesi_nev, c.anyja_szuletesi_neve,
                                c.szuletesi_hely, c.szuletesi_ido)  # fmt: skip


# The fast paths (text that needs no cleaning) must give exactly what the full path gives.
plain_alphabet = st.sampled_from(
    [
        *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóöőúüűÁÉÍÓÖŐÚÜŰ.-'` ",
        *("dr", "Dr.", "DR", "\u00a0", "\u2013", "õ", "ß", "İ", "1", "2"),
    ]
)
plain_text = st.one_of(st.lists(plain_alphabet, max_size=12).map("".join), name_text)


@settings(max_examples=600)
@given(plain_text)
def test_clean_text_fast_path_equals_the_full_path(text):
    from kkod.fourt.canonical import _clean_text, clean_text

    assert clean_text(text) == _clean_text(text)


@settings(max_examples=600)
@given(plain_text)
def test_canonical_name_fast_path_equals_the_full_path(text):
    from kkod.fourt.canonical import _canonical_name

    assert canonical_name(text) == _canonical_name(text)


@given(st.dates(date(1, 1, 1), date(9999, 12, 31)), st.integers(1, 99), st.integers(1, 99))
def test_the_canonical_date_fast_path_equals_the_general_parse(day, month, dom):
    written = format_date(day)
    assert parse_date(written) == parse_date(f" {written}") == day  # the space: the slow path
    odd = f"{day.year:04d}.{month:02d}.{dom:02d}"  # also impossible dates
    assert parse_date(odd) == parse_date(f" {odd}")
