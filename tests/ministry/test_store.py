"""The request store on SQLite and PostgreSQL: dedupe, claims and leases, one reply, retention."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from kkod.db import make_engine
from kkod.ministry.models import OutboxStatus, ReplyKind, RequestStatus, utcnow
from kkod.ministry.store import Counts, NewRequest, OutgoingReply, RequestStore


def _new(
    key: str = "mid:<a@b>", status: RequestStatus = RequestStatus.BEERKEZETT, **extra
) -> NewRequest:
    return NewRequest(
        dedupe_key=key,
        channel="email",
        sender="iktato@pelda-hivatal.hu",
        status=status,
        organisation="Példa Városi Hivatal",
        krid="123456789",
        table_xlsx=b"xlsx bytes",
        table_filename="tabla.xlsx",
        rows=3,
        **extra,
    )


def _reply(request, kind=ReplyKind.CODES) -> OutgoingReply:
    which = "atvetel" if kind == ReplyKind.ACKNOWLEDGEMENT else "valasz"
    return OutgoingReply(
        kind=kind,
        recipient=request.sender,
        message_id=f"<{request.reference}.{which}@bm.gov.hu>",
        raw=b"Subject: valasz\r\n\r\nbody\r\n",
    )


COUNTS = Counts(rows=3, coded=2, no_match=1, multiple=0, invalid=0)


@pytest.fixture
def store(db_url) -> RequestStore:
    return RequestStore.open(url=db_url)


def test_the_same_message_twice_is_one_request(store):
    first, created = store.record(_new())
    again, created_again = store.record(_new())
    assert created and not created_again
    assert again.id == first.id
    assert first.reference == f"KK-{first.received_at.year}-{first.id:06d}"
    assert len(store.list()) == 1
    actions = [event.action for event in store.audit_of(first.id)]
    assert actions == ["beérkezett", "ismételt kézbesítés"]


def test_a_rejection_is_stored_with_its_reply_in_one_go(store):
    request, _ = store.record(
        _new(
            status=RequestStatus.ELUTASITVA,
            reason="Hiányzik a nyilatkozat.",
            operator_note="Telefonon jelezték.",
            audit_detail="e-mail",
        ),
        lambda r: _reply(r, ReplyKind.REJECTION),
    )
    events = [(e.action, e.detail) for e in store.audit_of(request.id)]
    assert events == [
        ("beérkezett", "e-mail"),
        ("elutasítva", "Hiányzik a nyilatkozat."),
        ("megjegyzés a kezelőnek", "Telefonon jelezték."),
    ]
    steps = [(c.status, c.reason) for c in store.status_history(request.id)]
    assert steps == [(RequestStatus.ELUTASITVA, "Hiányzik a nyilatkozat.")]
    stored = store.get(request.reference)
    assert stored.status == RequestStatus.ELUTASITVA
    assert stored.reason == "Hiányzik a nyilatkozat."
    reply = store.reply_of(request.id)
    assert reply.kind == ReplyKind.REJECTION and reply.status == OutboxStatus.PENDING
    assert reply.message_id == f"<{request.reference}.valasz@bm.gov.hu>"
    # a rejected request is never offered to a worker
    assert store.claim_next("w1") is None


def test_claim_finish_and_exactly_one_reply(store):
    request, _ = store.record(_new())
    claimed = store.claim_next("w1")
    assert claimed.id == request.id
    assert claimed.status == RequestStatus.FELDOLGOZAS_ALATT and claimed.attempts == 1
    assert store.claim_next("w2") is None  # leased to w1
    assert store.table_of(request.id) == b"xlsx bytes"
    assert store.finish(request.id, "w1", COUNTS, _reply(claimed))
    assert not store.finish(request.id, "w1", COUNTS, _reply(claimed))  # never a second reply
    done = store.get(request.id)
    assert done.status == RequestStatus.KESZ
    assert (done.rows, done.coded, done.no_match) == (3, 2, 1)
    assert store.pending_replies() == 1


def test_an_expired_lease_is_reclaimed_and_the_old_worker_cannot_finish(store):
    request, _ = store.record(_new())
    now = utcnow()
    store.claim_next("w1", lease=timedelta(minutes=5), now=now)
    assert store.claim_next("w2", now=now + timedelta(minutes=4)) is None
    reclaimed = store.claim_next("w2", now=now + timedelta(minutes=6))
    assert reclaimed.id == request.id and reclaimed.attempts == 2
    assert not store.finish(request.id, "w1", COUNTS, _reply(reclaimed))
    assert not store.renew_lease(request.id, "w1")
    assert store.finish(request.id, "w2", COUNTS, _reply(reclaimed))


def test_a_restarted_worker_takes_its_own_request_back_at_once(store):
    request, _ = store.record(_new())
    store.claim_next("gep-1", lease=timedelta(hours=1))
    again = store.claim_next("gep-1")
    assert again.id == request.id and again.attempts == 2
    assert store.claim_next("gep-2") is None


def test_a_claimed_request_comes_with_its_table_loaded(store):
    """The worker needs the table at once: the claim returns it (no second query), also
    outside any session."""
    store.record(_new())
    claimed = store.claim_next("w1")
    assert claimed.table_xlsx == b"xlsx bytes"
    assert claimed.table_columns is None  # stored by a version that did not keep them


def test_released_request_waits_for_its_retry_time(store):
    request, _ = store.record(_new())
    now = utcnow()
    store.claim_next("w1", now=now)
    assert store.release(request.id, "w1", now + timedelta(minutes=1), "hiba", now=now)
    assert store.get(request.id).status == RequestStatus.BEERKEZETT
    assert store.claim_next("w1", now=now + timedelta(seconds=30)) is None
    assert store.claim_next("w1", now=now + timedelta(minutes=2)).id == request.id


def test_a_claim_is_audited_with_its_attempt_and_a_second_one_adds_no_history_step(store):
    """A request given back stays „feldolgozás alatt” to the employer: claimed again, it gets
    an audit event of its attempt but no second step in the history."""
    request, _ = store.record(_new())
    now = utcnow()
    store.claim_next("w1", now=now)
    assert store.release(request.id, "w1", now, "hiba", now=now)
    assert store.claim_next("w2", now=now + timedelta(seconds=1)).attempts == 2
    assert [c.status for c in store.status_history(request.id)] == [
        RequestStatus.BEERKEZETT,
        RequestStatus.FELDOLGOZAS_ALATT,
    ]
    claims = [
        (e.actor, e.detail)
        for e in store.audit_of(request.id)
        if e.action == "feldolgozás megkezdve"
    ]
    assert claims == [("w1", "1. kísérlet"), ("w2", "2. kísérlet")]
    assert store.claim_next("w3", now=now + timedelta(seconds=2)) is None  # w2's now


def test_outbox_send_claim_failure_and_sent(store):
    request, _ = store.record(_new())
    claimed = store.claim_next("w1")
    store.finish(request.id, "w1", COUNTS, _reply(claimed))
    now = utcnow()
    reply = store.claim_reply("w1", now=now)
    assert reply.raw.startswith(b"Subject: valasz") and reply.attempts == 1
    # the claim returns the reply as it was stored with the request's answer
    assert (reply.request_id, reply.kind, reply.recipient, reply.message_id) == (
        request.id,
        ReplyKind.CODES,
        claimed.sender,
        f"<{claimed.reference}.valasz@bm.gov.hu>",
    )
    assert store.claim_reply("w2", now=now) is None  # being sent by w1
    store.mark_failed(reply.id, "w1", "kapcsolat elutasítva", now + timedelta(seconds=10), now=now)
    assert store.claim_reply("w2", now=now + timedelta(seconds=5)) is None
    again = store.claim_reply("w2", now=now + timedelta(seconds=11))
    assert again.id == reply.id and again.attempts == 2
    assert store.mark_sent(again.id, "w2")
    assert not store.mark_sent(again.id, "w2")
    assert store.claim_reply("w1", now=now + timedelta(days=1)) is None
    assert store.reply_of(request.id).status == OutboxStatus.SENT
    actions = [e.action for e in store.audit_of(request.id)]
    assert actions[-2:] == ["küldés sikertelen", "válasz elküldve"]


def test_a_claim_tells_whether_another_reply_is_due(store):
    """On PostgreSQL a claim also says whether another reply is due, so a sender stops without
    asking again for nothing; on SQLite it always says so (the last ask finds none)."""
    for key in ("mid:<1@x>", "mid:<2@x>"):
        request, _ = store.record(_new(key))
        claimed = store.claim_next("w1")
        store.finish(request.id, "w1", COUNTS, _reply(claimed))
    now = utcnow()
    first, more = store.claim_reply_and_more("w1", now=now)
    assert first is not None and more
    assert store.claim_reply_and_more("w2", now=now)[0].id != first.id  # w1 is sending it
    store.mark_sent(first.id, "w1")
    second, more = store.claim_reply_and_more("w2", now=now)
    assert second is not None and second.id != first.id
    assert more is (store.engine.dialect.name != "postgresql")
    store.mark_failed(second.id, "w2", "hiba", now + timedelta(minutes=1), now=now)
    # the one waiting for its retry time is not due
    assert store.claim_reply_and_more("w1", now=now) == (None, False)
    again, more = store.claim_reply_and_more("w1", now=now + timedelta(minutes=2))
    assert again.id == second.id and again.attempts == 3


def test_a_close_that_cannot_store_its_reply_changes_nothing(store):
    """A request that already has a reply of the kind (the outbox's unique key): finishing it
    fails whole — no status, no audit event, no history step (PostgreSQL runs the close as one
    statement, SQLite as a transaction)."""
    request, _ = store.record(_new(), _reply)  # a codes reply queued with it
    claimed = store.claim_next("w1")
    steps = [change.status for change in store.status_history(request.id)]
    actions = [event.action for event in store.audit_of(request.id)]
    assert not store.finish(request.id, "w1", COUNTS, _reply(claimed))
    assert store.get(request.id).status == RequestStatus.FELDOLGOZAS_ALATT
    assert [change.status for change in store.status_history(request.id)] == steps
    assert [event.action for event in store.audit_of(request.id)] == actions
    assert store.renew_lease(request.id, "w1")  # still this worker's, to be given back


def test_a_sent_acknowledgement_is_audited_as_such_and_its_copy_blanked(store):
    request, _ = store.record(_new(), lambda r: _reply(r, ReplyKind.ACKNOWLEDGEMENT))
    ack = store.claim_reply("w1")
    assert store.mark_sent(ack.id, "w1")
    copy = store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT)
    assert copy.raw is None  # it carried the status link's token
    events = [(e.actor, e.action, e.detail) for e in store.audit_of(request.id)]
    assert events[-1] == ("w1", "visszaigazolás elküldve", ack.message_id)


@pytest.mark.postgres
def test_on_postgresql_recording_claiming_marking_and_closing_take_a_statement_or_two(pg_database):
    """Each is whole in one statement (recording draws the request's id first), run in
    autocommit: a round trip each, no BEGIN and COMMIT around it."""
    import psycopg
    from sqlalchemy import event

    RequestStore.open(url=pg_database)  # migrated
    engine = make_engine(pg_database)
    statements: list[psycopg.pq.TransactionStatus] = []

    @event.listens_for(engine, "after_cursor_execute")  # before the store derives its engines
    def _ran(conn, *_):  # the driver's transaction status right after the statement
        statements.append(conn.connection.driver_connection.info.transaction_status)

    store = RequestStore(engine)

    def one(step, count=1):
        statements.clear()
        result = step()
        assert statements == [psycopg.pq.TransactionStatus.IDLE] * count  # none open
        return result

    def acknowledge(request):
        return _reply(request, ReplyKind.ACKNOWLEDGEMENT)

    request, created = one(lambda: store.record(_new(), acknowledge), 2)
    assert created and request.reference == f"KK-{request.received_at.year}-{request.id:06d}"
    again, created = store.record(_new(), acknowledge)  # the same message: the first request
    assert not created and again.id == request.id
    stored = store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT)
    assert stored.message_id == acknowledge(request).message_id
    claimed = one(lambda: store.claim_next("w1"))
    assert claimed.id == request.id and claimed.table_xlsx == b"xlsx bytes"
    assert one(lambda: store.claim_next("w2")) is None
    ack = one(lambda: store.claim_reply("w1"))
    assert one(lambda: store.mark_sent(ack.id, "w1"))
    assert one(lambda: store.finish(request.id, "w1", COUNTS, _reply(claimed)))
    assert not one(lambda: store.finish(request.id, "w1", COUNTS, _reply(claimed)))
    done = store.get(request.id)
    assert done.status == RequestStatus.KESZ and done.coded == COUNTS.coded
    assert [c.status for c in store.status_history(request.id)] == [
        RequestStatus.BEERKEZETT,
        RequestStatus.FELDOLGOZAS_ALATT,
        RequestStatus.KESZ,
    ]
    assert [e.action for e in store.audit_of(request.id)] == [
        "beérkezett",
        "ismételt kézbesítés",
        "feldolgozás megkezdve",
        "visszaigazolás elküldve",
        "kész",
    ]
    assert store.reply_of(request.id, ReplyKind.CODES).status == OutboxStatus.PENDING


def test_retention_purges_finished_tables_only(store):
    done, _ = store.record(_new("mid:<done@x>"))
    queued, _ = store.record(_new("mid:<queued@x>"))
    claimed = store.claim_next("w1")
    assert claimed.id == done.id
    store.finish(done.id, "w1", COUNTS, _reply(claimed))
    later = utcnow() + timedelta(days=31)
    # the reply is not sent yet: nothing is purged
    assert store.purge_expired(30, now=later) == 0
    reply = store.claim_reply("w1")
    store.mark_sent(reply.id, "w1")
    assert store.purge_expired(30, now=utcnow()) == 0  # not old enough
    assert store.purge_expired(30, now=later) == 1
    assert store.table_of(done.id) is None
    assert store.reply_of(done.id).raw is None
    assert store.table_of(queued.id) == b"xlsx bytes"  # a queued request is never dropped
    assert store.get(done.id).purged_at is not None


def test_list_filters_by_status(store):
    store.record(_new("mid:<1@x>"))
    store.record(_new("mid:<2@x>", status=RequestStatus.ELUTASITVA, reason="rossz tárgy"))
    assert [r.status for r in store.list(RequestStatus.ELUTASITVA)] == [RequestStatus.ELUTASITVA]
    assert len(store.list()) == 2


@pytest.mark.postgres
def test_concurrent_workers_on_postgresql_never_share_a_request(pg_database):
    store = RequestStore.open(url=pg_database)
    for i in range(40):
        store.record(_new(f"mid:<{i}@x>"))
    claims: dict[str, list[int]] = {}
    barrier = threading.Barrier(4, timeout=60)

    def work(worker_id: str) -> None:
        mine = claims.setdefault(worker_id, [])
        own = RequestStore(make_engine(pg_database))  # migrated above; Alembic is not thread-safe
        barrier.wait()
        while (request := own.claim_next(worker_id)) is not None:
            mine.append(request.id)
            own.finish(request.id, worker_id, COUNTS, _reply(request))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [rid for ids in claims.values() for rid in ids]
    assert len(every) == 40 and len(set(every)) == 40
    assert store.pending_replies() == 40


def test_concurrent_claims_on_one_backend_never_share_a_request(store, db_url):
    for i in range(20):
        store.record(_new(f"mid:<{i}@y>"))
    claims: list[int] = []
    lock = threading.Lock()

    def work(worker_id: str) -> None:
        own = RequestStore(make_engine(db_url))
        while (request := own.claim_next(worker_id)) is not None:
            with lock:
                claims.append(request.id)
            assert own.finish(request.id, worker_id, COUNTS, _reply(request))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == sorted(set(claims)) and len(claims) == 20
