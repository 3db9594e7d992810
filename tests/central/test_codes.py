"""Connection codes: format, parser variants, check symbol, keyed derivation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkod.central.codes import (
    ALPHABET,
    CHECK_ALPHABET,
    CodeError,
    derive_code,
    encode,
    format_code,
    is_valid,
    normalize,
    parse_code,
)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
DISPLAY_RE = re.compile(
    r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z*~$=U]$"
)

values = st.integers(min_value=0, max_value=(1 << 80) - 1)


def test_a_code_is_16_symbols_and_a_check_symbol_in_groups():
    code = format_code(derive_code(SECRET, 1, "123456", 42))
    assert DISPLAY_RE.match(code), code
    assert len(code) == 21


def test_known_values():
    assert encode(0) == "0000000000000000" + "0"
    assert encode((1 << 80) - 1) == "Z" * 16 + CHECK_ALPHABET[((1 << 80) - 1) % 37]
    assert encode(37) == "0000000000000015" + "0"


@given(values)
def test_parser_accepts_what_people_type(value):
    compact = encode(value)
    shown = format_code(compact)
    assert parse_code(shown) == shown
    assert parse_code(shown.lower()) == shown
    assert parse_code(compact) == shown
    assert parse_code(" " + " ".join(shown.split("-")) + " ") == shown
    # Crockford's substitutions: O read as 0, I and L as 1.
    typed = compact[:16].replace("0", "O").replace("1", "I") + compact[16]
    assert normalize(typed) == compact
    assert normalize(compact[:16].replace("1", "l") + compact[16]) == compact


@given(values, st.integers(min_value=0, max_value=16), st.data())
def test_every_single_substitution_is_detected(value, position, data):
    compact = encode(value)
    pool = ALPHABET if position < 16 else CHECK_ALPHABET
    other = data.draw(st.sampled_from([c for c in pool if c != compact[position]]))
    changed = compact[:position] + other + compact[position + 1 :]
    with pytest.raises(CodeError):
        normalize(changed)


@given(values, st.integers(min_value=0, max_value=15))
def test_every_adjacent_transposition_is_detected(value, position):
    compact = encode(value)
    a, b = compact[position], compact[position + 1]
    if a == b:
        return  # swapping equal symbols changes nothing
    swapped = compact[:position] + b + a + compact[position + 2 :]
    with pytest.raises(CodeError):
        normalize(swapped)


def test_every_substitution_exhaustively_on_one_code():
    compact = derive_code(SECRET, 1, "123456", 7)
    for position in range(17):
        pool = ALPHABET if position < 16 else CHECK_ALPHABET
        for other in pool:
            if other != compact[position]:
                assert not is_valid(compact[:position] + other + compact[position + 1 :])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7K3M-9XQ2-HT5W-R8P1", "17 jelből"),
        ("7K3M-9XQ2-HT5W-R8P1-ZZ", "17 jelből"),
        ("7K3M-9XQ2-HT5W-R8PU-Z", "nem megengedett"),
        ("7K3M-9XQ2-HT5W-R8P!-Z", "nem megengedett"),
    ],
)
def test_malformed_codes_get_a_hungarian_error(text, message):
    with pytest.raises(CodeError) as error:
        normalize(text)
    assert message in error.value.message


def test_a_wrong_check_symbol_says_so_in_hungarian():
    compact = derive_code(SECRET, 1, "123456", 7)
    wrong = compact[:16] + next(c for c in CHECK_ALPHABET if c != compact[16])
    with pytest.raises(CodeError, match="ellenőrző jele"):
        parse_code(wrong)


def test_derivation_is_stable_per_pair_and_differs_per_office_account_key_and_secret():
    code = derive_code(SECRET, 1, "123456", 42)
    assert derive_code(SECRET, 1, "123456", 42) == code
    assert derive_code(SECRET, 1, "654321", 42) != code
    assert derive_code(SECRET, 1, "123456", 43) != code
    assert derive_code(SECRET, 2, "123456", 42) != code
    assert derive_code(OTHER_SECRET, 1, "123456", 42) != code
    # No accidental concatenation ambiguity between KRID and account id.
    assert derive_code(SECRET, 1, "12", 34) != derive_code(SECRET, 1, "123", 4)
    assert is_valid(code)
