"""Every hostile table sent to the real SMTP intake (``kkod ministry smtpd --with-worker``, a real
process): each message is answered — rejected with a Hungarian reason naming what is wrong,
or processed and replied to — the server stays up, while it handles a message its process
tree stays under 1 GiB and each message costs it under 30 s of CPU, and nothing is left behind."""

from __future__ import annotations

import signal
import smtplib
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from kkod.exchange.subject import request_subject
from kkod.filekind import Kind, sniff
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.ministry.store import RequestStore
from tests.hostile.cases import SECRET_MARKER
from tests.hostile.conftest import CASES, KKOD, Kkod
from tests.hostile.measure import MAX_CPU_SECONDS, MAX_MEMORY, restart_peak, tree_peak
from tests.ministry.conftest import (
    MINISTRY,
    ORGANISATION,
    SENDER,
    Mailbox,
    RecordingHandler,
    free_port,
    make_central,
)

pytestmark = pytest.mark.slow
MAILED = [case for case in CASES if case.through_mail]


def _cpu(process: psutil.Process) -> float:
    """CPU seconds of the server and of its children (running and ended)."""
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            pass
    return total


def _send(port: int, raw: bytes) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                client.sendmail(SENDER, [MINISTRY], raw)
            return
        except (ConnectionRefusedError, smtplib.SMTPServerDisconnected):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_every_hostile_table_through_the_smtp_intake(hostile_corpus, kkod: Kkod, tmp_path):
    mailbox = Mailbox(free_port(), RecordingHandler()).start()
    data, private_tmp = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    private_tmp.mkdir()
    make_central(f"sqlite:///{data / 'central.sqlite3'}")
    env = {
        **kkod.env,
        "KKOD_DATA_DIR": str(data),
        "KKOD_SMTP_HOST": "127.0.0.1",
        "KKOD_SMTP_PORT": str(mailbox.port),
        "KKOD_MINISTRY_ADDRESS": MINISTRY,
        # One sender sends every case here: its rejections are not an auto-responder's loop.
        "KKOD_AUTO_REJECTIONS_PER_HOUR": "1000",
        "TMPDIR": str(private_tmp),
    }
    port = free_port()
    # Its output goes to files: a pipe nobody reads fills up and blocks the server.
    log_out, log_err = (tmp_path / "smtpd.out").open("w"), (tmp_path / "smtpd.err").open("w")
    server = subprocess.Popen(
        [
            KKOD,
            "ministry",
            "smtpd",
            "--listen",
            f"127.0.0.1:{port}",
            "--with-worker",
            "--poll",
            "0.2",
        ],
        env=env,
        stdout=log_out,
        stderr=log_err,
        start_new_session=True,
    )
    problems: list[str] = []
    try:
        process = psutil.Process(server.pid)
        with tree_peak(server.pid) as peak:
            for index, case in enumerate(MAILED, start=1):
                table = hostile_corpus.path(case)
                message_id = f"<{case.name}@hostile.pelda-kormanyhivatal.hu>"
                raw = build_message(
                    sender=SENDER,
                    to=MINISTRY,
                    subject=request_subject(ORGANISATION),
                    text="Tisztelt Minisztérium! Mellékelten küldjük a kérelmünket.",
                    attachments=[
                        Attachment(case.filename, XLSX_TYPE, table.read_bytes()),
                        Attachment(
                            "nyilatkozat.pdf",
                            PDF_TYPE,
                            kkod.declaration(table, tmp_path / f"{case.name}.pdf").read_bytes(),
                        ),
                    ],
                    message_id=message_id,
                ).as_bytes()
                before = _cpu(process)
                restart_peak(server.pid, peak)
                try:
                    _send(port, raw)
                    mailbox.handler.wait_for(index, timeout=180)
                except (OSError, smtplib.SMTPException, AssertionError) as error:
                    raise AssertionError(f"{case.name}: no answer ({error})") from error
                used = _cpu(process) - before
                problems += _judge(case, data, message_id, used, table)
                if peak[0] > MAX_MEMORY:
                    problems.append(
                        f"{case.name}: the intake's process tree reached {peak[0] >> 20} MiB"
                    )
                assert server.poll() is None, f"the intake stopped at {case.name}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        log_out.close()
        log_err.close()
        out, err = (tmp_path / "smtpd.out").read_text(), (tmp_path / "smtpd.err").read_text()
        mailbox.stop()
    assert not problems, "\n".join(problems)
    assert server.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err and SECRET_MARKER not in out + err
    replies = mailbox.handler.messages
    assert len(replies) == len(MAILED) and all(r.rcpt_tos == [SENDER] for r in replies)
    assert not any(SECRET_MARKER.encode() in r.raw for r in replies)
    assert list(private_tmp.iterdir()) == [], "temporary files left behind"
    assert not [p for p in data.rglob("*") if p.name.endswith(".part")], "partial files left"


def _judge(case, data: Path, message_id: str, cpu: float, table: Path) -> list[str]:
    """What is wrong with how the intake handled ``case`` (empty: nothing).

    A file that is not a workbook at all is refused by the intake before the table reader sees
    it: the reason then names what the attachment really is, as the intake sniffed it."""
    store = RequestStore.open(url=f"sqlite:///{data / 'ministry.sqlite3'}")
    request = next((r for r in store.list() if r.message_id == message_id), None)
    found: list[str] = []
    if cpu > MAX_CPU_SECONDS:
        found.append(f"{case.name}: {cpu:.1f} s of CPU")
    if request is None:
        return [*found, f"{case.name}: no request recorded"]
    if case.refused is not None:
        reason = " ".join((request.reason or "").split())
        kind = sniff(table.read_bytes(), case.filename)
        # a zip that is no workbook is opened as a container: the reason names what is inside
        sniffed = "valójában" if kind is Kind.ZIP else f"„{case.filename}” valójában {kind}"
        if request.status != "elutasítva" or (case.refused not in reason and sniffed not in reason):
            found.append(f"{case.name}: {request.status}: {reason}")
    elif request.status != "kész":
        found.append(f"{case.name}: {request.status}: {request.reason}")
    return found
