"""What every benchmark shares: medians of repeated runs, peak RSS of a command, the machine's description."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
KKOD = str(Path(sys.executable).with_name("kkod"))


@contextlib.contextmanager
def central_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database on ``backend``: a SQLite file in ``folder``, or a database
    on a throwaway PostgreSQL server of its own (tests/pgserver.py), removed afterwards."""
    if backend != "postgresql":
        yield f"sqlite:///{folder / 'central.sqlite3'}"
        return
    server = postgresql_server()
    try:
        yield createdb(server, "central")
    finally:
        server.remove()


def postgresql_server():
    """A started throwaway PostgreSQL server (the tests' one implementation)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.pgserver import PgServer

    return PgServer().start()


def createdb(server, name: str) -> str:
    """A new database ``name`` on ``server``; its SQLAlchemy URL."""
    subprocess.run(
        [str(server.bin / "createdb"), "-h", server.socket_dir, "-U", "postgres", name],
        check=True,
    )
    return server.url(name)


def median_seconds(func: Callable[[], object], repeat: int = 3) -> float:
    """Median wall-clock seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_measured(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in bytes of it and its child processes
    together, sampled every 50 ms: ``kkod generate`` writes a big table in a child process)."""
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: nothing can block on it
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        peak = 0
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                peak = max(peak, _tree_rss(root))
                time.sleep(0.05)
        proc.wait()
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}):\n{message}")
    return elapsed, peak


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


def peak_rss_self() -> int:
    """Peak RSS of this process so far, in bytes."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def machine() -> dict[str, object]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(logical=True),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "cpu_model": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()
