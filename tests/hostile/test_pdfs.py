"""Hostile declaration PDFs through ``kkod pki verify``, ``kkod ministry upload`` and the SMTP
intake (``kkod ministry smtpd``), as real processes: each ends with exit 0/1/2 and a Hungarian
message naming what is wrong, never a traceback, leaves nothing behind, within 30 s and 1 GiB."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest

from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import RequestStore
from kkod.pki.demo_ca import make_demo_ca
from kkod.pki.signing import sign_pdf
from tests.apiserver import await_port
from tests.ministry.conftest import (
    MINISTRY,
    ORGANISATION,
    ORGANISATION_ID,
    PASSPHRASE,
    SECRET_HEX,
    SENDER,
    free_port,
    make_central,
    write_table,
)

from .measure import MAX_CPU_SECONDS, MAX_MEMORY, Measured, run_measured, tree_peak
from .pdfs import CASES, HostilePdf

KKOD = str(Path(sys.executable).with_name("kkod"))
LIMIT_SECONDS = 30
MAX_DECLARATION = 2_000_000  # KKOD_DECLARATION_MAX_BYTES in these runs


class Ministry:
    """A ministry's data folder with a registry, trust roots, a table and hostile PDFs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir()
        demo = make_demo_ca(
            folder / "ca",
            organisation=ORGANISATION,
            organisation_id=ORGANISATION_ID,
            signer_name="Dr. Szabó Irén",
            passphrase=PASSPHRASE,
        )
        self.ca = demo.ca_cert
        self.signer = demo.signer_p12
        make_central(f"sqlite:///{self.data / 'central.sqlite3'}")
        self.table = write_table(folder / "tabla.xlsx")
        self.files: dict[str, Path] = {}

    def sign(self, pdf: bytes) -> bytes:
        return sign_pdf(pdf, self.signer, PASSPHRASE)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            KKOD_DATA_DIR=str(self.data),
            KKOD_CODE_SECRET=SECRET_HEX,
            KKOD_TRUST_ROOTS=json.dumps([str(self.ca)]),
            KKOD_MINISTRY_ADDRESS=MINISTRY,
            KKOD_DECLARATION_MAX_BYTES=str(MAX_DECLARATION),
            KKOD_AUTO_REJECTIONS_PER_HOUR="1000",  # every case is answered, none held back
            TMPDIR=str(self.folder / "tmp"),
            COLUMNS="200",
        )
        (self.folder / "tmp").mkdir(exist_ok=True)
        return env


@pytest.fixture(scope="module")
def ministry(tmp_path_factory) -> Ministry:
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table

    place = Ministry(tmp_path_factory.mktemp("hostile-pdfs"))
    data = declaration_data_for_table(
        place.table,
        organisation=ORGANISATION,
        short_name="PMKH",
        krid="500100",
        contact_name="Varga Judit",
        contact_email=SENDER,
    )
    signed = place.sign(build_declaration_pdf(data))
    for case in CASES:
        path = place.folder / f"{case.name}.pdf"
        path.write_bytes(case.make(signed, place.sign))
        place.files[case.name] = path
    return place


def _run(ministry: Ministry, *args: str) -> Measured:
    return run_measured([KKOD, *args], env=ministry.env(), cwd=ministry.folder)


def _assert_told(result: Measured, says: str) -> None:
    output = result.output
    assert not result.killed and result.cpu_seconds < MAX_CPU_SECONDS, output
    assert result.returncode in (0, 1, 2), output
    assert "Traceback" not in output and "Error" not in output, output
    assert says in " ".join(output.split()), output
    assert result.peak_memory < MAX_MEMORY


def test_there_are_enough_hostile_cases():
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_pki_verify_refuses_each_with_its_reason(ministry, case: HostilePdf):
    path = ministry.files[case.name]
    result = _run(ministry, "pki", "verify", str(path), "--org-id", ORGANISATION_ID)
    assert result.returncode != 0
    _assert_told(result, case.verify_says or case.says)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_upload_rejects_each_with_its_reason_and_keeps_nothing(ministry, case: HostilePdf):
    path = ministry.files[case.name]
    result = _run(
        ministry,
        "ministry",
        "upload",
        "--table",
        str(ministry.table),
        "--declaration",
        str(path),
        "--from",
        SENDER,
    )
    _assert_told(result, case.says)
    assert result.returncode in (1, 2)
    assert list((ministry.folder / "tmp").iterdir()) == []  # nothing left behind


def test_the_smtp_intake_rejects_each_and_stays_up(ministry, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [KKOD, "ministry", "smtpd", "--listen", f"127.0.0.1:{port}"],
        env=ministry.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with tree_peak(server.pid) as peak:
        try:
            await_port(server, port)
            for case in CASES:
                message = build_message(
                    sender=SENDER,
                    to=MINISTRY,
                    subject=f"{ORGANISATION} – kapcsolati kódok igénylése",
                    text="Tisztelt Minisztérium!",
                    attachments=[
                        Attachment("tabla.xlsx", XLSX_TYPE, ministry.table.read_bytes()),
                        Attachment(
                            "nyilatkozat.pdf", PDF_TYPE, ministry.files[case.name].read_bytes()
                        ),
                    ],
                    message_id=f"<{case.name}@pelda-kormanyhivatal.hu>",
                )
                with smtplib.SMTP("127.0.0.1", port, timeout=LIMIT_SECONDS) as client:
                    client.send_message(message)  # 250 only after it is stored: ingested already
        finally:
            server.send_signal(signal.SIGTERM)
            out, err = server.communicate(timeout=LIMIT_SECONDS)
    assert "Traceback" not in out + err
    assert peak[0] < MAX_MEMORY, f"the intake reached {peak[0] >> 20} MiB"
    store = RequestStore.open(url=f"sqlite:///{ministry.data / 'ministry.sqlite3'}")
    by_message = {r.message_id: r for r in store.list()}
    for case in CASES:
        request = by_message[f"<{case.name}@pelda-kormanyhivatal.hu>"]
        assert request.status == RequestStatus.ELUTASITVA, case.name
        assert case.says in request.reason, (case.name, request.reason)
    assert list((ministry.data / "spool" / "new").iterdir()) == []  # none left pending
