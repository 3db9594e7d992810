"""A real small disk for tests: a tmpfs of a few MiB, where writing past its size fails with a
real ``ENOSPC``.

As root it is mounted on the mount point for everyone (``mount -t tmpfs``) and unmounted
afterwards. Otherwise it lives in a mount namespace of its own (``unshare --user
--map-root-user --mount``, which Linux allows unprivileged users by default): only the
processes started through :meth:`SmallDisk.command` see it at the mount point, and this
process reaches the files through :attr:`SmallDisk.path` (``/proc/<pid>/root/…``). SQLite
cannot open a database that way (it resolves the ``/proc`` link back to the mount point), so
:attr:`SmallDisk.shared` says whether a test's own SQLite files may live on the disk.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path


class SmallDisk:
    """A tmpfs of ``size`` bytes mounted on ``mount_point``."""

    def __init__(self, mount_point: Path, size: int) -> None:
        self.mount_point = Path(mount_point).resolve()
        self.mount_point.mkdir(parents=True, exist_ok=True)
        self.shared = os.geteuid() == 0
        self._holder: subprocess.Popen[str] | None = None
        options = f"size={size},mode=0755"
        if self.shared:
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", options, "kkod-kicsi", str(self.mount_point)],
                check=True,
                capture_output=True,
            )
            return
        script = 'mount -t tmpfs -o "$1" kkod-kicsi "$2" && echo kész && exec cat'
        self._holder = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
             "sh", "-c", script, "sh", options, str(self.mount_point)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        if self._holder.stdout.readline().strip() != "kész":
            self._holder.kill()
            raise RuntimeError(f"no small disk: {self._holder.communicate()[1].strip()}")

    @property
    def path(self) -> Path:
        """The mount point as this process reaches it."""
        if self._holder is None:
            return self.mount_point
        return Path(f"/proc/{self._holder.pid}/root") / self.mount_point.relative_to("/")

    def command(self) -> list[str]:
        """The prefix that runs a command with the small disk at its mount point."""
        if self._holder is None:
            return []
        return [
            "nsenter", f"--target={self._holder.pid}", "--user", "--preserve-credentials",
            "--mount", "--",
        ]  # fmt: skip

    def free(self) -> int:
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize

    def fill(self, leave: int, name: str = "kitoltes.bin") -> Path:
        """Fill the disk with a file until ``leave`` bytes are free; the file (remove it to
        give the space back)."""
        filler = self.path / name
        with open(filler, "ab") as out:
            chunk = b"\0" * (1 << 20)
            while (left := self.free() - leave) > 0:
                out.write(chunk[: min(left, len(chunk))])
                out.flush()
        return filler

    def close(self) -> None:
        if self._holder is None:
            with contextlib.suppress(subprocess.CalledProcessError):
                subprocess.run(["umount", "--lazy", str(self.mount_point)], check=True)
            return
        self._holder.stdin.close()
        self._holder.wait(30)
