"""Fixtures of the ministry tests: a real central registry, demo PKI, a filled table, signed
declarations, request emails, and real SMTP servers on loopback that record envelopes."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from kkod.central.interface import OfficeInfo
from kkod.central.registry import NewAccount, add_office, add_person
from kkod.central.service import InProcessCentral
from kkod.config import Settings
from kkod.db import make_engine, migrate
from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
from kkod.exchange.declaration import DeclarationData
from kkod.exchange.subject import request_subject
from kkod.fourt.model import Person4T
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.ministry.store import RequestStore
from kkod.pki.demo_ca import make_demo_ca, make_signer
from kkod.pki.signing import sign_pdf
from kkod.table.layout import COLUMN_OF_FIELD
from kkod.table.template import build_template
from kkod.table.writer import patch_cells

KRID = "500100"
ORGANISATION = "Példa Megyei Kormányhivatal"
SHORT_NAME = "PMKH"
ORGANISATION_ID = "VATHU-15000000"
SENDER = "iktato@pelda-kormanyhivatal.hu"
MINISTRY = "kapcsolatikod@bm.gov.hu"
SECRET_HEX = "3c" * 32
PASSPHRASE = b"titkos-jelszo"

# (Belső azonosító, 4T, accounts) — real Hungarian data of every matching case.
STAFF: list[tuple[str, Person4T, int]] = [
    ("HR-001", Person4T("Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12"), 1),
    ("HR-002", Person4T("Tóth Pálné", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02"), 1),
    ("HR-003", Person4T("Kovács Béla", "Kovács Béla", "Molnár Erzsébet", "Pécs", "1990.01.30"), 0),
    (
        "HR-004",
        Person4T("Horváth Zoltán", "Horváth Zoltán", "Balogh Katalin", "Szeged", "1968.07.04"),
        2,
    ),
    ("HR-005", Person4T("Szűcs Ödön", "Szűcs Ödön", "Lakatos Júlia", "Győr", "1999.12.31"), 1),
    (
        "HR-006",
        Person4T("Bíró Gyöngyi", "Bíró Gyöngyi", "Vörös Piroska", "Kecskemét", "1979.05.21"),
        1,
    ),
]

FOURT_VALUES = [value for _, person, _ in STAFF for value in (
    person.viselt_nev, person.szuletesi_nev, person.anyja_szuletesi_neve,
    person.szuletesi_hely, person.szuletesi_ido,
)]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: object = None  # the client's address and port: one per SMTP conversation


class RecordingHandler:
    """An aiosmtpd handler keeping each message with its SMTP envelope (to check recipients).

    The ministry's acknowledgements (``beérkezett``, Message-ID ``<KK-….atvetel@…>``) are kept
    apart in ``acknowledgements``: ``messages`` are the answers, one per request
    (tests/ministry/test_status.py checks the acknowledgements).
    """

    def __init__(self) -> None:
        self.messages: list[Delivered] = []
        self.acknowledgements: list[Delivered] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = bytes(envelope.original_content)
        delivered = Delivered(envelope.mail_from, list(envelope.rcpt_tos), raw, session.peer)
        headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        with self._lock:
            if re.search(rb"(?im)^message-id:\s*<KK-[0-9-]+\.atvetel@", headers):
                self.acknowledgements.append(delivered)
            else:
                self.messages.append(delivered)
        return "250 2.0.0 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Delivered]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


@dataclass
class Mailbox:
    """A real SMTP server on loopback that records what it receives."""

    port: int
    handler: RecordingHandler
    controller: Controller | None = None

    def start(self) -> Mailbox:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port(), RecordingHandler()).start()
    yield box
    box.stop()


@dataclass(frozen=True)
class Pki:
    ca_cert: Path
    signer: Path  # signs for ORGANISATION
    untrusted_signer: Path  # from a CA nobody trusts
    other_org_signer: Path  # trusted CA, another organisation


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    demo = make_demo_ca(
        folder / "ca",
        organisation=ORGANISATION,
        organisation_id=ORGANISATION_ID,
        signer_name="Dr. Szabó Irén",
        passphrase=PASSPHRASE,
    )
    rogue = make_demo_ca(
        folder / "rogue",
        organisation=ORGANISATION,
        organisation_id=ORGANISATION_ID,
        signer_name="Dr. Szabó Irén",
        passphrase=PASSPHRASE,
        ca_name="Ismeretlen CA",
    )
    other = make_signer(
        folder / "other",
        demo,
        organisation="Másik Városi Hivatal",
        organisation_id="VATHU-99999999",
        signer_name="Fekete Gábor",
        passphrase=PASSPHRASE,
    )
    return Pki(demo.ca_cert, demo.signer_p12, rogue.signer_p12, other)


def make_central(url: str) -> InProcessCentral:
    engine = make_engine(url)
    migrate(engine, "central")
    add_office(
        engine,
        OfficeInfo(KRID, SHORT_NAME, ORGANISATION, ("pelda-kormanyhivatal.hu",), ORGANISATION_ID),
    )
    for index, (_, person, accounts) in enumerate(STAFF):
        add_person(
            engine,
            person,
            [
                NewAccount(f"user{index}.{n}", f"user{index}.{n}@example.hu")
                for n in range(accounts)
            ],
        )
    return InProcessCentral(engine, bytes.fromhex(SECRET_HEX))


def write_table(path: Path, staff=STAFF) -> Path:
    letters = [COLUMN_OF_FIELD[f] for f in Person4T.FIELDS]
    values: dict[tuple[int, str], str] = {}
    for row, (belso, person, _) in enumerate(staff, start=2):
        values[(row, COLUMN_OF_FIELD["belso_azonosito"])] = belso
        for letter, name in zip(letters, Person4T.FIELDS, strict=True):
            values[(row, letter)] = getattr(person, name)
    build_template(path, len(staff))
    patch_cells(path, path, values)
    return path


@dataclass
class World:
    """Everything a request needs: central, store, settings, a table and its declaration."""

    folder: Path
    central: InProcessCentral
    store: RequestStore
    settings: Settings
    pki: Pki
    table: Path
    data: DeclarationData = field(init=False)

    def __post_init__(self) -> None:
        self.data = declaration_data_for_table(
            self.table,
            organisation=ORGANISATION,
            short_name=SHORT_NAME,
            krid=KRID,
            contact_name="Varga Judit",
            contact_email=SENDER,
        )

    def declaration(self, signer: Path | None = None, sign: bool = True, **changes) -> bytes:
        pdf = build_declaration_pdf(dataclasses.replace(self.data, **changes))
        return sign_pdf(pdf, signer or self.pki.signer, PASSPHRASE) if sign else pdf

    def email(
        self,
        *,
        subject: str | None = None,
        table: bytes | None = None,
        declaration: bytes | None = None,
        attachments: list[Attachment] | None = None,
        message_id: str | None = None,
        sender: str = SENDER,
        extra_headers: dict[str, str] | None = None,
    ) -> bytes:
        if attachments is None:
            attachments = [
                Attachment(
                    "kapcsolati_kod_tabla.xlsx", XLSX_TYPE, table or self.table.read_bytes()
                ),
                Attachment("nyilatkozat.pdf", PDF_TYPE, declaration or self.declaration()),
            ]
        message = build_message(
            sender=sender,
            to=MINISTRY,
            subject=subject if subject is not None else request_subject(ORGANISATION),
            text="Tisztelt Minisztérium! Mellékelten küldjük a kérelmünket.",
            attachments=attachments,
            message_id=message_id,
        )
        for name, value in (extra_headers or {}).items():
            message[name] = value
        return message.as_bytes()


def settings_for(folder: Path, pki: Pki, smtp_port: int, **extra) -> Settings:
    return Settings(
        data_dir=folder / "data",
        trust_roots=[pki.ca_cert],
        ministry_address=MINISTRY,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        code_secret=SECRET_HEX,
        **extra,
    )


@pytest.fixture
def world(tmp_path, pki, mailbox) -> World:
    """A world on SQLite files (the checks do not depend on the backend)."""
    return World(
        folder=tmp_path,
        central=make_central(f"sqlite:///{tmp_path / 'central.sqlite3'}"),
        store=RequestStore.open(url=f"sqlite:///{tmp_path / 'ministry.sqlite3'}"),
        settings=settings_for(tmp_path, pki, mailbox.port),
        pki=pki,
        table=write_table(tmp_path / "kapcsolati_kod_tabla.xlsx"),
    )


@pytest.fixture
def world_on(tmp_path, pki, mailbox, db_url) -> World:
    """A world whose request store and registry are on the parametrised backend."""
    central_url = db_url
    if db_url.startswith("sqlite"):
        central_url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    return World(
        folder=tmp_path,
        central=make_central(central_url),
        store=RequestStore.open(url=db_url),
        settings=settings_for(tmp_path, pki, mailbox.port),
        pki=pki,
        table=write_table(tmp_path / "kapcsolati_kod_tabla.xlsx"),
    )
