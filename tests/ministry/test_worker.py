"""The worker over real SMTP: a request arrives at the intake server, the worker generates and
replies to the sender only; SMTP down then up; crash recovery of the spool; retention; no 4T in logs."""

from __future__ import annotations

import email
import email.policy
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from kkod.mail.message import build_message
from kkod.mail.smtp import SmtpTarget, send_message
from kkod.mail.spool import Spool
from kkod.ministry.generation import generate
from kkod.ministry.intake import ingest
from kkod.ministry.intake_server import IntakeService
from kkod.ministry.models import OutboxStatus, Request, RequestStatus
from kkod.ministry.worker import Worker
from kkod.table.reader import read_table

from .conftest import FOURT_VALUES, MINISTRY, SENDER, STAFF


def _intake(world):
    service = IntakeService(world.store, world.central, world.settings)
    return service.spool, service.start("127.0.0.1", 0)


def _submit(port: int, raw: bytes) -> None:
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    send_message(message, SmtpTarget("127.0.0.1", port), envelope_to=[MINISTRY])


def _codes_of(xlsx: bytes, folder: Path, name: str) -> dict[str, str]:
    path = folder / name
    path.write_bytes(xlsx)
    return {row.belso_azonosito: row.kapcsolati_kod for row in read_table(path).rows}


def _attachments(raw: bytes) -> dict[str, bytes]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_a_valid_request_gets_exactly_one_reply_to_the_sender_only(world_on, mailbox, tmp_path):
    world = world_on
    spool, server = _intake(world)
    try:
        raw = world.email(
            message_id="<kerelem-42@pelda-kormanyhivatal.hu>",
            extra_headers={"Reply-To": "valasz@example.org", "Cc": "masolat@example.org"},
        )
        _submit(server.port, raw)
        _submit(server.port, raw)  # the same email delivered twice
    finally:
        server.stop()
    assert spool.pending() == [] and len(spool.handled()) == 2
    [request] = world.store.list()
    assert request.status == RequestStatus.BEERKEZETT

    summary = Worker(world.store, world.central, world.settings, worker_id="gep-1").run_once()
    assert (
        summary.finished == [request.reference] and summary.sent == 2
    )  # the acknowledgement and the answer
    # Sending is done when run_once returns (the relay stores a message before its 250):
    # what the mailbox holds is all there will be — one answer, one acknowledgement.
    [delivered] = mailbox.handler.messages
    assert len(mailbox.handler.acknowledgements) == 1
    assert delivered.rcpt_tos == [SENDER]
    message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
    assert message["To"] == SENDER and message["Cc"] is None
    assert message["From"] == MINISTRY
    assert message["In-Reply-To"] == "<kerelem-42@pelda-kormanyhivatal.hu>"
    body = message.get_body(("plain",)).get_content()
    assert "Sorok száma:                 6" in body
    assert "Kapcsolati kód elkészült:    4" in body
    assert "Nincs találat:               1" in body
    assert "Több találat:                1" in body

    files = _attachments(delivered.raw)
    assert set(files) == {
        "kapcsolati_kod_tabla-kodokkal.xlsx",
        "kapcsolati_kod_tabla-jelentes.xlsx",
    }
    codes = _codes_of(files["kapcsolati_kod_tabla-kodokkal.xlsx"], tmp_path, "valasz.xlsx")
    with_account = {belso for belso, _, accounts in STAFF if accounts == 1}
    assert {b for b, code in codes.items() if code} == with_account
    # the same table generated again gives the same codes
    again = generate(
        world.table, world_on.data.krid, world.central, tmp_path / "o.xlsx", tmp_path / "r.csv"
    )
    assert {r.belso_azonosito: r.code or "" for r in again.rows} == codes

    done = world.store.get(request.id)
    assert done.status == RequestStatus.KESZ and (done.coded, done.no_match, done.multiple) == (
        4,
        1,
        1,
    )
    assert world.store.reply_of(request.id).status == OutboxStatus.SENT
    # nothing more to do: a second round sends nothing again
    assert (
        Worker(world.store, world.central, world.settings, worker_id="gep-1").run_once().sent == 0
    )
    assert len(mailbox.handler.messages) == 1


def test_the_reason_report_lists_every_row_without_a_code(world, mailbox, tmp_path):
    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    [delivered] = mailbox.handler.wait_for(1)
    report = tmp_path / "jelentes.xlsx"
    report.write_bytes(_attachments(delivered.raw)["kapcsolati_kod_tabla-jelentes.xlsx"])
    from openpyxl import load_workbook

    book = load_workbook(report, read_only=True)
    rows = list(book["Kód nélküli sorok"].iter_rows(min_row=2, values_only=True))
    assert {(r[1], r[3]) for r in rows} == {("HR-003", "nincs találat"), ("HR-004", "több találat")}
    issued = list(book["Kiadott kódok"].iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in issued} == {"HR-001", "HR-002", "HR-005", "HR-006"}
    # the employer side reads the reply as it arrives (.eml): table and reasons found
    from kkod.employer.reply import read_reply

    eml = tmp_path / "valasz.eml"
    eml.write_bytes(delivered.raw)
    reply = read_reply(eml)
    assert reply.report_found and len(reply.rows) == len(STAFF)


def _codes_of_reply(raw: bytes, folder: Path, name: str) -> dict[str, str]:
    return _codes_of(_attachments(raw)["kapcsolati_kod_tabla-kodokkal.xlsx"], folder, name)


def test_the_worker_does_not_read_the_table_the_intake_read(world, mailbox, tmp_path, monkeypatch):
    """The intake keeps what it read; the worker generates from it without parsing the table
    again, and a request stored without it (an older version's) is read again: same codes."""
    import kkod.ministry.generation as generation
    from kkod.table.reader import read_fourt

    first = ingest(world.email(message_id="<egy@pelda.hu>"), SENDER, store=world.store,
                   central=world.central, settings=world.settings)  # fmt: skip
    second = ingest(world.email(message_id="<ketto@pelda.hu>"), SENDER, store=world.store,
                    central=world.central, settings=world.settings)  # fmt: skip
    with world.store.engine.begin() as conn:  # the second as an older version stored it
        conn.execute(
            update(Request).where(Request.id == second.request.id).values(table_columns=None)
        )
    reads: list[Path] = []

    def counted(path):
        reads.append(path)
        return read_fourt(path)

    monkeypatch.setattr(generation, "read_fourt", counted)
    worker = Worker(world.store, world.central, world.settings, worker_id="w")
    worker.process_next()
    assert reads == []  # the first: from what the intake kept
    worker.process_next()
    assert len(reads) == 1  # the second: read again
    worker.send_due()
    replies = mailbox.handler.wait_for(2)
    codes = [_codes_of_reply(r.raw, tmp_path, f"{n}.xlsx") for n, r in enumerate(replies)]
    assert codes[0] == codes[1] and sum(1 for c in codes[0].values() if c) == 4
    assert {first.request.status, second.request.status} == {RequestStatus.BEERKEZETT}


def test_a_round_sends_its_replies_in_one_smtp_conversation(world, mailbox):
    """Three requests processed in one round: their acknowledgements and answers go over one
    conversation with the relay, not one each."""
    for n in range(3):
        ingest(world.email(message_id=f"<kor-{n}@pelda.hu>"), SENDER, store=world.store,
               central=world.central, settings=world.settings)  # fmt: skip
    summary = Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    assert len(summary.finished) == 3 and summary.sent == 6
    delivered = mailbox.handler.wait_for(3) + mailbox.handler.acknowledgements
    assert len(delivered) == 6
    assert len({d.peer for d in delivered}) == 1


def test_an_office_gone_since_intake_gets_a_rejection_and_no_codes(world, mailbox):
    """The worker takes the table as the intake read it; the registry still tells that the
    office is unknown, before any code is issued."""
    from kkod.central.models import Connection, Office

    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    with world.central.engine.begin() as conn:
        conn.execute(update(Office).values(krid="999999"))  # the KRID is no longer known
    summary = Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    assert len(summary.rejected) == 1 and summary.finished == []
    [delivered] = mailbox.handler.wait_for(1)
    message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
    assert "Ismeretlen hivatali kapu (KRID)" in message.get_body(("plain",)).get_content()
    assert list(message.iter_attachments()) == []
    with world.central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Connection)).scalar() == 0


def test_smtp_down_then_up_the_reply_is_delivered(world, mailbox):
    mailbox.stop()  # the relay is down
    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    [request] = world.store.list()
    worker = Worker(world.store, world.central, world.settings, worker_id="w")
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.1), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while (reply := world.store.reply_of(request.id)) is None or reply.last_error is None:
            assert time.monotonic() < deadline, "the worker never tried to send"
            time.sleep(0.05)
        assert reply.status == OutboxStatus.PENDING and "nem érhető el" in reply.last_error
        assert world.store.get(request.id).status == RequestStatus.KESZ
        mailbox.start()  # the relay is back
        [delivered] = mailbox.handler.wait_for(1, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert delivered.rcpt_tos == [SENDER]
    reply = world.store.reply_of(request.id)
    assert reply.status == OutboxStatus.SENT and reply.attempts >= 2
    actions = [event.action for event in world.store.audit_of(request.id)]
    assert "küldés sikertelen" in actions and actions[-1] == "válasz elküldve"


def test_messages_spooled_before_a_crash_are_ingested_on_start(world):
    spool = Spool(world.settings.data_dir / "spool")
    spool.store(world.email(message_id="<a@x>"), envelope_from=SENDER, recipients=[MINISTRY])
    spool.store(world.email(message_id="<b@x>"), envelope_from=SENDER, recipients=[MINISTRY])
    service = IntakeService(world.store, world.central, world.settings)
    assert service.spool.folder == spool.folder
    assert service.sweep() == 2 and spool.pending() == []
    assert service.sweep() == 0
    assert {r.status for r in world.store.list()} == {RequestStatus.BEERKEZETT}
    assert len(world.store.list()) == 2


def test_retention_deletes_stored_tables_after_the_reply(world, mailbox):
    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    [request] = world.store.list()
    assert world.store.table_and_columns_of(request.id)[1] is not None  # what intake read
    keeper = Worker(
        world.store,
        world.central,
        world.settings.model_copy(update={"retention_days": 0}),
        worker_id="w",
    )
    assert keeper.run_once().purged == 1  # purged in the same round, once the reply was sent
    mailbox.handler.wait_for(1)
    assert keeper.purge(force=True) == 0  # nothing left to purge
    assert world.store.table_and_columns_of(request.id) == (None, None)
    assert world.store.reply_of(request.id).raw is None
    assert world.store.get(request.id).purged_at is not None


def test_a_lost_lease_leaves_the_request_to_its_new_owner(world, mailbox):
    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    slow = world.store.claim_next("lassu", lease=timedelta(seconds=0))
    other = Worker(world.store, world.central, world.settings, worker_id="gyors")
    assert other.run_once().finished == [slow.reference]
    mailbox.handler.wait_for(1)
    assert not world.store.renew_lease(slow.id, "lassu")
    assert len(mailbox.handler.messages) == 1


def test_no_4t_value_ever_reaches_a_log_line(world, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    _spool, server = _intake(world)
    try:
        _submit(server.port, world.email())
        _submit(server.port, world.email(declaration=world.declaration(world.pki.untrusted_signer)))
    finally:
        server.stop()
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    mailbox.handler.wait_for(2)
    text = caplog.text
    # the run was logged, in Hungarian key=value lines
    assert "esemény=tárolva" in text and "esemény=rögzítve" in text
    assert "esemény=kész sorok=6 kód=4" in text and "esemény=elküldve" in text
    leaked = [value for value in FOURT_VALUES if value in text]
    assert leaked == []
    for record in caplog.records:
        assert not any(value in record.getMessage() for value in FOURT_VALUES)


@pytest.mark.parametrize("header", ["Reply-To", "Cc", "Bcc"])
def test_the_reply_never_goes_to_another_address(world, mailbox, header):
    raw = build_message(
        sender=f"Iktató <{SENDER}>",
        to=MINISTRY,
        subject="Példa Megyei Kormányhivatal – kapcsolati kódok igénylése",
        text="Kérelem",
        attachments=_request_attachments(world),
    )
    raw[header] = "mas.cim@example.org"
    ingest(
        raw.as_bytes(),
        "bounce@example.org",
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    [delivered] = mailbox.handler.wait_for(1)
    assert delivered.rcpt_tos == [SENDER]
    assert b"mas.cim@example.org" not in delivered.raw


def _request_attachments(world):
    from kkod.mail.message import parse_message

    return parse_message(world.email()).attachments


def test_a_request_whose_table_is_gone_is_rejected_with_a_reply(world, mailbox):

    request = ingest(
        world.email(), SENDER, store=world.store, central=world.central, settings=world.settings
    ).request
    with world.store.engine.begin() as connection:
        connection.execute(update(Request).where(Request.id == request.id).values(table_xlsx=None))
    summary = Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    assert summary.rejected == [request.reference]
    rejected = world.store.get(request.id)
    assert rejected.status == RequestStatus.ELUTASITVA and "megőrzési idő" in rejected.reason
    [delivered] = mailbox.handler.wait_for(1)
    assert delivered.rcpt_tos == [SENDER]


@pytest.mark.postgres
def test_an_unreachable_central_system_puts_the_request_back_in_the_queue(
    world, mailbox, pg_cluster
):
    from kkod.central.service import InProcessCentral
    from kkod.db import make_engine

    request = ingest(
        world.email(), SENDER, store=world.store, central=world.central, settings=world.settings
    ).request
    gone = InProcessCentral(make_engine(pg_cluster.url_of("kkod_nincs_ilyen_db")), b"k" * 32)
    summary = Worker(world.store, gone, world.settings, worker_id="w").run_once()
    assert summary.released == [request.reference] and summary.finished == []
    queued = world.store.get(request.id)
    assert queued.status == RequestStatus.BEERKEZETT and queued.claimed_by is None
    assert queued.lease_until is not None  # not before its retry time
    assert world.store.reply_of(request.id) is None and mailbox.handler.messages == []
    assert "visszaadva a sorba" in [e.action for e in world.store.audit_of(request.id)]
    # once the central system is back (and the retry time has come) it is finished
    assert (
        world.store.claim_next("w", now=queued.lease_until + timedelta(seconds=1)).id == request.id
    )
