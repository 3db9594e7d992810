"""Atomic file output: write to a temporary file beside the target, fsync, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_write(target: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success it replaces ``target``.

    On any error the temporary file is removed and ``target`` is left as it was.
    ``durable=False`` skips the two fsyncs (a few ms each): for a file that something else
    makes durable (an enclosing atomic write) or that is thrown away after use.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    # mkstemp creates 0600; a finished file gets the usual mode (0666 less the umask).
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
        if durable:
            fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> Path:
    with atomic_write(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once at import, before any threads start.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
