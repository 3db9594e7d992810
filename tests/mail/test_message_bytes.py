"""kkod writes its messages itself (kkod.mail.message.message_bytes): whatever the text, the
file names and the files, the standard library's parser and kkod's own read back exactly what
was written, and no line of the text or the attachments' headers passes 78 characters."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, message_bytes, parse_message

# Any text a str holds and UTF-8 can carry: control characters, lone CRs, quotes, accents.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)
FILES = st.lists(
    st.tuples(NAMES, st.sampled_from([XLSX_TYPE, PDF_TYPE, "text/csv"]), st.binary(max_size=3000)),
    max_size=3,
)


def _written(text: str, files) -> bytes:
    return message_bytes(
        sender="Belügyminisztérium <kapcsolatikod@bm.gov.hu>",
        to="iktato@pelda-kormanyhivatal.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok [KK-2026-000123] – kész",
        text=text,
        attachments=[Attachment(name, kind, data) for name, kind, data in files],
        in_reply_to="<kerelem-1@pelda-kormanyhivatal.hu>",
        headers=[("Auto-Submitted", "auto-replied"), ("X-Kkod-Reference", "KK-2026-000123")],
    )


def _lines_of_text(text: str) -> str:
    """The text as any message carries it: its lines, each ended by one line break."""
    return b"\n".join(text.encode("utf-8").splitlines()).decode("utf-8") + "\n"


@settings(max_examples=150, deadline=None)
@given(TEXT, FILES)
def test_the_standard_librarys_parser_reads_back_what_was_written(text, files):
    raw = _written(text, files)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects
    parts = list(message.iter_parts()) if files else [message]
    body, attached = parts[0], parts[1:]
    assert body.get_content().replace("\r\n", "\n") == _lines_of_text(text)
    # (the standard library strips a file name's outer whitespace as it reads it)
    assert [
        (p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in attached
    ] == [(name.strip(), kind, data) for name, kind, data in files]
    assert message["X-Kkod-Reference"] == "KK-2026-000123"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == message["References"] == "<kerelem-1@pelda-kormanyhivatal.hu>"


@settings(max_examples=150, deadline=None)
@given(TEXT, FILES)
def test_kkods_parser_reads_back_what_was_written(text, files):
    parsed = parse_message(_written(text, files))
    assert [(a.content_type, a.data) for a in parsed.attachments] == [(k, d) for _, k, d in files]
    assert parsed.subject == "Re: Példa Hivatal – kapcsolati kódok [KK-2026-000123] – kész"
    assert parsed.sender == "kapcsolatikod@bm.gov.hu"


@settings(max_examples=150, deadline=None)
@given(TEXT, FILES)
def test_no_line_of_the_body_passes_78_characters(text, files):
    raw = _written(text, files)
    _, _, body = raw.partition(b"\r\n\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")  # every line break is CRLF
    assert [line for line in body.split(b"\r\n") if len(line) > 78] == []


def test_a_long_accented_file_name_goes_in_numbered_pieces_and_comes_back_whole():
    name = "Nemzeti Adó- és Vámhivatal Észak-alföldi Regionális Vám- és Pénzügyőri Főigazgatósága – kapcsolati kódok.xlsx"
    raw = _written("Tisztelt Hivatal!", [(name, XLSX_TYPE, b"PK\x03\x04")])
    assert b"filename*0*=utf-8''" in raw and b"filename*3*=" in raw
    attached = email.message_from_bytes(raw, policy=email.policy.default).iter_attachments()
    assert [part.get_filename() for part in attached] == [name]
