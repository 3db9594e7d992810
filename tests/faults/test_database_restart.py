"""PostgreSQL restarted in the middle of a generation: the request completes, with one reply and
the codes of a clean run.

The server is a private throwaway one (``PgServer(durable=True)``: fsync on, as in
production), never the test run's shared server. It is stopped as soon as the worker has
claimed the 20,000-row request, kept down until the worker has said what failed, then started.
"""

from __future__ import annotations

import email
import email.policy

import psycopg
import pytest

from kkod.ministry.models import OutboxStatus, RequestStatus
from tests.pgserver import PgServer
from tests.processes import Kkod

from .conftest import codes_of, ministry_on, seed_central


@pytest.fixture
def private_server():
    server = PgServer(durable=True).start()
    try:
        yield server
    finally:
        server.remove()


@pytest.mark.postgres
def test_postgresql_restarted_mid_generation_the_request_completes(
    private_server, registry, mailbox, tmp_path
):
    with psycopg.connect(private_server.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE kkod")
    url = private_server.url("kkod")
    seed_central(url)
    ministry = ministry_on(tmp_path, url, url, registry.ca_cert, mailbox.port)
    request = ministry.receive(registry.big)
    ministry.store.engine.dispose()  # the test's own connections do not hold the server up

    worker = Kkod(["ministry", "worker", "--worker-id", "gep-1", "--poll", "0.1"], ministry.env())
    try:
        worker.wait_for_line(rf"kérelem={request.reference} esemény=feldolgozás")
        private_server.stop()  # fast shutdown: every connection is cut
        failed = worker.wait_for_line(r"esemény=(visszaadva|hiba) .*hiba=(.*)$")
        private_server.start()
        worker.wait_for_line(rf"kérelem={request.reference} esemény=kész")
        worker.wait_for_line(r"esemény=elküldve")
    finally:
        assert worker.stop() == 0, worker.output()
    assert "adatbázis nem érhető el" in failed[2]  # said in Hungarian, what failed

    done = ministry.store.get(request.id)
    assert done.status == RequestStatus.KESZ and done.attempts >= 2
    assert ministry.store.reply_of(request.id).status == OutboxStatus.SENT
    [delivered] = mailbox.handler.messages  # the worker has ended: nothing comes later
    message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    replied = tmp_path / "valasz.xlsx"
    replied.write_bytes(files["nagy_tabla-kodokkal.xlsx"])
    assert codes_of(replied) == registry.big.codes
    ministry.store.engine.dispose()
