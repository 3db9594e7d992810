"""Connection codes (SPEC §5): keyed derivation, Crockford base32 format with a mod-37 check symbol.

Pure: no I/O. A code is 16 Crockford base32 symbols (80 bits) plus one check symbol,
shown as ``7K3M-9XQ2-HT5W-R8P1-Z`` and stored compact (``7K3M9XQ2HT5WR8P1Z``).
"""

from __future__ import annotations

import base64
import hmac

from kkod.errors import KkodError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"  # Crockford's 37 check symbols
DATA_SYMBOLS = 16
CODE_BITS = 80
COMPACT_LENGTH = DATA_SYMBOLS + 1
GROUP = 4

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_RFC_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
_CHECK_VALUE = {ch: i for i, ch in enumerate(CHECK_ALPHABET)}
# Crockford's decoding rules: read O as 0, I and L as 1; hyphens and spaces are only for humans.
_SUBSTITUTE = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\u00a0": None})


class CodeError(KkodError):
    """A string that is not a well-formed connection code."""


def encode(value: int) -> str:
    """The compact code (16 symbols + check) of an 80-bit ``value``."""
    if not 0 <= value < 1 << CODE_BITS:
        raise ValueError("a connection code holds exactly 80 bits")
    return _encode_bytes(value.to_bytes(CODE_BITS // 8, "big"))


def _encode_bytes(raw: bytes) -> str:
    # 10 bytes are exactly 16 base32 symbols; RFC 4648's alphabet, renamed to Crockford's.
    symbols = base64.b32encode(raw).decode("ascii").translate(_RFC_TO_CROCKFORD)
    return symbols + CHECK_ALPHABET[int.from_bytes(raw, "big") % 37]


def format_code(compact: str) -> str:
    """``7K3M9XQ2HT5WR8P1Z`` → ``7K3M-9XQ2-HT5W-R8P1-Z``."""
    c = compact  # groups of GROUP = 4, written out: this runs once per row of a bulk request
    return f"{c[0:4]}-{c[4:8]}-{c[8:12]}-{c[12:16]}-{c[16:]}"


def normalize(text: str) -> str:
    """The compact form of a code as a person may type it; raises :class:`CodeError` if invalid.

    Accepts lower case, missing or extra hyphens and spaces, and Crockford's substitutions
    (``O`` → ``0``, ``I``/``L`` → ``1``). The check symbol must match.
    """
    compact = text.strip().upper().translate(_SUBSTITUTE)
    if len(compact) != COMPACT_LENGTH:
        raise CodeError(
            f"A kapcsolati kód {COMPACT_LENGTH} jelből áll (16 kódjel és 1 ellenőrző jel), "
            f"ez {len(compact)} jelből áll."
        )
    value = 0
    for position, ch in enumerate(compact[:DATA_SYMBOLS], start=1):
        digit = _VALUE.get(ch)
        if digit is None:
            raise CodeError(f"A kapcsolati kód {position}. jele („{ch}”) nem megengedett karakter.")
        value = value * 32 + digit
    check = _CHECK_VALUE.get(compact[DATA_SYMBOLS])
    if check is None or check != value % 37:
        raise CodeError(
            "A kapcsolati kód ellenőrző jele nem stimmel: valószínűleg elírás történt. "
            "Ellenőrizze a kódot."
        )
    return compact


def parse_code(text: str) -> str:
    """The displayed form (``7K3M-9XQ2-HT5W-R8P1-Z``) of a typed code; raises :class:`CodeError`."""
    return format_code(normalize(text))


def is_valid(text: str) -> bool:
    try:
        normalize(text)
    except CodeError:
        return False
    return True


def derive_code(secret: bytes, key_id: int, krid: str, account_id: int) -> str:
    """The compact code of the (office, account) pair: HMAC-SHA256 truncated to 80 bits.

    ``key_id`` names the secret (kept with each connection so secrets can rotate);
    without ``secret`` the code cannot be computed from the KRID and account id.
    """
    message = b"kkod-connection-code\x00%d\x00%s\x00%d" % (key_id, krid.encode(), account_id)
    return _encode_bytes(hmac.digest(secret, message, "sha256")[: CODE_BITS // 8])
