"""Two worker processes on one PostgreSQL queue share 10 requests: each request is processed by
exactly one of them, once, and answered exactly once, with the codes of a clean run."""

from __future__ import annotations

import collections
import email
import email.policy

import pytest

from kkod.ministry.models import RequestStatus
from tests.processes import Kkod

from .conftest import SENDER, codes_of, ministry_on, seed_central

REQUESTS = 10


@pytest.mark.postgres
def test_two_workers_on_postgresql_answer_each_request_once(
    pg_databases, registry, mailbox, tmp_path
):
    url = pg_databases()
    seed_central(url)
    ministry = ministry_on(tmp_path, url, url, registry.ca_cert, mailbox.port)
    requests = [
        ministry.receive(registry.small, f"<kerelem-{n}@pelda-kormanyhivatal.hu>")
        for n in range(REQUESTS)
    ]
    env = ministry.env()
    workers = [
        Kkod(["ministry", "worker", "--once", "--worker-id", name], env)
        for name in ("gep-1", "gep-2")
    ]
    for worker in workers:
        assert worker.wait() == 0, worker.output()

    done = [ministry.store.get(r.id) for r in requests]
    assert all(r.status == RequestStatus.KESZ and r.attempts == 1 for r in done)
    for request in done:  # claimed once, by one worker
        starts = [
            e for e in ministry.store.audit_of(request.id) if e.action == "feldolgozás megkezdve"
        ]
        assert [e.actor for e in starts] == [request.claimed_by]
    by_worker = collections.Counter(r.claimed_by for r in done)
    assert set(by_worker) == {"gep-1", "gep-2"}  # both took part
    for worker, name in zip(workers, ("gep-1", "gep-2"), strict=True):
        assert worker.output().count("esemény=kész") == by_worker[name]

    replies = [
        email.message_from_bytes(m.raw, policy=email.policy.default)
        for m in mailbox.handler.wait_for(REQUESTS)
    ]
    assert len(mailbox.handler.messages) == REQUESTS  # both workers have ended
    assert sorted(m["X-Kkod-Reference"] for m in replies) == [r.reference for r in done]
    assert {m["To"] for m in replies} == {SENDER}
    for number, message in enumerate(replies):
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        replied = tmp_path / f"valasz-{number}.xlsx"
        replied.write_bytes(files["kis_tabla-kodokkal.xlsx"])
        assert codes_of(replied) == registry.small.codes
