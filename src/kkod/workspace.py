"""Private work folders under the data folder: the one place kkod puts personal data on disk
for a moment, and the disk-full error told in Hungarian.

A process that needs files while it works (the worker's copy of a table and its outputs, the
employer's copy of a reply) takes a folder of its own,
``<data_dir>/work/<kind>-<pid>-<random>`` (mode 0700, ``work`` too), and removes it when done.
The folder itself is locked (``flock`` on the directory) for as long as its process lives: it is
made under a hidden name, locked, and only then given its name, so a folder under a kkod name
that nobody holds belongs to a dead process (SIGKILL, power cut, even one killed halfway through
removing it) and is removed by the next worker, intake or reply step that starts
(:func:`remove_stale`); so is a hidden one whose process is gone. Several processes may share
one data folder: only folders nobody holds are removed.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kkod import logs
from kkod.errors import KkodError
from kkod.oserrors import explain, human_size

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: folders are never taken as stale
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

WORK_FOLDER = "work"
# A folder is made under this prefix and renamed once locked; one found under it is being made
# (a matter of microseconds) unless its process is gone or it is older than this.
BEING_MADE = ".uj-"
CREATION_GRACE_SECONDS = 60.0
# Folders of kkod versions before the directory lock held a lock file inside instead.
LEGACY_LOCK_FILE = ".lock"
# Before work folders, kkod worked in TMPDIR under these prefixes; a crashed process left a
# copy of a table there. Such a folder untouched for this long belongs to no live process.
LEGACY_TEMP_PREFIXES = ("kkod-worker-", "kkod-intake-", "kkod-reply-")
LEGACY_GRACE_SECONDS = 3600.0
_SQLITE_FULL = 13  # SQLITE_FULL: "database or disk is full"

_swept: set[Path] = set()


def work_root(data_dir: Path) -> Path:
    """``<data_dir>/work``, made if missing, readable by the owner only."""
    root = Path(os.path.abspath(data_dir)) / WORK_FOLDER
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_mode & 0o077:
        os.chmod(root, 0o700)
    return root


@contextlib.contextmanager
def work_folder(kind: str, data_dir: Path | None = None) -> Iterator[Path]:
    """A new private folder for this process's work, removed with everything in it on exit.

    ``data_dir`` defaults to the configured data folder. The first folder a process takes
    under a data folder also removes the folders of dead processes there.
    """
    if data_dir is None:
        from kkod.config import get_settings

        data_dir = get_settings().data_dir
    root = work_root(data_dir)
    if root not in _swept:
        _swept.add(root)
        remove_stale(data_dir)
    folder, lock = _take(root, kind)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def _take(root: Path, kind: str) -> tuple[Path, int]:
    """A new folder in ``root``, locked: its path and the descriptor that holds the lock."""
    for _ in range(100):
        made = Path(tempfile.mkdtemp(prefix=f"{BEING_MADE}{kind}-{os.getpid()}-", dir=root))
        try:
            lock = os.open(made, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                folder = root / made.name.removeprefix(BEING_MADE)
                os.rename(made, folder)
            except BaseException:
                os.close(lock)
                raise
        except FileNotFoundError:
            # Removed by another process's sweep before it was locked: that process took it
            # for a dead one's (see _remove_if_stale). Take another.
            continue
        except BaseException:
            shutil.rmtree(made, ignore_errors=True)
            raise
        return folder, lock
    raise OSError(errno.EAGAIN, f"no work folder could be made in {root}")


def remove_stale(data_dir: Path) -> int:
    """Remove the work folders whose process has ended; returns how many were removed.

    Never fails: a folder that cannot be looked at is left (and the log says why)."""
    root = Path(os.path.abspath(data_dir)) / WORK_FOLDER
    if fcntl is None:
        return 0
    try:
        folders = [f for f in root.iterdir() if f.is_dir() and not f.is_symlink()]
    except FileNotFoundError:
        return 0
    except OSError as error:
        log.warning("esemény=munkamappa_hiba hiba=%s", logs.quote(explain(error, root)))
        return 0
    removed = sum(1 for folder in folders if _remove_if_stale(folder))
    removed += remove_legacy_temp()
    if removed:
        log.info(
            "esemény=munkamappa_törölve darab=%d ok=%s", removed, logs.quote("leállt folyamaté")
        )
    return removed


def remove_legacy_temp(temp_dir: Path | None = None) -> int:
    """Remove what older kkod versions left in TMPDIR after a crash (copies of tables): this
    user's ``kkod-worker-*``, ``kkod-intake-*`` and ``kkod-reply-*`` folders untouched for an
    hour. Returns how many were removed; never fails."""
    temp = Path(temp_dir or tempfile.gettempdir())
    now, removed = time.time(), 0
    try:
        candidates = [p for p in temp.iterdir() if p.name.startswith(LEGACY_TEMP_PREFIXES)]
    except OSError:
        return 0
    for folder in candidates:
        try:
            info = folder.lstat()
        except OSError:
            continue
        if (
            folder.is_dir()
            and not folder.is_symlink()
            and info.st_uid == os.getuid()
            and now - info.st_mtime > LEGACY_GRACE_SECONDS
        ):
            shutil.rmtree(folder, ignore_errors=True)
            removed += not folder.exists()
    return removed


def _remove_if_stale(folder: Path) -> bool:
    if folder.name.startswith(BEING_MADE) and not _abandoned(folder):
        return False
    try:
        with contextlib.ExitStack() as locks:
            for path in (folder, folder / LEGACY_LOCK_FILE):
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                except FileNotFoundError:
                    if path == folder:
                        return False  # removed by its owner meanwhile
                    continue
                locks.callback(os.close, fd)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its process lives
            shutil.rmtree(folder, ignore_errors=True)
            return True
    except OSError:
        return False


def _abandoned(folder: Path) -> bool:
    """Whether a folder still being made (not yet locked, or locked and not yet named) was
    left so: its process is not alive on this machine, or it has been so for long. A live
    process whose folder is removed here before it locks it takes another (:func:`_take`)."""
    try:
        age = time.time() - folder.stat().st_mtime
    except FileNotFoundError:
        return False  # named or removed by its owner meanwhile
    if age >= CREATION_GRACE_SECONDS:
        return True
    try:
        pid = int(folder.name.rsplit("-", 2)[-2])  # <kind>-<pid>-<random>
    except (IndexError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        pass  # alive, another user's
    return False


# -- a full disk ------------------------------------------------------------------------------


class DiskFull(KkodError):
    """The disk of a folder kkod writes to is full; the work can be done again once it is not."""


def disk_full(error: BaseException) -> OSError | None:
    """The full-disk error behind ``error`` (itself, or its cause or context, however wrapped),
    or ``None``. A SQLite "database or disk is full" counts as one."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return current
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == _SQLITE_FULL:
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return None


def no_space(error: OSError, folder: Path, needed: int | None = None) -> DiskFull:
    """:class:`DiskFull` for ``error``: which folder, its free space, how much is needed."""
    text = f"Nem írható a lemezre: {explain(error, os.path.abspath(folder))}."
    if needed:
        text += f" A munkához kb. {human_size(needed)} szabad hely kell."
    return DiskFull(text)
