"""A worker process killed with SIGKILL in the middle of a request, then restarted, finishes it
with exactly one reply, and the codes are those a clean run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kkod.central.interface import OfficeInfo
from kkod.central.registry import add_office
from kkod.central.sample_table import write_sample_table
from kkod.central.service import InProcessCentral
from kkod.central.synthetic import seed_registry
from kkod.db import make_engine, migrate
from kkod.exchange.subject import request_subject
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.ministry.generation import generate
from kkod.ministry.intake import ingest
from kkod.ministry.models import OutboxStatus, RequestStatus
from kkod.ministry.store import RequestStore
from kkod.table.reader import read_table

from .conftest import KRID, MINISTRY, ORGANISATION, SECRET_HEX, SENDER, SHORT_NAME, settings_for

ROWS = 40_000
KKOD = [str(Path(sys.executable).with_name("kkod"))]


@pytest.fixture(scope="module")
def big(tmp_path_factory, pki):
    """A registry of 60,000 people and a 40,000-row table with its signed declaration."""
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
    from kkod.pki.signing import sign_pdf

    from .conftest import PASSPHRASE

    folder = tmp_path_factory.mktemp("big")
    url = f"sqlite:///{folder / 'central.sqlite3'}"
    engine = make_engine(url)
    migrate(engine, "central")
    seed_registry(engine, 60_000, seed=7)
    add_office(engine, OfficeInfo(KRID, SHORT_NAME, ORGANISATION, (), "VATHU-15000000"))
    table = folder / "nagy_tabla.xlsx"
    write_sample_table(engine, table, krid=KRID, rows=ROWS, error_rate=0.05, seed=8)
    data = declaration_data_for_table(
        table,
        organisation=ORGANISATION,
        short_name=SHORT_NAME,
        krid=KRID,
        contact_name="Varga Judit",
        contact_email=SENDER,
    )
    declaration = sign_pdf(build_declaration_pdf(data), pki.signer, PASSPHRASE)
    engine.dispose()
    return url, table, declaration


def _env(settings, central_url: str, ministry_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KKOD_DATA_DIR=str(settings.data_dir),
        KKOD_CENTRAL_DATABASE_URL=central_url,
        KKOD_MINISTRY_DATABASE_URL=ministry_url,
        KKOD_CODE_SECRET=SECRET_HEX,
        KKOD_TRUST_ROOTS=json.dumps([str(p) for p in settings.trust_roots]),
        KKOD_SMTP_HOST=settings.smtp_host,
        KKOD_SMTP_PORT=str(settings.smtp_port),
        KKOD_MINISTRY_ADDRESS=MINISTRY,
    )
    return env


def _codes(path: Path) -> dict[int, str]:
    return {row.row: row.kapcsolati_kod for row in read_table(path).rows}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first_id", "second_id", "lease"),
    [("gep-1", "gep-1", "300"), ("gep-1", "gep-2", "2")],
    ids=["restarted-same-id", "other-worker-after-lease"],
)
def test_a_worker_killed_mid_request_then_restarted_sends_exactly_one_reply(
    big, tmp_path, pki, mailbox, first_id, second_id, lease
):
    central_url, table, declaration = big
    settings = settings_for(tmp_path, pki, mailbox.port)
    ministry_url = f"sqlite:///{tmp_path / 'ministry.sqlite3'}"
    store = RequestStore.open(url=ministry_url)
    central = InProcessCentral(make_engine(central_url), bytes.fromhex(SECRET_HEX))
    raw = build_message(
        sender=SENDER,
        to=MINISTRY,
        subject=request_subject(ORGANISATION),
        text="Kérelem",
        attachments=[
            Attachment(table.name, XLSX_TYPE, table.read_bytes()),
            Attachment("nyilatkozat.pdf", PDF_TYPE, declaration),
        ],
    ).as_bytes()
    request = ingest(raw, SENDER, store=store, central=central, settings=settings).request
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    env = _env(settings, central_url, ministry_url)

    worker = subprocess.Popen(
        [*KKOD, "ministry", "worker", "--once", "--worker-id", first_id, "--lease", lease],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while store.get(request.id).status != RequestStatus.FELDOLGOZAS_ALATT:
        assert worker.poll() is None, "the worker ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the generation of 40,000 rows
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed = store.get(request.id)
    assert killed.status == RequestStatus.FELDOLGOZAS_ALATT, "killed too late to prove anything"
    assert store.reply_of(request.id) is None
    assert mailbox.handler.messages == []

    if first_id != second_id:
        # another worker takes over only once the dead worker's lease has expired
        while store.get(request.id).lease_until > _now():
            time.sleep(0.1)
    restarted = subprocess.run(
        [*KKOD, "ministry", "worker", "--once", "--worker-id", second_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restarted.returncode == 0, restarted.stderr
    [delivered] = mailbox.handler.wait_for(1)
    time.sleep(0.3)
    assert len(mailbox.handler.messages) == 1
    assert delivered.rcpt_tos == [SENDER]

    done = store.get(request.id)
    assert done.status == RequestStatus.KESZ and done.attempts == 2 and done.claimed_by == second_id
    assert store.reply_of(request.id).status == OutboxStatus.SENT

    import email
    import email.policy

    message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    replied = tmp_path / "valasz.xlsx"
    replied.write_bytes(files["nagy_tabla-kodokkal.xlsx"])
    clean = generate(table, KRID, central, tmp_path / "tiszta.xlsx", tmp_path / "tiszta.csv")
    assert _codes(replied) == _codes(tmp_path / "tiszta.xlsx")
    assert sum(1 for code in _codes(replied).values() if code) == clean.coded == done.coded > 30_000


def _now():
    from kkod.ministry.models import utcnow

    return utcnow()
