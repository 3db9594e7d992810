"""An idle worker is woken by the request that arrives, not by its poll: in-process (``smtpd
--with-worker``) and through PostgreSQL's LISTEN/NOTIFY from another process's store.

Every worker here polls once an hour: a reply within the test's patience proves the wake-up.
"""

from __future__ import annotations

import queue
import threading

import psycopg
import pytest

from kkod.db import make_engine
from kkod.ministry.intake import ingest
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import NewRequest, RequestStore
from kkod.ministry.wakeup import CHANNEL, PgListener, notify_queued
from kkod.ministry.worker import Worker

from .conftest import SENDER
from .test_worker import _intake, _submit

HOUR = 3600.0


def _running(worker: Worker):
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, HOUR), daemon=True)
    thread.start()
    return stop, thread


def test_a_request_arriving_by_smtp_wakes_the_embedded_worker(world_on, mailbox):
    world = world_on
    worker = Worker(world.store, world.central, world.settings, worker_id="beagyazott")
    stop, thread = _running(worker)
    _, server = _intake(world)  # the same store, as `kkod ministry smtpd --with-worker` has it
    try:
        _submit(server.port, world.email(message_id="<ebreszto-1@pelda.hu>"))
        [delivered] = mailbox.handler.wait_for(1, timeout=60)
    finally:
        server.stop()
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()  # stop, too, cuts the hour-long wait short
    assert delivered.rcpt_tos == [SENDER]
    [request] = world.store.list()
    assert request.status == RequestStatus.KESZ


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_request_stored_by_another_process_wakes_the_worker_through_postgresql(world_on, mailbox):
    world = world_on
    # The intake's store is another engine: nothing in this process tells the worker.
    intake_store = RequestStore(make_engine(world.store.engine.url.render_as_string(False)))
    worker = Worker(world.store, world.central, world.settings, worker_id="gep-1")
    stop, thread = _running(worker)
    try:
        for number in (1, 2):  # the second arrives while the worker waits, not at its start
            raw = world.email(message_id=f"<ebreszto-{number}@pelda.hu>")
            ingest(raw, SENDER, store=intake_store, central=world.central, settings=world.settings)
            mailbox.handler.wait_for(number, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=30)
        intake_store.engine.dispose()
    assert {r.status for r in world.store.list()} == {RequestStatus.KESZ}


def _new(key: str, status: RequestStatus) -> NewRequest:
    return NewRequest(
        dedupe_key=key, channel="email", sender=SENDER, status=status, krid="123456789",
        table_xlsx=b"xlsx", table_filename="tabla.xlsx", rows=1,
    )  # fmt: skip


def test_only_a_queued_request_is_announced(db_url):
    store = RequestStore.open(url=db_url)
    heard: list[str] = []
    unsubscribe = store.arrivals.subscribe(lambda: heard.append("érkezett"))
    store.record(_new("a", RequestStatus.ELUTASITVA))
    store.record(_new("b", RequestStatus.ATTEKINTESRE_VAR))
    held, _ = store.record(_new("c", RequestStatus.ALAIRAS_ELLENORZESRE_VAR))
    assert heard == []
    store.record(_new("d", RequestStatus.BEERKEZETT))
    store.record(_new("d", RequestStatus.BEERKEZETT))  # the same message again: nothing new
    assert heard == ["érkezett"]
    store.approve(held.id, "kezelo", {}, "aláírás rendben")
    assert heard == ["érkezett", "érkezett"]
    unsubscribe()
    store.record(_new("e", RequestStatus.BEERKEZETT))
    assert len(heard) == 2


@pytest.mark.postgres
def test_the_listener_hears_commits_only_and_listens_again_after_losing_its_connection(
    pg_database,
):
    engine = make_engine(pg_database)
    heard: queue.Queue[str] = queue.Queue()
    listener = PgListener(engine, lambda: heard.put("jel"), retry=0.05).start()
    try:
        assert listener.wait_listening(30)
        assert heard.get(timeout=30) == "jel"  # once when the LISTEN is in place
        with engine.connect() as conn:
            notify_queued(conn)
            conn.rollback()  # never delivered
            notify_queued(conn)
            conn.commit()
        assert heard.get(timeout=30) == "jel"
        # The server drops the listener's connection: it connects and listens again.
        with engine.connect() as conn:
            killed = (
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE query = 'LISTEN {CHANNEL}' AND datname = current_database()"
                )
                .scalars()
                .all()
            )
        assert killed == [True]
        assert heard.get(timeout=30) == "jel"
        with psycopg.connect(**engine.dialect.create_connect_args(engine.url)[1]) as other:
            other.execute(f"NOTIFY {CHANNEL}")
        assert heard.get(timeout=30) == "jel"
        assert heard.empty()  # the rolled-back notification never came
    finally:
        listener.stop()
        engine.dispose()
