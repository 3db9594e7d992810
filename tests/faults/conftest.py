"""Fixtures of the fault suite: a registry of 25,000 people with tables drawn from it and their
signed declarations, the codes a clean run gives, and the environment of real kkod processes.

The registry is built once per test process (seeded: the same people, accounts and ids on
SQLite and PostgreSQL, so a table's codes are the same on both); each test works on its own
copy of it.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from kkod.central.interface import OfficeInfo
from kkod.central.registry import add_office
from kkod.central.sample_table import write_sample_table
from kkod.central.service import InProcessCentral
from kkod.central.synthetic import seed_registry
from kkod.config import Settings
from kkod.db import make_engine, migrate
from kkod.exchange.subject import request_subject
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.ministry.generation import generate
from kkod.ministry.intake import ingest
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import RequestStore
from kkod.table.reader import read_table
from tests.ministry.conftest import (  # noqa: F401 - fixtures used by this suite
    KRID,
    MINISTRY,
    ORGANISATION,
    ORGANISATION_ID,
    PASSPHRASE,
    SECRET_HEX,
    SENDER,
    SHORT_NAME,
    mailbox,
    pki,
)
from tests.processes import settings_env

PEOPLE = 25_000
REGISTRY_SEED = 7
BIG_ROWS = 20_000
SMALL_ROWS = 2_000


@dataclass(frozen=True)
class Table:
    """A filled table, its signed declaration and the codes a clean run gives it."""

    path: Path
    declaration: bytes
    codes: dict[int, str]  # Excel row → code ("" when the row gets none)
    seconds: float  # how long a clean in-process generation took


@dataclass(frozen=True)
class Registry:
    """The central registry (a SQLite file: copy it with :meth:`copy_to`) and its tables."""

    sqlite: Path
    big: Table
    small: Table
    ca_cert: Path  # the CA that signed the declarations

    def copy_to(self, folder: Path) -> str:
        """A copy of the registry of this test's own; its SQLAlchemy URL."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "central.sqlite3"
        shutil.copyfile(self.sqlite, target)
        return f"sqlite:///{target}"


def seed_central(url: str) -> None:
    """The registry (the same people, accounts and ids as the SQLite one) in database ``url``."""
    engine = make_engine(url)
    migrate(engine, "central")
    seed_registry(engine, PEOPLE, seed=REGISTRY_SEED)
    add_office(
        engine,
        OfficeInfo(KRID, SHORT_NAME, ORGANISATION, ("pelda-kormanyhivatal.hu",), ORGANISATION_ID),
    )
    engine.dispose()


@pytest.fixture
def pg_databases(pg_cluster) -> Iterator[Callable[[], str]]:
    """Makes fresh PostgreSQL databases on the test server (URLs); all dropped afterwards."""
    names: list[str] = []

    def make() -> str:
        name = f"kkod_f_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return pg_cluster.url_of(name)

    yield make
    with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def codes_of(path: Path) -> dict[int, str]:
    return {row.row: row.kapcsolati_kod for row in read_table(path).rows}


@pytest.fixture(scope="session")
def registry(tmp_path_factory, pki) -> Registry:  # noqa: F811 - the imported fixture
    """Built once per test run: the test processes of pytest-xdist share it (a file lock)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each test process's own
    with open(shared / "fault-registry.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = shared / "fault-registry"
        built = folder / "registry.pickle"
        if not built.exists():
            made = _build_registry(folder, pki.ca_cert, pki.signer)
            built.write_bytes(pickle.dumps(made))
        return pickle.loads(built.read_bytes())


def _build_registry(folder: Path, ca_cert: Path, signer: Path) -> Registry:
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
    from kkod.pki.signing import sign_pdf

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    # The CA that signed the declarations, with them (the other test processes have their own).
    shutil.copyfile(ca_cert, folder / "ca.pem")
    sqlite = folder / "central.sqlite3"
    seed_central(f"sqlite:///{sqlite}")
    engine = make_engine(f"sqlite:///{sqlite}")
    tables = {}
    for name, rows, seed in (("nagy_tabla", BIG_ROWS, 8), ("kis_tabla", SMALL_ROWS, 9)):
        path = folder / f"{name}.xlsx"
        write_sample_table(engine, path, krid=KRID, rows=rows, error_rate=0.05, seed=seed)
        data = declaration_data_for_table(
            path,
            organisation=ORGANISATION,
            short_name=SHORT_NAME,
            krid=KRID,
            contact_name="Varga Judit",
            contact_email=SENDER,
        )
        declaration = sign_pdf(build_declaration_pdf(data), signer, PASSPHRASE)
        tables[name] = (path, declaration)
    engine.dispose()
    # The clean run: each table generated once on a pristine copy of the registry.
    clean = folder / "clean"
    clean.mkdir()
    shutil.copyfile(sqlite, clean / "central.sqlite3")
    central = InProcessCentral(
        make_engine(f"sqlite:///{clean / 'central.sqlite3'}"), bytes.fromhex(SECRET_HEX)
    )
    made = {}
    for name, (path, declaration) in tables.items():
        started = time.perf_counter()
        generate(path, KRID, central, clean / f"{name}-kodokkal.xlsx", clean / f"{name}.csv")
        seconds = time.perf_counter() - started
        made[name] = Table(path, declaration, codes_of(clean / f"{name}-kodokkal.xlsx"), seconds)
    central.engine.dispose()
    return Registry(sqlite, made["nagy_tabla"], made["kis_tabla"], folder / "ca.pem")


def request_email(table: Table, message_id: str | None = None) -> bytes:
    """The employer's request as its mail client sends it."""
    return build_message(
        sender=SENDER,
        to=MINISTRY,
        subject=request_subject(ORGANISATION),
        text="Tisztelt Minisztérium! Mellékelten küldjük a kérelmünket.",
        attachments=[
            Attachment(table.path.name, XLSX_TYPE, table.path.read_bytes()),
            Attachment("nyilatkozat.pdf", PDF_TYPE, table.declaration),
        ],
        message_id=message_id,
    ).as_bytes()


@dataclass
class Ministry:
    """A ministry of one test: its data folder, databases and the environment of its processes."""

    folder: Path
    central_url: str
    ministry_url: str
    settings: Settings
    store: RequestStore

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def tmpdir(self) -> Path:
        """The TMPDIR of its processes: a fault must leave nothing there."""
        return self.folder / "tmp"

    def central(self) -> InProcessCentral:
        return InProcessCentral(make_engine(self.central_url), bytes.fromhex(SECRET_HEX))

    def work_folders(self) -> list[Path]:
        """What is in the data folder's work folder (the work of live processes only)."""
        root = self.data_dir / "work"
        return sorted(root.iterdir()) if root.is_dir() else []

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a kkod process of this ministry."""
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        return settings_env(self.settings, TMPDIR=str(self.tmpdir), **extra)

    def receive(self, table: Table, message_id: str | None = None):
        """A request received by email and queued (``beérkezett``)."""
        central = self.central()
        try:
            request = ingest(
                request_email(table, message_id),
                SENDER,
                store=self.store,
                central=central,
                settings=self.settings,
            ).request
        finally:
            central.engine.dispose()
        assert request.status == RequestStatus.BEERKEZETT, request.reason
        return request


def ministry_on(folder: Path, central_url: str, ministry_url: str, ca_cert: Path, port: int):
    """A ministry in ``folder`` whose replies go to the relay at ``port``."""
    settings = Settings(
        data_dir=folder / "data",
        central_database_url=central_url,
        ministry_database_url=ministry_url,
        trust_roots=[ca_cert],
        ministry_address=MINISTRY,
        smtp_host="127.0.0.1",
        smtp_port=port,
        code_secret=SECRET_HEX,
        retry_delay=0.2,  # a few retry rounds in a second or two
        retry_max_delay=1,
        log_dir=folder / "logs",
    )
    return Ministry(
        folder, central_url, ministry_url, settings, RequestStore.open(url=ministry_url)
    )
