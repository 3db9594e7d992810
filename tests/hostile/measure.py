"""A command run as a real process, measured from outside: exit code, output, the peak memory
of its process tree (sampled, and the kernel's own peak) and the CPU time it used."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

# What a command may take on any input (the goal of docs/reliability-tables.md).
MAX_MEMORY = 1 << 30  # bytes, the process and its children
MAX_CPU_SECONDS = 30.0
# A command still running after this long is killed (a machine shared with other jobs can be
# slow; the CPU time, not this, is what the tests hold the commands to).
WALL_TIMEOUT = 180.0


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_memory: int  # bytes
    cpu_seconds: float
    killed: bool  # ran past WALL_TIMEOUT

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_measured(args: list[str], *, env: dict[str, str], cwd: Path) -> Measured:
    """Run ``args``; sample the tree's memory every 10 ms; collect the kernel's peak and CPU."""
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=name, s=stream: output.__setitem__(n, s.read()))
        for name, stream in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    done = threading.Event()
    sampled = [0]
    sampler = threading.Thread(target=_sample, args=(process.pid, done, sampled))
    sampler.start()
    killed = threading.Event()
    timer = threading.Timer(WALL_TIMEOUT, lambda: (killed.set(), _kill_group(process.pid)))
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    _kill_group(process.pid)  # a child left behind would be a bug too; never let it linger
    for reader in readers:
        reader.join()
    return Measured(
        process.returncode,
        output.get("out", b"").decode("utf-8", "replace"),
        output.get("err", b"").decode("utf-8", "replace"),
        max(sampled[0], usage.ru_maxrss * 1024),
        usage.ru_utime + usage.ru_stime,
        killed.is_set(),
    )


def tree_memory(pid: int) -> int:
    """The resident memory of a process and all its descendants now (0 if it is gone)."""
    try:
        parent = psutil.Process(pid)
        total = parent.memory_info().rss
        for child in parent.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total
    except psutil.Error:
        return 0


def _sample(pid: int, done: threading.Event, peak: list[int]) -> None:
    while not done.wait(0.01):
        peak[0] = max(peak[0], tree_memory(pid))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
