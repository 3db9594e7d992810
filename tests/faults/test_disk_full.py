"""The data folder's disk full while the worker writes the outputs: a real ``ENOSPC`` on a small
tmpfs (tests/faults/smalldisk.py) holding the whole data folder (request store, spool, work
folders) as in the default setup.

The worker says why in Hungarian — which folder, how much space is free and how much is
needed — in its log, in the audit trail and on ``kkod ministry show``; the request waits in
the queue and is completed once there is room again; nothing is left in TMPDIR. The intake
meanwhile answers ``451`` (try again later), never ``250`` for a message it could not keep.
"""

from __future__ import annotations

import email
import email.policy
import smtplib

import pytest

from kkod.ministry.intake_server import IntakeService
from kkod.ministry.models import OutboxStatus, RequestStatus
from tests.ministry.conftest import MINISTRY
from tests.processes import Kkod, wait_until

from .conftest import SENDER, codes_of, ministry_on, request_email
from .smalldisk import SmallDisk

DISK = 32 * 1024 * 1024


@pytest.fixture
def disk(tmp_path):
    small = SmallDisk(tmp_path / "adatok", DISK)
    yield small
    small.close()


def test_a_full_disk_is_said_the_request_waits_and_is_completed_once_there_is_room(
    disk, registry, mailbox, tmp_path
):
    table = registry.big
    # The request store on the small disk too, as in the default setup (when this test can
    # open SQLite files there: see smalldisk.py); the registry is the central system's.
    store = (disk.mount_point if disk.shared else tmp_path) / "ministry.sqlite3"
    ministry = ministry_on(
        tmp_path, registry.copy_to(tmp_path / "central"), f"sqlite:///{store}", registry.ca_cert,
        mailbox.port,
    )  # fmt: skip
    ministry.settings = ministry.settings.model_copy(update={"data_dir": disk.path})
    request = ministry.receive(table)
    env = ministry.env(KKOD_DATA_DIR=str(disk.mount_point))
    worker = Kkod(
        ["ministry", "worker", "--worker-id", "gep-1", "--poll", "0.1"], env, disk.command()
    )
    try:
        # The disk fills up once the worker has its copy of the table, while it matches the
        # rows: there is no room left for the outputs.
        wait_until(lambda: _copied(ministry, table), 60, "the worker's copy of the table")
        filler = disk.fill(leave=0)
        failed = worker.wait_for_line(
            rf"kérelem={request.reference} esemény=visszaadva szakasz=(.*) újra=.* hiba=(.*)$"
        )
        stage, reason = failed[1], failed[2]
        assert stage == '"Kimenet írása"'
        assert f"„{disk.mount_point}”: betelt a lemez (szabad hely:" in reason
        assert "szabadítson fel helyet" in reason and "szabad hely kell" in reason
        waiting = ministry.store.get(request.id)
        assert waiting.status in (RequestStatus.BEERKEZETT, RequestStatus.FELDOLGOZAS_ALATT)
        # Given back to the queue; or, with the request store on the full disk as well, kept
        # claimed (its row holds the table: no room to change it) and the reason audited.
        failure = wait_until(lambda: _last_failure(ministry, request.id), 30, "the audit entry")
        assert "betelt a lemez" in failure.detail and "szabad hely kell" in failure.detail
        assert "betelt a lemez" in (tmp_path / "logs" / "kkod.log").read_text(encoding="utf-8")
        assert list(ministry.tmpdir.iterdir()) == []
        _show_says_why(disk, env, request.reference)
        _the_intake_answers_451(ministry, disk, registry.small)

        filler.unlink()  # room again
        worker.wait_for_line(rf"kérelem={request.reference} esemény=kész")
        worker.wait_for_line(r"esemény=elküldve")
    finally:
        assert worker.stop() == 0, worker.output()
    assert "Traceback" not in worker.output()
    assert list(ministry.tmpdir.iterdir()) == [] and ministry.work_folders() == []
    done = ministry.store.get(request.id)
    assert done.status == RequestStatus.KESZ and done.attempts >= 2
    assert ministry.store.reply_of(request.id).status == OutboxStatus.SENT
    [delivered] = mailbox.handler.messages  # one reply, with the clean run's codes
    assert delivered.rcpt_tos == [SENDER]
    message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    replied = tmp_path / "valasz.xlsx"
    replied.write_bytes(files["nagy_tabla-kodokkal.xlsx"])
    assert codes_of(replied) == table.codes


def _last_failure(ministry, request_id: int):
    last = ministry.store.audit_of(request_id)[-1]
    return last if last.action in ("visszaadva a sorba", "feldolgozás sikertelen") else None


def _copied(ministry, table) -> bool:
    size = table.path.stat().st_size
    return any(
        path.stat().st_size == size
        for folder in ministry.work_folders()
        for path in folder.glob("*.xlsx")
    )


def _show_says_why(disk: SmallDisk, env: dict[str, str], reference: str) -> None:
    """The operator's view of the waiting request names the full disk."""
    show = Kkod(["ministry", "show", reference], {**env, "COLUMNS": "250"}, disk.command())
    assert show.wait() == 0, show.output()
    text = show.output()
    assert "Legutóbbi hiba" in text and "betelt a lemez" in text
    assert "visszaadva a sorba" in text or "feldolgozás sikertelen" in text


def _the_intake_answers_451(ministry, disk: SmallDisk, table) -> None:
    """With no room the intake cannot keep a message: it says 451, not 250."""
    service = IntakeService(ministry.store, ministry.central(), ministry.settings)
    server = service.start("127.0.0.1", 0)
    rest = disk.fill(leave=0, name="maradek.bin")  # what the worker's clean-up gave back
    try:
        with (
            smtplib.SMTP("127.0.0.1", server.port, timeout=60) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail(SENDER, [MINISTRY], request_email(table, "<masik@x.hu>"))
        assert refused.value.smtp_code == 451
    finally:
        rest.unlink()
        server.stop()
    assert service.spool.pending() == []
