"""A throwaway PostgreSQL server for tests and benchmarks: its own folder, its own socket.

The server listens only on a Unix socket inside its temporary folder (no TCP port), so it
can never disturb, or depend on, a server someone else runs. ``initdb`` refuses to run as
root: as root the server runs as the ``postgres`` system user, which Debian's server
package creates. ``make test`` installs that package when it is missing (scripts/test-tools.sh).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

PREFIX = "kkod-pg-"
_OWNER_FILE = "owner.pid"  # the pid of the process that started the server


class PgServerError(RuntimeError):
    """The throwaway server could not be set up (the message says what to install)."""


def bin_dir() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: Debian's newest version, else the PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PgServerError(
        "PostgreSQL server programs (initdb, pg_ctl) not found: install the server package "
        "(Debian/Ubuntu: `sudo apt-get install postgresql`), or point the tests at a server "
        "of your own with KKOD_TEST_PG_DSN."
    )


class PgServer:
    """One throwaway server: :meth:`start`, :meth:`restart`, :meth:`stop` (removes everything)."""

    def __init__(self, *, durable: bool = False) -> None:
        self.bin = bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.data = self.folder / "data"
        self.durable = durable  # fsync on: for tests of what survives a crash
        self._user = _run_as()
        if self._user:
            shutil.chown(self.folder, self._user)

    # -- addresses ------------------------------------------------------------------------

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string (psycopg) for ``dbname``."""
        return f"host={self.socket_dir} port=5432 user=postgres dbname={dbname}"

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL for ``dbname``."""
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.socket_dir}"

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> PgServer:
        if not self.data.exists():
            self._run(
                "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync", "--no-instructions",
            )  # fmt: skip
            (self.folder / _OWNER_FILE).write_text(str(os.getpid()))
        options = [
            "-c listen_addresses=''",
            f"-c unix_socket_directories='{self.socket_dir}'",
            "-c max_connections=300",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            "pg_ctl", "-D", self.data, "-o", " ".join(options), "-l", self.folder / "server.log",
            "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``mode``: fast, immediate) and keep its folder."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop the server and delete its folder (the test data with it)."""
        with contextlib.suppress(PgServerError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: object) -> None:
        command = [str(self.bin / program), *map(str, args)]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgServerError(f"{program} failed: {done.stderr.strip()}\n{tail}")


def _run_as() -> str | None:
    """The user the server runs as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise PgServerError(
            "Running as root, the throwaway PostgreSQL needs the `postgres` system user; "
            "install the server package (`apt-get install postgresql`), which creates it."
        ) from None
    return "postgres"


def remove_stale() -> int:
    """Stop and delete the servers of test runs that died without cleaning up; returns how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        owner = folder / _OWNER_FILE
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        postmaster = folder / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, ProcessLookupError):
            server = int(postmaster.read_text().split()[0])
            # Only if that pid is still this folder's server (pids are reused).
            if str(folder) in Path(f"/proc/{server}/cmdline").read_text(errors="replace"):
                os.kill(server, signal.SIGQUIT)
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
