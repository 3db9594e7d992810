"""Building and parsing request/reply messages: Hungarian names and files survive intact."""

from __future__ import annotations

import os
import re
from datetime import datetime

from kkod.mail.message import (
    PDF_TYPE,
    XLSX_TYPE,
    Attachment,
    build_message,
    headers_of,
    parse_message,
    recipients_of,
)

TABLE = Attachment(
    "Kapcsolati kód adattáblázat – Győri Tankerület.xlsx", XLSX_TYPE, os.urandom(5000)
)
DECLARATION = Attachment(
    "munkáltatói nyilatkozat (aláírt).pdf", PDF_TYPE, b"%PDF-1.7\n" + os.urandom(3000)
)
TEXT = "Tisztelt Belügyminisztérium!\n\nCsatoltan küldjük az igénylést. Árvíztűrő tükörfúrógép.\n"


def _request(**extra):
    return build_message(
        sender="Győri Tankerület <iktato@gyor.tankerulet.hu>",
        to="ehr@bm.gov.hu",
        subject="Győri Tankerület – kapcsolati kódok igénylése",
        text=TEXT,
        attachments=[TABLE, DECLARATION],
        **extra,
    )


def test_build_then_parse_keeps_everything():
    message = _request()
    parsed = parse_message(message.as_bytes())
    assert parsed.sender == "iktato@gyor.tankerulet.hu"
    assert parsed.subject == "Győri Tankerület – kapcsolati kódok igénylése"
    assert parsed.text.strip() == TEXT.strip()
    assert parsed.message_id == message["Message-ID"]
    assert parsed.message_id.startswith("<") and "kkod" in parsed.message_id
    assert parsed.message_id.endswith("@gyor.tankerulet.hu>")
    assert isinstance(parsed.date, datetime) and parsed.date.tzinfo is not None
    assert parsed.in_reply_to is None
    assert parsed.attachments == [TABLE, DECLARATION]
    assert parsed.attachments[0].is_xlsx and not parsed.attachments[0].is_pdf
    assert parsed.attachments[1].is_pdf and not parsed.attachments[1].is_xlsx


def test_headers_are_ascii_with_rfc2231_filenames():
    raw = _request().as_bytes()
    head, _, _ = raw.partition(b"\r\n\r\n")
    head.decode("ascii")  # UTF-8 subject is encoded, not raw 8-bit
    assert re.search(rb"filename\*(0\*)?=utf-8''", raw)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_reply_threads_to_the_request():
    request = _request()
    reply = build_message(
        sender="ehr@bm.gov.hu",
        to="iktato@gyor.tankerulet.hu",
        subject="Re: Győri Tankerület – kapcsolati kódok igénylése",
        text="A kitöltött táblázat csatolva.",
        in_reply_to=request["Message-ID"],
        message_id="<valasz-1@bm.gov.hu>",
    )
    parsed = parse_message(reply.as_bytes())
    assert parsed.in_reply_to == request["Message-ID"]
    assert reply["References"] == request["Message-ID"]
    assert parsed.message_id == "<valasz-1@bm.gov.hu>"
    assert parsed.attachments == []


def test_recipients_are_the_to_header_only():
    message = _request()
    message["Cc"] = "masolat@gyor.tankerulet.hu"
    message["Bcc"] = "titkos@example.org"
    assert recipients_of(message) == ["ehr@bm.gov.hu"]


def test_sender_is_the_from_address_not_reply_to():
    raw = (
        b"From: =?utf-8?q?P=C3=A9lda_Hivatal?= <Iktato@Pelda.GOV.hu>\r\n"
        b"Reply-To: valaki@masik.hu\r\n"
        b"Sender: relay@pelda.gov.hu\r\n"
        b"Subject: BM_kapcsolati_kodok\r\n\r\nszoveg\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.sender == "iktato@pelda.gov.hu"


def test_latin2_body_and_encoded_word_filenames_from_older_clients():
    raw = (
        "From: iktato@pelda.gov.hu\r\n"
        "To: ehr@bm.gov.hu\r\n"
        "Subject: =?ISO-8859-2?Q?P=E9lda_Hivatal_kapcsolati_k=F3dok?=\r\n"
        "Date: Tue, 14 Mar 2017 09:12:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        "--XX\r\n"
        "Content-Type: text/plain; charset=ISO-8859-2\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "=C1rv=EDzt=FBr=F5 t=FCk=F6rf=FAr=F3g=E9p\r\n"
        "--XX\r\n"
        'Content-Type: application/octet-stream; name="=?ISO-8859-2?Q?t=E1bl=E1zat=2Exlsx?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "UEsDBA==\r\n"
        "--XX--\r\n"
    ).encode("ascii")
    parsed = parse_message(raw)
    assert parsed.subject == "Példa Hivatal kapcsolati kódok"
    assert parsed.text.strip() == "Árvíztűrő tükörfúrógép"
    assert parsed.date is not None and parsed.date.year == 2017
    [table] = parsed.attachments
    assert table.filename == "táblázat.xlsx"
    assert table.is_xlsx
    assert table.data == b"PK\x03\x04"


def test_broken_headers_do_not_raise():
    raw = (
        b"From: not an address\r\n"
        b"Date: tegnap\r\n"
        b"Subject: \xe9kezetes \xfa bajt\r\n"
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
        b"\xff\xfe sz\xf6veg\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.sender == ""
    assert parsed.date is None
    assert parsed.message_id is None
    assert "bajt" in parsed.subject
    assert "veg" in parsed.text


def test_html_only_body_becomes_text_and_nested_parts_are_found():
    raw = (
        b"From: iktato@pelda.gov.hu\r\nSubject: kapcsolati kodok\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B1"\r\n\r\n'
        b'--B1\r\nContent-Type: multipart/alternative; boundary="B2"\r\n\r\n'
        b"--B2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p>Tisztelt <b>Minisztérium</b>!</p>".encode()
        + b"\r\n--B2--\r\n"
        b"--B1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        b"filename*=utf-8''nyilatkozat%C5%91.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0=\r\n--B1--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text.strip() == "Tisztelt Minisztérium!"
    assert parsed.attachments == [Attachment("nyilatkozatő.pdf", PDF_TYPE, b"%PDF-")]


def test_a_big_message_with_raw_8bit_parts_parses_as_the_standard_library_does():
    """The parser is fed in pieces: a multi-byte character and a line cut at a piece's
    edge, and an 8-bit part far past the first piece, come out as one whole parse gives."""
    import email
    import email.policy

    from kkod.mail.message import _FEED_BYTES

    text = ("Árvíztűrő tükörfúrógép. " * 80 + "\r\n").encode("utf-8")
    body = text * (2 * _FEED_BYTES // len(text) + 3)
    raw = (
        b"From: iktato@pelda.gov.hu\r\nTo: ehr@bm.gov.hu\r\nSubject: nagy\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"--XX\r\n"
        b"Content-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; "
        b'filename="tabla.csv"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + body + b"--XX--\r\n"
    )
    assert len(raw) > 4 * _FEED_BYTES
    whole = email.message_from_bytes(raw, policy=email.policy.default)
    [expected] = [p.get_payload(decode=True) for p in whole.walk() if p.get_filename()]
    parsed = parse_message(raw)
    assert [a.filename for a in parsed.attachments] == ["tabla.csv"]
    assert parsed.attachments[0].data == expected == body[:-2]  # the last CRLF is the boundary's
    assert parsed.text.split() == whole.get_body().get_content().split()


def test_each_header_is_parsed_once_and_reads_as_without_the_memo(monkeypatch):
    """The parse keeps one object per header text (``email`` re-parses a header on every
    read); what comes out is what the standard policy gives, for odd headers too."""
    import email.policy

    import kkod.mail.message as message

    raws = [
        _request(message_id="<kerelem-1@gyor.tankerulet.hu>").as_bytes(),
        b"From: not an address\r\nDate: tegnap\r\nSubject: \xe9kezetes\r\n"
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\nszoveg\r\n",
    ]
    made: list[tuple[str, str]] = []
    factory = email.policy.default.header_factory

    def counting(name, value):
        made.append((name, value))
        return factory(name, value)

    counted = email.policy.default.clone(header_factory=counting)
    monkeypatch.setattr(email.policy, "default", counted)
    memoised = []
    for raw in raws:
        made.clear()
        memoised.append(parse_message(raw))
        assert made and len(made) == len(set(made))  # no header text parsed twice
    monkeypatch.setattr(message, "_reading_policy", lambda: counted)
    made.clear()
    assert [parse_message(raw) for raw in raws] == memoised
    assert len(made) > len(set(made))  # the standard policy parses them again and again


def test_headers_of_reads_the_header_block_only():
    """The header of a message, CRLF or LF, never a header-like line of its body, and within
    the limit given."""
    raw = b"From: A <a@pelda.hu>\r\nMessage-ID: <fej@pelda.hu>\r\n\r\nMessage-ID: <torzs@x>\r\n"
    assert headers_of(raw)["Message-ID"] == "<fej@pelda.hu>"
    assert headers_of(raw.replace(b"\r\n", b"\n"))["Message-ID"] == "<fej@pelda.hu>"
    assert headers_of(raw, limit=20)["Message-ID"] is None  # beyond the first 20 bytes
