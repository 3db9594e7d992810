"""Request and reply emails: building them (UTF-8, RFC 2231 filenames) and parsing whatever arrives.

kkod encodes the headers it writes itself (:func:`encode_header_value`): the standard
library's folder can drop the space between two encoded words, which changed subjects such
as "Nemzeti Adó- és Vámhivatal – kapcsolati kódok" on the way, and it RFC 2047-encodes long
message ids, which mail clients then cannot thread. See docs/mail.md.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.parser
import email.policy
import re
import secrets
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import quoprimime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr, parsedate_to_datetime
from typing import Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv"
HTML_TYPE = "text/html"

MESSAGE_ID_DOMAIN = "kkod.local"
"""Domain of generated Message-IDs when the sender's address has none."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file: its name as the sender gave it, its MIME type and its exact bytes."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def is_xlsx(self) -> bool:
        """An Excel table, by name or by declared type."""
        return self.filename.lower().endswith(".xlsx") or self.content_type == XLSX_TYPE

    @property
    def is_pdf(self) -> bool:
        """A PDF document, by name or by declared type."""
        return self.filename.lower().endswith(".pdf") or self.content_type == PDF_TYPE


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """What kkod needs from a received email; ``sender`` is the From: address, lower-cased.

    The last fields are what tells an automatic message (RFC 3834) from a person's:
    ``auto_submitted`` and ``precedence`` lower-cased, ``content_type`` of the whole message
    and its ``report_type`` parameter, and whether it carries ``List-*`` headers.
    """

    message_id: str | None
    sender: str
    subject: str
    date: datetime | None
    attachments: list[Attachment]
    text: str
    in_reply_to: str | None
    references: tuple[str, ...] = ()
    auto_submitted: str | None = None
    precedence: str | None = None
    content_type: str = "text/plain"
    report_type: str | None = None
    list_message: bool = False


# Headers whose values kkod encodes and folds itself (see the module's docstring).
_TEXT_HEADERS = frozenset({"subject"})
_ADDRESS_HEADERS = frozenset({"from", "to", "cc", "reply-to", "sender"})
_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})
_FOLD = "\r\n "
_WORD_BYTES = 36  # UTF-8 bytes per encoded word: 48 base64 characters, a 60-character word


class _KkodPolicy(EmailPolicy):
    """The SMTP policy, except that the headers above are stored already encoded and folded."""

    def header_store_parse(self, name, value):
        if (
            isinstance(value, str)
            and name.lower() in _TEXT_HEADERS | _ADDRESS_HEADERS | _ID_HEADERS
        ):
            return (name, encode_header_value(name, value))
        return super().header_store_parse(name, value)


POLICY = _KkodPolicy(linesep="\r\n", refold_source="none")
"""The policy of every message kkod builds."""


def encode_header_value(name: str, value: str) -> str:
    """``value`` as it goes on the wire after ``name:``: folded, ASCII, decoded back unchanged.

    Text (Subject) and display names become RFC 2047 encoded words of whole characters, each
    holding its own spaces, so no decoder can lose or add one between words; message ids are
    never encoded (one id per line); plain ASCII text is only folded at spaces.
    """
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name}: header values may not contain line breaks")
    lower = name.lower()
    if lower in _ID_HEADERS:
        return _FOLD.join(value.split())
    if lower in _ADDRESS_HEADERS:
        return ("," + _FOLD).join(_address_text(pair) for pair in getaddresses([value]))
    return _encoded_text(" ".join(value.split()), len(name) + 2)


def _address_text(pair: tuple[str, str]) -> str:
    display, addr = pair
    display = " ".join(display.split())
    if not display:
        return addr
    if _plain_ascii(display) and not any(ch in display for ch in '()<>[]:;@\\,."'):
        phrase = display
    elif _plain_ascii(display):
        phrase = f'"{email.utils.quote(display)}"'
    else:  # one encoded word: parsers disagree on the space between two in a phrase
        phrase = _encoded_words(display, len(display.encode("utf-8")))[0]
    return f"{phrase} <{addr}>"


def _encoded_text(text: str, used: int) -> str:
    if not _plain_ascii(text):
        return _FOLD.join(_encoded_words(text))
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        room = 78 - (used if not lines else 1)
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return _FOLD.join(lines)


def _encoded_words(text: str, size: int = _WORD_BYTES) -> list[str]:
    import base64

    chunks: list[bytes] = []
    chunk = b""
    for char in text:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > size:
            chunks.append(chunk)
            chunk = b""
        chunk += encoded
    chunks.append(chunk)
    return [f"=?UTF-8?B?{base64.b64encode(part).decode('ascii')}?=" for part in chunks]


def _plain_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable() and "=?" not in text


def build_message(**fields: Any) -> EmailMessage:
    """:func:`message_bytes` (the same keywords) as a message object, for a caller that changes
    or inspects it before sending (the employer's request); the ministry's replies take the
    bytes."""
    return email.message_from_bytes(message_bytes(**fields), policy=POLICY)


def message_bytes(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    attachments: Sequence[Attachment] = (),
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A ready-to-send message: UTF-8 text body, attachments with RFC 2231 filenames, Message-ID, Date.

    ``in_reply_to`` sets both In-Reply-To and References so mail clients thread the reply;
    ``headers`` come last. Every header is encoded by :func:`encode_header_value`.

    Written here rather than by ``email``'s message object and generator, which took 1 ms
    for an acknowledgement and 4–5 ms for a reply with two small workbooks (checking every
    header through its registry, writing the base64 line by line): the shape is always the
    same — the text, quoted-printable as ``email`` writes it, alone or first in a
    ``multipart/mixed`` with the attachments in base64 — and the tests read it back with
    the standard library's parser and with npm's mailparser.
    """
    lines = [
        _header("From", sender),
        _header("To", to),
        _header("Subject", subject),
        _header("Date", format_datetime(datetime.now().astimezone())),
        _header("Message-ID", message_id or make_msgid("kkod", _domain_of(sender))),
    ]
    if in_reply_to:
        lines += [_header("In-Reply-To", in_reply_to), _header("References", in_reply_to)]
    lines.append("MIME-Version: 1.0")
    body = _text_part(text)
    if not attachments:
        head = "\r\n".join([*lines, *body[:2], *(_header(n, v) for n, v in headers)])
        return f"{head}\r\n\r\n{body[2]}".encode("ascii")
    boundary = f"===============kkod{secrets.token_hex(12)}=="
    lines.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    lines += (_header(name, value) for name, value in headers)
    delimiter = f"\r\n--{boundary}\r\n".encode("ascii")
    out = ["\r\n".join(lines).encode("ascii"), b"\r\n"]
    for part in (_joined(body), *(_attachment_part(a) for a in attachments)):
        out += (delimiter, part)
    out.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def _header(name: str, value: str) -> str:
    return f"{name}: {encode_header_value(name, value)}"


def _text_part(text: str) -> tuple[str, str, str]:
    """The text's two headers and its body, quoted-printable as ``email`` writes it (its lines
    ended by CRLF, soft breaks kept within 76 characters)."""
    data = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    body = quoprimime.body_encode(data.decode("latin-1"), 76, eol="\r\n")
    return (
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        body if body.endswith("\r\n") else body + "\r\n",
    )


def _joined(part: tuple[str, str, str]) -> bytes:
    return f"{part[0]}\r\n{part[1]}\r\n\r\n{part[2]}".encode("ascii")


def _attachment_part(attachment: Attachment) -> bytes:
    content_type = _content_type(attachment.content_type)
    fold = "\r\n " if len(content_type) > 78 - len("Content-Type: ") else " "
    head = (
        f"Content-Type:{fold}{content_type}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment;{_filename_parameter(attachment.filename)}\r\n\r\n"
    )
    return head.encode("ascii") + base64.encodebytes(attachment.data).replace(b"\n", b"\r\n")


_TOKEN = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")


def _content_type(content_type: str) -> str:
    """A bare ``type/subtype`` as given, anything else ``application/octet-stream``."""
    return content_type if _TOKEN.fullmatch(content_type) else "application/octet-stream"


_PLAIN_FILENAME = re.compile(r"[A-Za-z0-9 !#$%&'()*+,.\-/:;<=>?@\[\]^_`{|}~]{1,60}")
_PERCENT_ENCODED = re.compile(r"%[0-9A-F]{2}|[^%]")
_PIECE_CHARACTERS = 50


def _pieces(encoded: str) -> list[str]:
    """An RFC 2231 value in pieces of up to 50 characters, none splitting a ``%XX``."""
    pieces = [""]
    for token in _PERCENT_ENCODED.findall(encoded):
        if len(pieces[-1]) + len(token) > _PIECE_CHARACTERS:
            pieces.append("")
        pieces[-1] += token
    return pieces


def _filename_parameter(filename: str) -> str:
    """``filename`` as the parameter(s) of Content-Disposition, each on a line of its own: a
    short plain ASCII name (single spaces between words) quoted, any other RFC 2231-encoded in
    UTF-8 (percent-encoded: no character is lost on the way), split into numbered pieces when
    long (so no line grows past 78 characters)."""
    if _PLAIN_FILENAME.fullmatch(filename) and filename == " ".join(filename.split()):
        return f'\r\n filename="{email.utils.quote(filename)}"'
    pieces = _pieces(urllib.parse.quote(filename, safe="", encoding="utf-8"))
    if len(pieces) == 1:
        return f"\r\n filename*=utf-8''{pieces[0]}"
    first = f"\r\n filename*0*=utf-8''{pieces[0]}"
    return first + "".join(f";\r\n filename*{n}*={piece}" for n, piece in enumerate(pieces[1:], 1))


def _domain_of(address: str) -> str:
    _, addr = parseaddr(address)
    domain = addr.rpartition("@")[2].strip().lower()
    return domain or MESSAGE_ID_DOMAIN


def parse_message(raw: bytes) -> ParsedMessage:
    """Read a received email, tolerating odd encodings, missing headers and nested multiparts.

    Attachments are every non-multipart part that has a filename or is not the message's text;
    each keeps its exact decoded bytes.
    """
    message = _parsed(raw)
    body = _body_part(message)
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        filename = _filename(part)
        if filename is None and part.get_content_maintype() == "text" and not _is_attachment(part):
            continue
        data = part.get_payload(decode=True)
        if data is None:  # a message/rfc822 part: keep it as the bytes of the inner message
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
        attachments.append(
            Attachment(filename=filename or "", content_type=part.get_content_type(), data=data)
        )
    return ParsedMessage(
        message_id=_message_id(message, "Message-ID"),
        sender=_address(message, "From"),
        subject=_header_text(message, "Subject") or "",
        date=_date(message),
        attachments=attachments,
        text=_text_of(body),
        in_reply_to=_message_id(message, "In-Reply-To"),
        references=tuple((_header_text(message, "References") or "").split()),
        auto_submitted=_lower(_header_text(message, "Auto-Submitted")),
        precedence=_lower(_header_text(message, "Precedence")),
        content_type=message.get_content_type(),
        report_type=_lower(_param(message, "report-type")),
        list_message=any(message.get(h) is not None for h in ("List-Id", "List-Unsubscribe")),
    )


_FEED_BYTES = 1 << 20


def _parsed(raw: bytes) -> EmailMessage:
    """``email.message_from_bytes`` fed in 1 MiB pieces, which parses the same way.

    ``message_from_bytes`` decodes the whole message into one string and reads it through a
    ``StringIO``, which keeps four bytes per character: a 46 MB message cost 300 MB more than
    the lines the parser keeps (docs/reliability.md). Decoding piece by piece is exact, as
    the parser decodes byte by byte (ASCII, undecodable bytes escaped).
    """
    parser = email.parser.BytesFeedParser(policy=_reading_policy())
    view = memoryview(raw)
    for start in range(0, len(raw), _FEED_BYTES):
        parser.feed(bytes(view[start : start + _FEED_BYTES]))
    return parser.close()  # type: ignore[return-value]


class _ParsedOnce:
    """The default policy's header factory, each header text parsed once per message.

    ``email`` parses a header again every time it is read (the structured parsers are slow):
    reading one message asked for its Content-Type headers 28 times. The header objects are
    immutable, so the same text gives the same object; the memo lives as long as the
    message, which keeps it in its policy.
    """

    def __init__(self) -> None:
        self._made: dict[tuple[str, str], object] = {}
        self._factory = email.policy.default.header_factory

    def __call__(self, name: str, value: str) -> object:
        key = (name, value)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._factory(name, value)
        return made

    def __getitem__(self, name: str) -> type:  # the policy asks for a header's class
        return self._factory[name]


def _reading_policy() -> EmailPolicy:
    return email.policy.default.clone(header_factory=_ParsedOnce())


def _lower(text: str | None) -> str | None:
    return text.strip().lower() if text else None


def _param(message: Message, name: str) -> str | None:
    try:
        value = message.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return str(value) if value else None


def _body_part(message: Message) -> Message | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except Exception:  # a malformed structure: treat the message as having no body
        return None


def _text_of(part: Message | None) -> str:
    if part is None:
        return ""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        text = payload.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    if part.get_content_subtype() == "html" and text.strip():
        import lxml.html

        text = lxml.html.fromstring(text).text_content()
    return text


def _is_attachment(part: Message) -> bool:
    return (part.get_content_disposition() or "") == "attachment"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        name = part.get_param("name", header="content-type")
        if isinstance(name, tuple):  # an RFC 2231 value not collapsed by the policy
            name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return None
    name = str(name)
    if "=?" in name:  # RFC 2047 encoded words inside a parameter (some clients do that)
        with contextlib.suppress(Exception):
            name = str(make_header(decode_header(name)))
    return " ".join(name.split()) or None


def _header_text(message: Message, name: str) -> str | None:
    """A header's decoded text, or ``None``; never raises on a malformed header."""
    try:
        value = message.get(name)
        if value is None:
            return None
        return " ".join(str(value).split())
    except Exception:
        raw = message.get_all(name, failobj=[None])[0]
        if raw is None:
            return None
        try:
            return " ".join(str(make_header(decode_header(str(raw)))).split())
        except Exception:
            return " ".join(str(raw).split())


def _address(message: Message, name: str) -> str:
    text = _header_text(message, name) or ""
    try:
        pairs = getaddresses([text])
    except Exception:
        pairs = [parseaddr(text)]
    for _, addr in pairs:
        if "@" in addr:
            return addr.strip().lower()
    return ""


def _message_id(message: Message, name: str) -> str | None:
    text = _header_text(message, name)
    if not text:
        return None
    return text.split()[0]


def _date(message: Message) -> datetime | None:
    text = _header_text(message, "Date")
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def headers_of(raw: bytes, limit: int | None = None) -> Message:
    """The header block of the message ``raw`` (looked for in its first ``limit`` bytes, if
    given) parsed alone: a parser told to read only headers still goes through every line of
    the body. Lines may end in CRLF or LF."""
    head = raw if limit is None else raw[:limit]
    ends = [end for end in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if end >= 0]
    return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
        head[: min(ends) + 1] if ends else head
    )


def recipients_of(message: Message) -> list[str]:
    """The addresses in the message's To: header only (never Cc or Bcc)."""
    values = [str(value) for value in message.get_all("To", [])]
    return [addr for _, addr in getaddresses(values) if addr]
