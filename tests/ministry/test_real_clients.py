"""Requests as clients no one here wrote send them, through the real SMTP intake: swaks, Outlook
and Thunderbird message shapes, and a declaration signed by a second PAdES implementation."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import shutil
import smtplib
import subprocess
import sys
import types
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from kkod.exchange.subject import request_subject
from kkod.ministry.intake_server import IntakeService
from kkod.ministry.models import RequestStatus

from .conftest import MINISTRY, ORGANISATION, PASSPHRASE, SENDER

TABLE_NAME = "Kapcsolati kód adattábla – Példa Megyei Kormányhivatal.xlsx"
DECLARATION_NAME = "Munkáltatói nyilatkozat (aláírt).pdf"


@pytest.fixture
def intake(world):
    service = IntakeService(world.store, world.central, world.settings)
    server = service.start("127.0.0.1", 0)
    yield server
    server.stop()


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail(SENDER, [MINISTRY], raw)


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _q_subject(text: str) -> str:
    """The subject as Outlook writes it: RFC 2047 Q-encoded words, folded."""
    from email.header import Header

    return Header(text, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _outlook(world) -> bytes:
    name_b = f"=?utf-8?B?{base64.b64encode(TABLE_NAME.encode()).decode()}?="
    decl_b = f"=?utf-8?B?{base64.b64encode(DECLARATION_NAME.encode()).decode()}?="
    return (
        f'From: Varga Judit <{SENDER}>\r\nTo: "ehr@bm.gov.hu" <{MINISTRY}>\r\n'
        f"Subject: {_q_subject(request_subject(ORGANISATION))}\r\n"
        "Thread-Topic: =?utf-8?Q?kapcsolati_k=C3=B3dok?=\r\n"
        "Thread-Index: AdrZ2x3kq8fJ0Hn2QyWm4y1gq0x2Bw==\r\n"
        "Date: Wed, 2 Dec 2026 13:05:11 +0000\r\n"
        "Message-ID: <DB9PR10MB71475E2C8A3F4D6B9C1E2A7FD9A42@DB9PR10MB7147.EURPRD10.PROD."
        "OUTLOOK.COM>\r\n"
        "Accept-Language: hu-HU, en-US\r\nContent-Language: hu-HU\r\nX-MS-Has-Attach: yes\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="_004_DB9PR10MB7147_"\r\n\r\n'
        "--_004_DB9PR10MB7147_\r\n"
        'Content-Type: multipart/alternative; boundary="_000_DB9PR10MB7147_"\r\n\r\n'
        '--_000_DB9PR10MB7147_\r\nContent-Type: text/plain; charset="iso-8859-2"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nTisztelt Miniszt=E9rium!\r\n\r\n"
        '--_000_DB9PR10MB7147_\r\nContent-Type: text/html; charset="iso-8859-2"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "<html><body><p>Tisztelt Miniszt=E9rium!</p></body></html>\r\n\r\n"
        "--_000_DB9PR10MB7147_--\r\n\r\n"
        "--_004_DB9PR10MB7147_\r\n"
        f'Content-Type: application/octet-stream; name="{name_b}"\r\n'
        f"Content-Description: {name_b}\r\n"
        f'Content-Disposition: attachment; filename="{name_b}"; size=1234;\r\n'
        '\tcreation-date="Wed, 02 Dec 2026 13:04:00 GMT"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(world.table.read_bytes())}\r\n\r\n"
        "--_004_DB9PR10MB7147_\r\n"
        f'Content-Type: application/pdf; name="{decl_b}"\r\n'
        f'Content-Disposition: attachment; filename="{decl_b}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(world.declaration())}\r\n\r\n"
        "--_004_DB9PR10MB7147_--\r\n"
    ).encode("ascii")


def _rfc2231(name: str) -> str:
    """A file name as Thunderbird writes it: RFC 2231, percent-encoded, split in pieces."""
    from urllib.parse import quote

    units = [quote(ch.encode("utf-8"), safe="") for ch in name]  # never split inside a character
    pieces = ["".join(units[i : i + 12]) for i in range(0, len(units), 12)]
    return "".join(
        f";\r\n filename*{n}*={'UTF-8' + chr(39) * 2 if n == 0 else ''}{piece}"
        for n, piece in enumerate(pieces)
    )


def _thunderbird(world) -> bytes:
    from email.header import Header

    subject = Header(request_subject(ORGANISATION), "utf-8").encode(linesep="\r\n")
    return (
        "Message-ID: <4c2d7f0e-1b2a-4e5f-9a8b-7c6d5e4f3a2b@pelda-kormanyhivatal.hu>\r\n"
        "Date: Wed, 2 Dec 2026 14:05:11 +0100\r\nMIME-Version: 1.0\r\n"
        "User-Agent: Mozilla Thunderbird\r\nContent-Language: hu\r\n"
        f"To: {MINISTRY}\r\nFrom: Varga Judit <{SENDER}>\r\n"
        f"Subject: {subject}\r\n"
        'Content-Type: multipart/mixed; boundary="------------tb0123456789"\r\n\r\n'
        "This is a multi-part message in MIME format.\r\n"
        "--------------tb0123456789\r\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nTisztelt Minisztérium!\r\n\r\n"
        "--------------tb0123456789\r\n"
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;"
        f"{_rfc2231(TABLE_NAME).replace('filename', 'name')}\r\n"
        f"Content-Disposition: attachment{_rfc2231(TABLE_NAME)}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(world.table.read_bytes())}\r\n"
        "--------------tb0123456789\r\n"
        f"Content-Type: application/pdf;{_rfc2231(DECLARATION_NAME).replace('filename', 'name')}\r\n"
        f"Content-Disposition: attachment{_rfc2231(DECLARATION_NAME)}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(world.declaration())}\r\n\r\n"
        "--------------tb0123456789--\r\n"
    ).encode()


@pytest.mark.parametrize("client", ["outlook", "thunderbird"])
def test_requests_as_outlook_and_thunderbird_build_them_are_accepted(world, intake, client):
    raw = {"outlook": _outlook, "thunderbird": _thunderbird}[client](world)
    _send(intake.port, raw)
    [request] = world.store.list()
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.table_filename == TABLE_NAME
    assert request.declaration_filename == DECLARATION_NAME
    assert request.subject == request_subject(ORGANISATION)


def test_a_request_sent_with_swaks_is_accepted(world, intake, tmp_path):
    swaks = shutil.which("swaks")
    assert swaks, "swaks is missing: run scripts/test-tools.sh"
    table = tmp_path / "tabla.xlsx"
    table.write_bytes(world.table.read_bytes())
    declaration = tmp_path / "nyilatkozat.pdf"
    declaration.write_bytes(world.declaration())
    result = subprocess.run(
        [
            swaks,
            "--server",
            f"127.0.0.1:{intake.port}",
            "--from",
            SENDER,
            "--to",
            MINISTRY,
            "--header",
            f"Subject: {_q_subject(request_subject(ORGANISATION))}",
            "--body",
            "Tisztelt Miniszterium!",
            "--attach-type",
            "application/octet-stream",
            "--attach",
            f"@{table}",
            "--attach-type",
            "application/pdf",
            "--attach",
            f"@{declaration}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [request] = world.store.list()
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.table_filename == "tabla.xlsx"


def _endesive_cms():
    """endesive's PDF signer, without its package's verifier (which needs oscrypto, and
    oscrypto cannot read OpenSSL 3.0.1x's version string); signing needs none of it."""
    import endesive

    if "endesive.pdf" not in sys.modules:
        package = types.ModuleType("endesive.pdf")
        package.__path__ = [str(Path(endesive.__file__).parent / "pdf")]
        sys.modules["endesive.pdf"] = package
    return importlib.import_module("endesive.pdf.cms")


def test_a_declaration_signed_with_endesive_is_accepted(world, intake):
    from kkod.employer.declaration import build_declaration_pdf

    key, cert, others = pkcs12.load_key_and_certificates(world.pki.signer.read_bytes(), PASSPHRASE)
    pdf = build_declaration_pdf(world.data)
    details = {
        "sigflags": 3,
        "contact": SENDER,
        "location": "Példaváros",
        "signingdate": dt.datetime.now(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'"),
        "reason": "Munkáltatói nyilatkozat",
        "signature": "Dr. Szabó Irén",
        "signaturebox": (0, 0, 0, 0),
    }
    signed = pdf + _endesive_cms().sign(pdf, details, key, cert, others, "sha256")
    _send(intake.port, world.email(declaration=signed))
    [request] = world.store.list()
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.signer_name == "Dr. Szabó Irén"
