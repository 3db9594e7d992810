"""The reply relay down for a few retry rounds, then up: the reply is delivered exactly once.

The request's acknowledgement and its answer both wait in the outbox through the outage;
once the relay is up, each arrives exactly once.

The worker is a real process; the relay a real SMTP server (aiosmtpd) that is not listening
at all, or that answers ``451`` (busy), before it takes the message. The retry delays are
settings (``KKOD_RETRY_DELAY``, ``KKOD_RETRY_MAX_DELAY``): here fractions of a second, so the
outage lasts a few retry rounds instead of minutes.
"""

from __future__ import annotations

import pytest

from kkod.ministry.models import OutboxStatus, ReplyKind, RequestStatus
from tests.ministry.conftest import Mailbox, RecordingHandler, free_port
from tests.processes import Kkod, wait_until

from .conftest import SENDER, ministry_on

FAILED_ROUNDS = 3


class BusyThenAccepting(RecordingHandler):
    """A relay that answers ``451`` to the first messages, then takes them."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy
        self.refused = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refused < self.busy:
            self.refused += 1
            return "451 4.3.0 Átmenetileg nem fogadunk levelet, próbálja később"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("outage", ["not-listening", "answers-451"])
def test_the_reply_relay_down_then_up_gets_the_reply_exactly_once(registry, tmp_path, outage):
    port = free_port()
    ministry = ministry_on(
        tmp_path, registry.copy_to(tmp_path / "central"), f"sqlite:///{tmp_path / 'm.sqlite3'}",
        registry.ca_cert, port,
    )  # fmt: skip
    request = ministry.receive(registry.small)
    relay = None
    if outage == "answers-451":
        relay = Mailbox(port, BusyThenAccepting(busy=FAILED_ROUNDS + 1)).start()  # one spare
    worker = Kkod(["ministry", "worker", "--worker-id", "gep-1", "--poll", "0.1"], ministry.env())
    try:
        worker.wait_for_line(rf"kérelem={request.reference} esemény=kész")
        # The acknowledgement meets the outage already before the request is done.
        wait_until(lambda: worker.output().count("esemény=küldési_hiba") >= FAILED_ROUNDS)
        waiting = [
            ministry.store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT),
            ministry.store.reply_of(request.id),
        ]
        assert all(reply.status == OutboxStatus.PENDING for reply in waiting)
        assert sum(reply.attempts for reply in waiting) >= FAILED_ROUNDS
        errors = " ".join(reply.last_error or "" for reply in waiting)
        if relay is None:
            assert "nem érhető el" in errors
            relay = Mailbox(port, RecordingHandler()).start()  # the relay is back
        else:
            assert "451" in errors
        wait_until(
            lambda: all(
                ministry.store.reply_of(request.id, kind).status == OutboxStatus.SENT
                for kind in (ReplyKind.ACKNOWLEDGEMENT, None)
            )
        )
    finally:
        assert worker.stop() == 0, worker.output()
        if relay is not None:
            relay.stop()
    [delivered] = relay.handler.messages  # the worker has ended: nothing comes later
    assert delivered.rcpt_tos == [SENDER]
    [acknowledged] = relay.handler.acknowledgements
    assert acknowledged.rcpt_tos == [SENDER]
    assert ministry.store.get(request.id).status == RequestStatus.KESZ
    actions = [event.action for event in ministry.store.audit_of(request.id)]
    assert actions.count("küldés sikertelen") >= FAILED_ROUNDS
    assert actions.count("válasz elküldve") == 1 and actions.count("visszaigazolás elküldve") == 1
    assert worker.output().count("esemény=elküldve") == 2  # the acknowledgement, the answer
