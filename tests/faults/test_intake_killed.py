"""The intake (``kkod ministry smtpd``, a real process) SIGKILLed during a burst of 20 requests
from parallel SMTP clients: every message that got ``250`` is a request, exactly once; the
clients send again what got no answer, as mail servers do, and then every message is a
request exactly once. The killed intake's work folder is gone once it has started again."""

from __future__ import annotations

import random
import smtplib
import threading

from tests.ministry.conftest import MINISTRY, free_port
from tests.processes import Kkod

from .conftest import SENDER, ministry_on, request_email

MESSAGES = 20


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail(SENDER, [MINISTRY], raw)


def test_the_intake_killed_during_a_burst_loses_no_acknowledged_message(registry, tmp_path):
    port = free_port()
    ministry = ministry_on(
        tmp_path, registry.copy_to(tmp_path / "central"), f"sqlite:///{tmp_path / 'm.sqlite3'}",
        registry.ca_cert, free_port(),
    )  # fmt: skip
    env = ministry.env()
    listen = ["ministry", "smtpd", "--listen", f"127.0.0.1:{port}"]
    messages = {
        f"<kerelem-{n:02d}@pelda-kormanyhivatal.hu>": request_email(
            registry.small, f"<kerelem-{n:02d}@pelda-kormanyhivatal.hu>"
        )
        for n in range(MESSAGES)
    }
    intake = Kkod(listen, env)
    intake.wait_for_line(r"A kérelmek fogadása fut")

    acknowledged: list[str] = []
    failed: list[str] = []
    lock = threading.Condition()
    kill_after = random.randint(2, MESSAGES // 2)
    start = threading.Barrier(MESSAGES)

    def client(message_id: str) -> None:
        start.wait()
        try:
            _send(port, messages[message_id])
        except (smtplib.SMTPException, OSError):
            with lock:
                failed.append(message_id)
            return
        with lock:
            acknowledged.append(message_id)
            lock.notify_all()

    clients = [threading.Thread(target=client, args=(m,)) for m in messages]
    for thread in clients:
        thread.start()
    with lock:
        assert lock.wait_for(lambda: len(acknowledged) >= kill_after, timeout=120)
    intake.kill()
    for thread in clients:
        thread.join(timeout=120)
    assert len(acknowledged) + len(failed) == MESSAGES
    assert failed, "killed too late to prove anything"

    restarted = Kkod(listen, env)
    restarted.wait_for_line(r"A kérelmek fogadása fut")  # after it swept its spool
    assert [f for f in ministry.work_folders() if f"-{intake.pid}-" in f.name] == []
    stored = _message_ids(ministry)
    assert all(stored.count(m) == 1 for m in acknowledged)
    assert len(stored) == len(set(stored))

    for message_id in failed:  # the clients try again
        _send(port, messages[message_id])
    assert restarted.stop() == 0, restarted.output()
    assert sorted(_message_ids(ministry)) == sorted(messages)  # each exactly once


def _message_ids(ministry) -> list[str]:
    return [request.message_id for request in ministry.store.list()]
