"""The faster hex-string reader gives what pyHanko's own gives, and fails where it fails."""

from __future__ import annotations

from io import BytesIO

from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from kkod.pki import hexstrings

ORIGINAL = hexstrings._ORIGINAL or generic.read_hex_string_from_stream

# Hex digits mostly, with PDF whitespace, and now and then what a hex string must not hold.
PIECES = st.sampled_from(
    [*"0123456789abcdefABCDEF", " ", "\n", "\r\n", "\t", "\x00", "\x0c", "%x\n", "g", "(", "<"]
)


def _outcome(reader, data: bytes):
    stream = BytesIO(data)
    try:
        value = reader(stream)
    except Exception as error:
        return ("error", type(error), str(error))
    return ("value", type(value), bytes(value.original_bytes), stream.tell())


@settings(max_examples=400, deadline=None)
@given(
    body=st.lists(PIECES, max_size=80).map("".join),
    closed=st.booleans(),
    after=st.sampled_from(["", " /Type", ">>", "0"]),
)
def test_the_same_string_position_and_errors_as_pyhankos_reader(body, closed, after):
    data = ("<" + body + (">" if closed else "") + after).encode("latin-1")
    assert _outcome(hexstrings.read_hex_string, data) == _outcome(ORIGINAL, data)


def test_a_signature_sized_string_across_read_blocks():
    digits = bytes(range(256)).hex().encode() * 40  # 20,480 hex digits
    data = b"<" + digits[:9000] + b"\n " + digits[9000:] + b"1>/ByteRange"
    assert _outcome(hexstrings.read_hex_string, data) == _outcome(ORIGINAL, data)
    stream = BytesIO(data)
    value = hexstrings.read_hex_string(stream)
    assert bytes(value.original_bytes)[:256] == bytes(range(256))
    assert stream.read() == b"/ByteRange"


def test_installed_once_for_the_object_reader():
    hexstrings.install()
    hexstrings.install()
    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
    assert hexstrings._ORIGINAL is ORIGINAL
