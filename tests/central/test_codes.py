"""Connection codes: format, parser variants, the Damm check symbol (proved over its whole
table), codes issued with the older mod-37 check symbol, keyed derivation."""

from __future__ import annotations

import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkod.central.codes import (
    ALPHABET,
    LEGACY_CHECK_ALPHABET,
    QUASIGROUP,
    CheckKind,
    CodeError,
    check_kind,
    check_symbol,
    derive_code,
    derive_codes,
    encode,
    format_code,
    is_valid,
    legacy_check_symbol,
    normalize,
    parse_code,
)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
# Every symbol, the check symbol too, is one of Crockford's 32: nothing a paste can lose.
DISPLAY_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]$")
SYMBOLS = range(32)

values = st.integers(min_value=0, max_value=(1 << 80) - 1)


def test_a_code_is_16_symbols_and_a_check_symbol_in_groups():
    code = format_code(derive_code(SECRET, 1, "123456", 42))
    assert DISPLAY_RE.match(code), code
    assert len(code) == 21


def test_a_derived_code_is_the_keyed_digest_of_the_pair_and_never_changes():
    """The code of (key id, KRID, account) is HMAC-SHA256 truncated to 80 bits and encoded:
    computed here through ``encode`` of the integer, and pinned: issued codes must never move."""
    secret = bytes.fromhex("42" * 32)
    assert derive_code(secret, 1, "123456", 42) == "FREY1V4FF33456YDC"
    accounts = [1, 42, 10**6, 2**40 + 7, *range(500, 700)]

    def by_spec(account: int) -> str:
        message = b"kkod-connection-code\x00%d\x00%s\x00%d" % (3, b"500100", account)
        return encode(int.from_bytes(hmac.digest(secret, message, "sha256")[:10], "big"))

    assert derive_codes(secret, 3, "500100", accounts) == [by_spec(a) for a in accounts]
    assert [derive_code(secret, 3, "500100", a) for a in accounts] == [by_spec(a) for a in accounts]
    assert derive_codes(secret, 3, "500100", []) == []


def test_known_values():
    assert encode(0) == "0000000000000000" + "0"
    assert encode(1) == "0000000000000001" + "2"  # α·(0 ⊕ 1) = x
    assert encode(37) == "0000000000000015" + "E"  # α·(α·1 ⊕ 5) = α·7 = 14
    assert encode((1 << 80) - 1) == "Z" * 16 + "M"


# -- the quasigroup, proved over all its symbols and pairs -----------------------------------


def test_the_table_is_a_quasigroup_of_order_32():
    """Every row and every column is a permutation: one symbol changed changes the interim
    value, and later symbols never bring two different interim values together again."""
    assert len(QUASIGROUP) == 32
    for x in SYMBOLS:
        assert sorted(QUASIGROUP[x]) == list(SYMBOLS)
        assert sorted(QUASIGROUP[y][x] for y in SYMBOLS) == list(SYMBOLS)


def test_the_diagonal_is_zero():
    assert all(QUASIGROUP[x][x] == 0 for x in SYMBOLS)


def test_the_quasigroup_is_weakly_totally_anti_symmetric():
    """(c ∗ x) ∗ y = (c ∗ y) ∗ x only when x = y, for every c, x, y (32³ cases)."""
    q = QUASIGROUP
    for c in SYMBOLS:
        for x in SYMBOLS:
            for y in SYMBOLS:
                if x != y:
                    assert q[q[c][x]][y] != q[q[c][y]][x], (c, x, y)


def test_every_single_substitution_is_detected_from_every_interim_value():
    q = QUASIGROUP
    for interim in SYMBOLS:
        for a in SYMBOLS:
            for b in SYMBOLS:
                if a != b:
                    assert q[interim][a] != q[interim][b]


def test_every_adjacent_transposition_is_detected_the_check_symbol_included():
    q = QUASIGROUP
    for interim in SYMBOLS:
        for a in SYMBOLS:
            for b in SYMBOLS:
                if a != b:  # two data symbols swapped
                    assert q[q[interim][a]][b] != q[q[interim][b]][a]
            # the last data symbol swapped with the check symbol, which ends the check in 0
            check = next(c for c in SYMBOLS if q[q[interim][a]][c] == 0)
            if check != a:
                assert q[q[interim][check]][a] != 0, (interim, a)


def test_the_check_symbol_ends_the_check_in_zero():
    code = derive_code(SECRET, 1, "123456", 42)
    assert check_symbol(code[:16]) == code[16]
    assert check_kind(code) is CheckKind.DAMM


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
    pool = ALPHABET if position < 16 else LEGACY_CHECK_ALPHABET
    other = data.draw(st.sampled_from([c for c in pool if c != compact[position]]))
    changed = compact[:position] + other + compact[position + 1 :]
    with pytest.raises(CodeError):
        normalize(changed, legacy=False)


@given(values, st.integers(min_value=0, max_value=15))
def test_every_adjacent_transposition_is_detected(value, position):
    compact = encode(value)
    a, b = compact[position], compact[position + 1]
    if a == b:
        return  # swapping equal symbols changes nothing
    swapped = compact[:position] + b + a + compact[position + 2 :]
    with pytest.raises(CodeError):
        normalize(swapped, legacy=False)


def test_every_substitution_exhaustively_on_one_code():
    compact = derive_code(SECRET, 1, "123456", 7)
    for position in range(17):
        pool = ALPHABET if position < 16 else LEGACY_CHECK_ALPHABET
        for other in pool:
            if other != compact[position]:
                changed = compact[:position] + other + compact[position + 1 :]
                assert not is_valid(changed, legacy=False)


# -- codes issued with the mod-37 check symbol ---------------------------------------------


def _legacy(value: int) -> str:
    """A code as issued before the Damm check symbol: the value mod 37 in Crockford's 37."""
    data = encode(value)[:16]
    return data + LEGACY_CHECK_ALPHABET[value % 37]


@given(values)
def test_a_code_issued_with_the_mod_37_symbol_is_still_read_and_never_rewritten(value):
    old = _legacy(value)
    assert legacy_check_symbol(old[:16]) == old[16]
    assert normalize(old) == old
    assert parse_code(old.lower()) == format_code(old)
    if old[16] != encode(value)[16]:  # most old codes: their symbol is not the Damm one
        assert check_kind(old) is CheckKind.MOD37
        assert not is_valid(old, legacy=False)


def test_old_codes_ending_in_a_symbol_outside_the_alphabet_are_read():
    for value, symbol in ((32, "*"), (33, "~"), (34, "$"), (35, "="), (36, "U")):
        old = _legacy(value)
        assert old.endswith(symbol)
        assert parse_code(old) == format_code(old)


def test_new_codes_never_end_in_a_symbol_a_paste_loses():
    codes = [derive_code(SECRET, 1, "600100", account) for account in range(2000)]
    assert all(DISPLAY_RE.match(format_code(code)) for code in codes)
    assert {code[16] for code in codes} == set(ALPHABET)


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
    wrong = compact[:16] + next(
        c for c in ALPHABET if c not in (compact[16], legacy_check_symbol(compact[:16]))
    )
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
