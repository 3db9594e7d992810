"""The console's questions to the store (also the command line's): requests filtered, searched
and paged; a reply sent again — the same message, audited, refused when there is none."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.ministry.console import ConsoleError, find_requests, resend_reply
from kkod.ministry.models import RequestStatus, utcnow
from kkod.ministry.store import NewRequest

from .test_status import _ingest


def _stored(store, n: int, organisation: str, status=RequestStatus.ELUTASITVA):
    request, _ = store.record(
        NewRequest(
            dedupe_key=f"k{n}",
            channel="email",
            sender=f"x{n}@pelda.hu",
            status=status,
            reason="ok" if status == RequestStatus.ELUTASITVA else None,
            organisation=organisation,
            krid=f"{500000 + n}",
        )
    )
    return request


def test_requests_are_filtered_searched_and_paged_newest_first(world):
    store = world.store
    made = [
        _stored(store, n, "Szegedi Tudományegyetem" if n % 3 else "Győri 100% Hivatal")
        for n in range(1, 8)
    ]
    made.append(_stored(store, 8, "Szegedi Tudományegyetem", RequestStatus.BEERKEZETT))
    everything = find_requests(store, per_page=3)
    assert (everything.total, everything.pages, everything.number) == (8, 3, 1)
    assert [r.id for r in everything.requests] == [made[-1].id, made[-2].id, made[-3].id]
    last = find_requests(store, per_page=3, page=99)  # past the end: the last page
    assert last.number == 3 and [r.id for r in last.requests] == [made[1].id, made[0].id]
    assert find_requests(store, text="szegedi tudomány").total == 6
    assert find_requests(store, text="100%").total == 2  # % is a character, not a wildcard
    assert find_requests(store, text="_").total == 0
    assert [r.id for r in find_requests(store, text=made[4].reference.lower()).requests] == [
        made[4].id
    ]
    assert find_requests(store, text="500003").total == 1  # by KRID
    queued = find_requests(store, status=RequestStatus.BEERKEZETT, text="szeged")
    assert [r.id for r in queued.requests] == [made[-1].id]
    assert find_requests(store, status=RequestStatus.KESZ).total == 0


def test_a_sent_reply_is_sent_again_byte_for_byte_and_audited(world, mailbox):
    from kkod.ministry.worker import Worker

    request = _ingest(world)
    worker = Worker(world.store, world.central, world.settings, worker_id="w")
    worker.run_once()
    [first] = mailbox.handler.wait_for(1)
    reply = resend_reply(world.store, request.reference, "kezelő (teszt)")
    assert reply.status == "pending"
    worker.run_once()
    _, second = mailbox.handler.wait_for(2)
    assert second.raw == first.raw and second.rcpt_tos == first.rcpt_tos
    parsed = email.message_from_bytes(second.raw, policy=email.policy.default)
    assert parsed["Message-ID"] == reply.message_id
    [event] = [e for e in world.store.audit_of(request.id) if e.action == "válasz újraküldése"]
    assert event.actor == "kezelő (teszt)" and "előtte: elküldve" in event.detail
    # Once the retention time has passed, the stored reply is gone: nothing to send again.
    assert world.store.purge_expired(0, now=utcnow() + timedelta(days=1)) == 1
    with pytest.raises(ConsoleError, match="megőrzési idő"):
        resend_reply(world.store, request.reference, "kezelő (teszt)")


def test_resending_is_refused_without_a_reply(world):
    request = _ingest(world)
    with pytest.raises(ConsoleError, match="még nem készült válasz"):
        resend_reply(world.store, request.reference, "teszt")
    with pytest.raises(ConsoleError, match="Nincs ilyen kérelem"):
        resend_reply(world.store, "KK-1999-000001", "teszt")
    result = CliRunner().invoke(app, ["ministry", "resend", "KK-1999-000001"])
    assert result.exit_code == 2 and "Nincs ilyen kérelem" in result.output
