"""Fixtures of the hostile-files suite: the corpus (generated once per test run, shared by the
xdist workers), a data folder with the test registry and PKI for the ``kkod`` processes, and
a measured ``kkod`` runner."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kkod.employer.declaration import build_declaration_pdf
from kkod.errors import KkodError
from kkod.exchange.declaration import DeclarationData
from kkod.pki.signing import sign_pdf
from tests.hostile.cases import Case, corpus
from tests.hostile.measure import Measured, run_measured
from tests.ministry.conftest import (  # noqa: F401 (pki is a fixture)
    KRID,
    ORGANISATION,
    PASSPHRASE,
    SECRET_HEX,
    SENDER,
    SHORT_NAME,
    make_central,
    pki,
)

KKOD = str(Path(sys.executable).with_name("kkod"))
ROOT = Path(__file__).resolve().parents[2]
CASES_SOURCE = Path(__file__).with_name("cases.py")


class Corpus:
    """The hostile files, generated once per test run by the generator script into a folder
    the xdist workers share (the first one generates while the others wait). The folder is
    named after the generator's source, so a changed generator never meets an old corpus."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.secret = folder / "titok.txt"
        with _FileLock(folder / ".lock"):
            if not (folder / ".kesz").exists():  # a process of its own: the tests stay small
                subprocess.run(
                    [sys.executable, "-m", "tests.hostile.cases", str(folder)],
                    check=True,
                    cwd=ROOT,
                    capture_output=True,
                )
                (folder / ".kesz").touch()

    def path(self, case: Case) -> Path:
        return self.folder / case.name / case.filename


class _FileLock:
    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> None:
        self._handle = open(self._path, "w")
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory) -> Corpus:
    version = hashlib.sha256(CASES_SOURCE.read_bytes()).hexdigest()[:12]
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the workers' common folder of this run
    return Corpus(shared / f"hostile-{version}")


CASES = corpus(Path("titok.txt"))  # the list (for parametrising); files come from the fixture


@dataclass
class Kkod:
    """``kkod`` run as a real process on a data folder with the test registry and PKI."""

    env: dict[str, str]
    folder: Path
    signer: Path

    def __call__(self, *args: object, cwd: Path | None = None) -> Measured:
        return run_measured([KKOD, *map(str, args)], env=self.env, cwd=cwd or self.folder)

    def declaration(self, table: Path, out: Path) -> Path:
        """A signed declaration for ``table`` (its rows as kkod reads them, 0 if it cannot)."""
        from kkod.table.reader import read_table

        try:
            rows = len(read_table(table).rows) if table.is_file() else 0
        except KkodError:
            rows = 0
        digest = hashlib.sha256(table.read_bytes()).hexdigest() if table.is_file() else "0" * 64
        data = DeclarationData(
            organisation=ORGANISATION,
            short_name=SHORT_NAME,
            krid=KRID,
            contact_name="Varga Judit",
            contact_email=SENDER,
            rows=rows,
            table_sha256=digest,
            table_filename=table.name,
            issued=__import__("datetime").date.today(),
        )
        out.write_bytes(sign_pdf(build_declaration_pdf(data), self.signer, PASSPHRASE))
        return out


@pytest.fixture(scope="session")
def kkod(tmp_path_factory, pki) -> Iterator[Kkod]:  # noqa: F811 (pki from the ministry tests)
    folder = tmp_path_factory.mktemp("hostile-kkod")
    data = folder / "data"
    data.mkdir()
    make_central(f"sqlite:///{data / 'central.sqlite3'}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KKOD_")},
        "KKOD_DATA_DIR": str(data),
        "KKOD_CODE_SECRET": SECRET_HEX,
        "KKOD_TRUST_ROOTS": json.dumps([str(pki.ca_cert)]),
        "KKOD_MINISTRY_ADDRESS": "kapcsolatikod@bm.gov.hu",
        "KKOD_LOG_DIR": str(folder / "logs"),
        "COLUMNS": "200",
    }
    yield Kkod(env, folder, pki.signer)
