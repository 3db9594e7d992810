"""Every subject, file name and display name kkod writes survives kkod's own parser and npm's
mailparser (a parser no one here wrote) unchanged, for the names of 122 Hungarian public bodies;
message ids are never RFC 2047-encoded, however long."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kkod.config import Settings
from kkod.exchange.subject import request_subject
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message, parse_message
from kkod.ministry.models import Request
from kkod.ministry.replies import codes_reply, rejection_reply
from kkod.ministry.store import Counts

from .hungarian_bodies import BODIES

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / ".venv" / "node" / "node_modules"
OUTLOOK_ID = (
    "<AM0PR10MB3147E5A6F2C94D1B8E3A7C2FD9A42@AM0PR10MB3147.EURPRD10.PROD.OUTLOOK.COM."
    "pelda-kormanyhivatal.hu>"
)


def mailparser(raws: list[bytes]) -> list[dict]:
    """What npm's mailparser reads from each message (scripts/test-tools.sh installs it)."""
    assert (NODE_MODULES / "mailparser").is_dir(), "run scripts/test-tools.sh (npm's mailparser)"
    result = subprocess.run(
        ["node", str(Path(__file__).with_name("mailparser.js"))],
        input=json.dumps([base64.b64encode(raw).decode() for raw in raws]).encode(),
        capture_output=True,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def _request_message(body: str) -> tuple[bytes, dict]:
    table = f"{body} – kapcsolati kód adattáblázat 2026.xlsx"
    declaration = f"{body} munkáltatói nyilatkozat (aláírt).pdf"
    message = build_message(
        sender=f"{body} <iktato@pelda.gov.hu>",
        to="Belügyminisztérium – kapcsolati kódok <ehr@bm.gov.hu>",
        subject=request_subject(body),
        text="Tisztelt Minisztérium!",
        attachments=[
            Attachment(table, XLSX_TYPE, b"PK\x03\x04"),
            Attachment(declaration, PDF_TYPE, b"%PDF-1.7"),
        ],
        message_id=OUTLOOK_ID.replace("AM0PR", f"{len(body):03d}"),
    )
    expected = {
        "subject": request_subject(body),
        "from": [body],
        "to": ["Belügyminisztérium – kapcsolati kódok"],
        "attachments": [table, declaration],
    }
    return message.as_bytes(), expected


def _replies(body: str) -> list[tuple[bytes, dict]]:
    request = Request(
        reference="KK-2026-000123",
        subject=request_subject(body),
        sender="iktato@pelda.gov.hu",
        message_id=OUTLOOK_ID,
        organisation=body,
        short_name=body[:20],
        krid="500100",
        received_at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
    )
    table = Attachment(f"{body} – kapcsolati kódok.xlsx", XLSX_TYPE, b"PK\x03\x04")
    report = Attachment(f"{body} – indoklás.xlsx", XLSX_TYPE, b"PK\x03\x04")
    settings = Settings(ministry_address="ehr@bm.gov.hu")
    codes = codes_reply(request, Counts(3, 1, 1, 1, 0), table, report, settings)
    rejected = rejection_reply(request, "A levél tárgya nem felel meg.", settings)
    subject = f"Re: {request_subject(body)} [KK-2026-000123] – "
    return [
        (
            codes.raw,
            {"subject": subject + "kész", "attachments": [table.filename, report.filename]},
        ),
        (rejected.raw, {"subject": subject + "elutasítva", "attachments": []}),
    ]


@pytest.fixture(scope="module")
def messages() -> list[tuple[bytes, dict]]:
    out = []
    for body in BODIES:
        out.append(_request_message(body))
        out.extend(_replies(body))
    return out


def test_at_least_a_hundred_real_names_the_longest_included():
    assert len(BODIES) >= 100
    for long_name in (
        "Nemzeti Adó- és Vámhivatal",
        "Komárom-Esztergom Vármegyei Kormányhivatal",
        "Győr-Moson-Sopron Vármegyei Kormányhivatal",
    ):
        assert long_name in BODIES


def test_kkods_own_parser_reads_back_exactly_what_was_written(messages):
    for raw, expected in messages:
        parsed = parse_message(raw)
        assert parsed.subject == expected["subject"]
        assert [a.filename for a in parsed.attachments] == expected["attachments"]
        headers = email.message_from_bytes(raw, policy=email.policy.default)
        if "from" in expected:
            assert [a.display_name for a in headers["From"].addresses] == expected["from"]
            assert [a.display_name for a in headers["To"].addresses] == expected["to"]


def test_npm_mailparser_reads_back_exactly_what_was_written(messages):
    seen_all = mailparser([raw for raw, _ in messages])
    for (_raw, expected), seen in zip(messages, seen_all, strict=True):
        assert seen["subject"] == expected["subject"]
        assert seen["attachments"] == expected["attachments"]
        for field in ("from", "to"):
            if field in expected:
                assert seen[field] == expected[field]


def test_message_ids_are_never_encoded_however_long(messages):
    for raw, _ in messages:
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = re.sub(r"\r\n[ \t]+", " ", head)
        for line in unfolded.split("\r\n"):
            name = line.split(":", 1)[0].lower()
            if name in ("message-id", "in-reply-to", "references"):
                assert "=?" not in line, line
    replies = [raw for raw, expected in messages if expected["subject"].startswith("Re:")]
    for seen in mailparser(replies[:4]):
        assert seen["inReplyTo"] == OUTLOOK_ID and seen["references"] == OUTLOOK_ID


def test_every_line_kkod_writes_fits_the_limit(messages):
    for raw, _ in messages:
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
