"""Private work folders (kkod.workspace): personal data on disk only under the data folder,
readable by its owner alone, and never left behind by a process that died; a full disk found
however the error reached us."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import OperationalError

from kkod.errors import TableError
from kkod.workspace import (
    CREATION_GRACE_SECONDS,
    DiskFull,
    disk_full,
    no_space,
    remove_stale,
    work_folder,
    work_root,
)
from tests.ministry.conftest import SENDER, world  # noqa: F401 - the fixture

HOLDER = """
import sys
from pathlib import Path
from kkod.workspace import work_folder
with work_folder("worker", Path(sys.argv[1])) as folder:
    (folder / "kapcsolati_kod_tabla.xlsx").write_bytes(b"a munkaltato tablazata")
    print(folder, flush=True)
    sys.stdin.read()
"""


def _holder(data: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process holding a work folder with a table in it until its input closes."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, Path(process.stdout.readline().strip())


def test_a_work_folder_is_private_under_the_data_folder_and_gone_after_use(tmp_path):
    data = tmp_path / "kkod-data"
    with work_folder("intake", data) as folder:
        assert folder.parent == data / "work" and folder.name.startswith(f"intake-{os.getpid()}-")
        for private in (folder, folder.parent):
            assert stat.S_IMODE(private.stat().st_mode) == 0o700
        (folder / "tabla.xlsx").write_bytes(b"szemelyes adatok")
    assert not folder.exists() and list((data / "work").iterdir()) == []


def test_the_folders_of_dead_processes_are_removed_those_of_live_ones_kept(tmp_path):
    data = tmp_path / "kkod-data"
    killed, killed_folder = _holder(data)
    alive, alive_folder = _holder(data)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert (killed_folder / "kapcsolati_kod_tabla.xlsx").exists()  # left by the dead process
    assert remove_stale(data) == 1
    assert not killed_folder.exists() and (alive_folder / "kapcsolati_kod_tabla.xlsx").exists()
    alive.stdin.close()  # the live one ends normally and removes its own
    assert alive.wait() == 0 and not alive_folder.exists()


def _with_work_root(tmp_path: Path) -> Path:
    """A data folder with its (empty) work folder."""
    data = tmp_path / "kkod-data"
    work_root(data)
    return data


def test_a_folder_nobody_holds_is_removed_even_when_its_process_died_removing_it(tmp_path):
    data = _with_work_root(tmp_path)
    # Killed halfway through removing its folder: a young folder, part of a table still in it.
    half_removed = data / "work" / "worker-1-felig"
    half_removed.mkdir()
    (half_removed / "kimenet.xlsx").write_bytes(b"a munkaltato tablazatanak fele")
    assert remove_stale(data) == 1 and not half_removed.exists()


def test_a_folder_being_made_is_kept_unless_its_process_is_gone_or_it_is_old(tmp_path):
    data = _with_work_root(tmp_path)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    work = data / "work"
    being_made = work / f".uj-worker-{os.getpid()}-uj"  # a live process, about to lock it
    left = work / f".uj-intake-{int(ended.stdout)}-elhagyott"  # killed before it locked it
    abandoned = work / f".uj-worker-{os.getpid()}-regi"
    for folder in (being_made, left, abandoned):
        folder.mkdir()
    old = time.time() - CREATION_GRACE_SECONDS - 1
    os.utime(abandoned, (old, old))
    assert remove_stale(data) == 2
    assert being_made.exists() and not left.exists() and not abandoned.exists()


def test_a_folder_removed_by_a_sweep_before_it_was_locked_is_taken_again(tmp_path, monkeypatch):
    data = _with_work_root(tmp_path)
    made = []
    real_mkdtemp = tempfile.mkdtemp

    def swept_at_first(*args, **kwargs):  # another process's sweep removes the first one made
        folder = real_mkdtemp(*args, **kwargs)
        made.append(folder)
        if len(made) == 1:
            os.rmdir(folder)
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", swept_at_first)
    with work_folder("intake", data) as folder:
        (folder / "tabla.xlsx").write_bytes(b"szemelyes adatok")
        assert len(made) == 2 and folder.parent == data / "work"
    assert list((data / "work").iterdir()) == []


def test_a_folder_of_an_older_kkod_is_kept_while_its_lock_file_is_held(tmp_path):
    data = _with_work_root(tmp_path)
    older = data / "work" / "worker-3-regi-verzio"
    older.mkdir()
    fd = os.open(older / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert remove_stale(data) == 0 and older.exists()
    finally:
        os.close(fd)
    assert remove_stale(data) == 1 and not older.exists()


def test_the_first_work_folder_of_a_process_clears_the_dead_ones(tmp_path):
    data = tmp_path / "kkod-data"
    killed, killed_folder = _holder(data)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    later = subprocess.run(
        [sys.executable, "-c", HOLDER, str(data)], input="", capture_output=True, text=True
    )
    assert later.returncode == 0 and not killed_folder.exists()


def test_a_full_disk_is_found_however_the_error_reached_us(tmp_path):
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    try:
        try:
            raise full
        except OSError as error:
            raise TableError("A táblázat nem írható.") from error
    except TableError as wrapped:
        assert disk_full(wrapped) is full
    try:
        try:
            raise full
        except OSError:
            raise RuntimeError("takarítás közben") from None  # only the context keeps it
    except RuntimeError as hidden:
        assert disk_full(hidden) is full
    assert disk_full(OSError(errno.EACCES, "Permission denied")) is None
    # A real SQLite "database or disk is full": the database may grow no more.
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'kicsi.sqlite3'}")
    with pytest.raises(OperationalError) as sqlite_full, engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA max_page_count = 2")
        connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
        connection.exec_driver_sql("INSERT INTO t VALUES (zeroblob(100000))")
    assert disk_full(sqlite_full.value).errno == errno.ENOSPC


def test_a_full_disk_is_told_with_the_folder_its_free_space_and_what_is_needed(tmp_path):
    error = no_space(OSError(errno.ENOSPC, "No space left on device"), tmp_path, 5 * 2**20)
    assert isinstance(error, DiskFull)
    assert error.message.startswith(f"Nem írható a lemezre: „{tmp_path}”: betelt a lemez")
    assert "(szabad hely: " in error.message and "szabadítson fel helyet" in error.message
    assert error.message.endswith("A munkához kb. 5,0 MiB szabad hely kell.")


@pytest.fixture
def writes(tmp_path, monkeypatch):
    """Every file and folder Python code in this process creates or opens for writing."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "TMPDIR"))
    (tmp_path / "TMPDIR").mkdir()
    seen: list[str] = []
    _recording.append(seen)
    yield seen
    _recording.remove(seen)


_recording: list[list[str]] = []


def _audit(event: str, args: tuple) -> None:
    if not _recording:
        return
    if event == "os.mkdir" or (event == "open" and _for_writing(args)):
        _recording[-1].append(os.fsdecode(args[0]) if not isinstance(args[0], int) else "")


def _for_writing(args: tuple) -> bool:
    _path, mode, flags = args
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


sys.addaudithook(_audit)


def test_intake_worker_and_reply_reading_write_only_in_the_work_folder(world, writes, mailbox):  # noqa: F811
    """The employer's table reaches the disk only inside the data folder's work folders: when
    the worker generates, when the employer reads the reply. The intake checks it in memory:
    it writes no table at all."""
    from kkod.employer.reply import read_reply
    from kkod.ministry.intake import ingest
    from kkod.ministry.worker import Worker

    ingest(world.email(), SENDER, store=world.store, central=world.central, settings=world.settings)
    assert not [w for w in writes if w.endswith(".xlsx") or ".xlsx." in w], writes
    assert (
        Worker(world.store, world.central, world.settings, worker_id="w").run_once().sent == 2
    )  # ack, answer
    [delivered] = mailbox.handler.wait_for(1)
    eml = world.folder / "valasz.eml"
    eml.write_bytes(delivered.raw)
    assert read_reply(eml).report_found

    work_roots = (world.settings.data_dir / "work", Path(os.environ["KKOD_DATA_DIR"]) / "work")
    tables = [w for w in writes if w.endswith(".xlsx") or ".xlsx." in w]
    assert tables  # the hook saw the copies and the outputs
    assert all(w.startswith(tuple(map(str, work_roots))) for w in tables), tables
    assert not any(w.startswith(tempfile.gettempdir()) for w in writes)
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def test_what_older_versions_left_in_tmpdir_after_a_crash_is_removed(tmp_path):
    """Before work folders, a killed worker left its table copy in TMPDIR/kkod-worker-*:
    such folders of this user, untouched for an hour, are removed; recent ones are kept."""
    from kkod.workspace import LEGACY_GRACE_SECONDS, remove_legacy_temp

    def folder(name: str, age: float) -> Path:
        made = tmp_path / name
        made.mkdir()
        (made / "tabla.xlsx").write_bytes(b"4T")
        then = time.time() - age
        os.utime(made, (then, then))
        return made

    old = [folder(f"{p}abc", LEGACY_GRACE_SECONDS + 60) for p in ("kkod-worker-", "kkod-intake-")]
    recent = folder("kkod-worker-new", 10)
    other = folder("someone-else-old", LEGACY_GRACE_SECONDS + 60)
    assert remove_legacy_temp(tmp_path) == 2
    assert not any(f.exists() for f in old)
    assert recent.exists() and other.exists()
