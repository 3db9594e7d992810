"""The PDF pre-check counts what every compressed stream inflates to, inflating only what must be."""

from __future__ import annotations

import random

import pytest

from kkod.pki import pdfcheck
from kkod.pki.pdfcheck import PdfRefused, check_pdf
from tests.hostile.pdfs import _flate_stream, _page_objects, _raw_pdf

LIMIT = 1 << 20  # the check's limit lowered, so that a test's PDF stays small


def _with_font_like_streams(count: int, size: int) -> bytes:
    """A PDF with ``count`` streams that hold no objects (as a font file), each ``size``
    bytes inflated and compressing about 2 : 1 — far less than deflate's largest ratio."""
    rng = random.Random(count)
    objects = _page_objects()
    for _ in range(count):
        data = bytes(rng.choice(b"0123456789abcdef") for _ in range(size))
        objects.append(_flate_stream(b"/Length1 %d" % size, 1, data))
    return _raw_pdf(*objects)


@pytest.fixture
def low_limit(monkeypatch):
    monkeypatch.setattr(pdfcheck, "MAX_INFLATED", LIMIT)


def test_streams_that_could_exceed_the_limit_are_measured_exactly(low_limit):
    # Their compressed sizes times deflate's largest ratio far exceed the limit: each is
    # inflated to tell, and together they stay under it.
    pdf = _with_font_like_streams(3, 300_000)
    assert 1032 * len(pdf) > LIMIT
    check_pdf(pdf, max_bytes=len(pdf))


def test_streams_that_do_exceed_the_limit_are_a_bomb(low_limit):
    pdf = _with_font_like_streams(4, 300_000)
    with pytest.raises(PdfRefused, match="PDF-bomba"):
        check_pdf(pdf, max_bytes=len(pdf))


def test_a_bomb_of_zeros_is_refused_at_the_real_limit():
    zeros = _page_objects()
    zeros[3] = _flate_stream(b"", 1025, bytes(65536))  # 64 MiB + 64 KiB of zeros
    with pytest.raises(PdfRefused, match="PDF-bomba"):
        check_pdf(_raw_pdf(*zeros), max_bytes=10**8)
    zeros[3] = _flate_stream(b"", 1023, bytes(65536))  # under the limit: a dull page
    check_pdf(_raw_pdf(*zeros), max_bytes=10**8)


@pytest.mark.parametrize(
    "blanks", [0, 10, 200], ids=["at-once", "after-blanks", "after-many-blanks"]
)
def test_a_script_inside_an_object_stream_is_found(blanks):
    objects = _page_objects()
    hidden = b" " * blanks + b"5 0 << /S /JavaScript /JS (app.alert(1);) >>"
    objects.append(_flate_stream(b"/Type /ObjStm /N 1 /First 4", 1, hidden))
    with pytest.raises(PdfRefused, match="JavaScript"):
        check_pdf(_raw_pdf(*objects), max_bytes=10**6)


def test_nesting_inside_an_object_stream_is_found():
    objects = _page_objects()
    objects.append(_flate_stream(b"/Type /ObjStm /N 1 /First 4", 1, b"5 0 " + b"[" * 200))
    with pytest.raises(PdfRefused, match="egymásba"):
        check_pdf(_raw_pdf(*objects), max_bytes=10**6)


def test_a_stream_corrupt_after_its_opening_is_passed_to_the_parser():
    objects = _page_objects()
    broken = _flate_stream(b"/Type /ObjStm /N 1 /First 4", 1, b"5 0 [1 2 3] " * 50_000)
    start = broken.index(b"stream\n") + 7
    objects.append(broken[: start + 200] + b"\xff" * 50 + broken[start + 250 :])
    check_pdf(_raw_pdf(*objects), max_bytes=10**6)  # pyHanko's to refuse, as before
