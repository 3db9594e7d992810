"""The worker SIGKILLed at 20 random points of a 20,000-row request and restarted each time:
exactly one reply, with the codes a clean run gives; after each kill no writer child is left
running, nothing is left in TMPDIR, and the next start removes the dead worker's work folder
(its copy of the employer's table). On SQLite and on PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import random
import time

import pytest

from kkod.ministry.models import OutboxStatus, RequestStatus, utcnow
from tests.processes import Kkod, gone, wait_until

from .conftest import SENDER, codes_of, ministry_on, seed_central

KILLS = 20
LEASE = "2"  # seconds: the final worker, of another id, takes over soon after the last kill


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


def _ministry(backend, request, registry, folder, smtp_port):
    """A ministry of its own (a registry copy, a request store) on ``backend``."""
    if backend == "sqlite":
        central_url = registry.copy_to(folder / "central")
        ministry_url = f"sqlite:///{folder / 'ministry.sqlite3'}"
    else:
        central_url = ministry_url = request.getfixturevalue("pg_databases")()
        seed_central(central_url)
    return ministry_on(folder, central_url, ministry_url, registry.ca_cert, smtp_port)


def _unkilled_seconds(ministry, table) -> float:
    """How long a worker that is left alone works on the request: from its claim to `kész`."""
    ministry.receive(table)
    worker = Kkod(["ministry", "worker", "--once", "--worker-id", "mero"], ministry.env())
    worker.wait_for_line(r"esemény=feldolgozás")
    started = time.monotonic()
    worker.wait_for_line(r"esemény=kész")
    seconds = time.monotonic() - started
    assert worker.wait() == 0, worker.output()
    return seconds


def test_a_worker_killed_20_times_mid_request_sends_one_reply_with_the_clean_codes(
    backend, request, registry, mailbox, tmp_path
):
    table = registry.big
    # Kill points: anywhere in the worker's work on the request, from its claim to `kész`
    # (copy, read, match and issue, write the outputs, build the reply), as long as a run
    # left alone takes; a run that gets there first is measured and shortens the window,
    # and the next kills are of a new copy of the request.
    window = _unkilled_seconds(
        _ministry(backend, request, registry, tmp_path / "mero", mailbox.port), table
    )
    mailbox.handler.wait_for(1)
    mailbox.handler.messages.clear()

    ministry = _ministry(backend, request, registry, tmp_path / "bm", mailbox.port)
    env = ministry.env()
    requests = []

    def another_request() -> None:  # the same table again, as another request
        requests.append(ministry.receive(table, f"<nagy-kerelem-{len(requests) + 1}@x.hu>"))

    another_request()
    rng = random.Random()
    kills = 0
    while kills < KILLS:
        worker = Kkod(
            ["ministry", "worker", "--worker-id", "gep-1", "--poll", "0.1", "--lease", LEASE],
            env,
        )
        worker.wait_for_line(r"feldolgozó=gep-1 esemény=indul")
        # The dead worker's work folder is gone once this one has started; only its own is there.
        assert [f for f in ministry.work_folders() if f"-{worker.pid}-" not in f.name] == []
        worker.wait_for_line(rf"kérelem={requests[-1].reference} esemény=feldolgozás")
        claimed = time.monotonic()
        try:  # the random kill point, unless the request is `kész` before it
            worker.wait_for_line(r"esemény=kész", timeout=rng.uniform(0, window))
        except TimeoutError:
            children = worker.kill()
            kills += 1
            wait_until(lambda c=children: all(map(gone, c)), 30, "the writer child to end")
            status = ministry.store.get(requests[-1].id).status
            if status == RequestStatus.KESZ:  # killed just after `kész`, before sending
                another_request()
            else:
                assert status == RequestStatus.FELDOLGOZAS_ALATT, worker.output()
        else:  # this run was quicker: let it reply, and go on with the same request again
            window = min(window, time.monotonic() - claimed)
            worker.wait_for_line(r"esemény=elküldve")
            assert worker.stop() == 0, worker.output()
            another_request()
        assert list(ministry.tmpdir.iterdir()) == []
    # Another worker takes the last request over once the dead one's lease has expired.
    wait_until(lambda: _lease_expired(ministry, requests[-1].id), 30, "the lease to expire")
    final = Kkod(["ministry", "worker", "--once", "--worker-id", "gep-2"], env)
    assert final.wait() == 0, final.output()
    assert "esemény=indul" in final.output() and ministry.work_folders() == []
    assert list(ministry.tmpdir.iterdir()) == []

    mailbox.handler.wait_for(len(requests))
    replies = [
        (envelope, email.message_from_bytes(envelope.raw, policy=email.policy.default))
        for envelope in mailbox.handler.messages  # every worker has ended: nothing comes later
    ]
    assert sorted(m["X-Kkod-Reference"] for _, m in replies) == [r.reference for r in requests]
    for number, received in enumerate(requests):
        done = ministry.store.get(received.id)
        assert done.status == RequestStatus.KESZ
        assert ministry.store.reply_of(received.id).status == OutboxStatus.SENT
        [(envelope, message)] = [r for r in replies if r[1]["X-Kkod-Reference"] == done.reference]
        assert envelope.rcpt_tos == [SENDER]
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        replied = ministry.folder / f"valasz-{number}.xlsx"
        replied.write_bytes(files["nagy_tabla-kodokkal.xlsx"])
        assert codes_of(replied) == table.codes
        assert done.coded == sum(1 for code in table.codes.values() if code) > 15_000


def _lease_expired(ministry, request_id: int) -> bool:
    request = ministry.store.get(request_id)
    return request.status != RequestStatus.FELDOLGOZAS_ALATT or request.lease_until <= utcnow()
