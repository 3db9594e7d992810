"""``kkod ministry …`` as an operator runs it: smtpd with the embedded worker, upload, requests, show."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kkod.mail.smtp import MailError, SmtpTarget, send_message
from kkod.mail.spool import Spool
from kkod.ministry.store import RequestStore

from .conftest import FOURT_VALUES, MINISTRY, SECRET_HEX, SENDER, free_port

KKOD = str(Path(sys.executable).with_name("kkod"))


def _env(world) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KKOD_DATA_DIR=str(world.settings.data_dir),
        KKOD_CENTRAL_DATABASE_URL=str(world.central.engine.url),
        KKOD_MINISTRY_DATABASE_URL=str(world.store.engine.url),
        KKOD_CODE_SECRET=SECRET_HEX,
        KKOD_TRUST_ROOTS=json.dumps([str(p) for p in world.settings.trust_roots]),
        KKOD_SMTP_HOST="127.0.0.1",
        KKOD_SMTP_PORT=str(world.settings.smtp_port),
        KKOD_MINISTRY_ADDRESS=MINISTRY,
        COLUMNS="200",
    )
    return env


def _kkod(world, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KKOD, "ministry", *args], env=_env(world), capture_output=True, text=True, timeout=120
    )


def _send_when_up(port: int, raw: bytes, timeout: float = 60) -> None:
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    deadline = time.monotonic() + timeout
    while True:
        try:
            send_message(message, SmtpTarget("127.0.0.1", port), envelope_to=[MINISTRY])
            return
        except MailError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.slow
def test_smtpd_with_worker_receives_checks_generates_and_replies(world, mailbox):
    # a message stored by a previous run that crashed before ingesting it
    spool = Spool(world.settings.data_dir / "spool")
    spool.store(world.email(message_id="<korabbi@x>"), envelope_from=SENDER, recipients=[MINISTRY])
    port = free_port()
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
        env=_env(world),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _send_when_up(port, world.email(message_id="<uj@x>"))
        _send_when_up(port, world.email(subject="Levél", message_id="<rossz@x>"))
        delivered = mailbox.handler.wait_for(3, timeout=90)
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "A fogadó leállt." in out
    assert "Újraindítás: 1" in err
    assert all(item.rcpt_tos == [SENDER] for item in delivered)
    subjects = sorted(
        email.message_from_bytes(d.raw, policy=email.policy.default)["Subject"] for d in delivered
    )
    assert sum("kész" in s for s in subjects) == 2 and sum("elutasítva" in s for s in subjects) == 1
    assert spool.pending() == [] and len(spool.handled()) == 3
    assert not any(value in err for value in FOURT_VALUES)  # the server's log holds no 4T


def test_upload_requests_and_show(world, tmp_path):
    declaration = tmp_path / "nyilatkozat.pdf"
    declaration.write_bytes(world.declaration())
    ok = _kkod(
        world,
        "upload",
        "--table",
        str(world.table),
        "--declaration",
        str(declaration),
        "--from",
        SENDER,
    )
    assert ok.returncode == 0, ok.stderr
    assert "beérkezett" in ok.stdout
    reference = next(word for word in ok.stdout.split() if word.startswith("KK-"))

    declaration.write_bytes(world.declaration(world.pki.untrusted_signer))
    bad = _kkod(
        world,
        "upload",
        "--table",
        str(world.table),
        "--declaration",
        str(declaration),
        "--from",
        SENDER,
    )
    assert bad.returncode == 1
    assert "elutasítva" in bad.stdout and "nem elfogadott tanúsítványkiadótól" in bad.stdout

    listing = _kkod(world, "requests")
    assert listing.returncode == 0 and reference in listing.stdout and "2 kérelem" in listing.stdout
    only_rejected = _kkod(world, "requests", "--status", "elutasitva")
    assert reference not in only_rejected.stdout and "1 kérelem" in only_rejected.stdout
    assert _kkod(world, "requests", "--status", "valami").returncode == 2

    worked = _kkod(world, "worker", "--once", "--worker-id", "cli")
    assert worked.returncode == 0, worked.stderr
    assert "Elkészült kérelem" in worked.stdout

    shown = _kkod(world, "show", reference)
    assert shown.returncode == 0
    for text in ("kész", SENDER, "feldolgozás megkezdve", "válasz elküldve", "6 / 4 / 1 / 1 / 0"):
        assert text in shown.stdout, text
    assert not any(value in shown.stdout + listing.stdout for value in FOURT_VALUES)
    assert _kkod(world, "show", "KK-1999-999999").returncode == 2
    assert len(RequestStore(world.store.engine).list()) == 2
