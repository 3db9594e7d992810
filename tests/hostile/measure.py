"""A command run as a real process, measured from outside: exit code, output, the peak memory
of its process tree (the kernel's high-water marks, sampled) and the CPU time it used."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

# What a command may take on any input (the goal of docs/reliability.md).
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
    """Run ``args``; sample the tree's memory every 10 ms; the CPU time from the kernel."""
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
        sampled[0],
        usage.ru_utime + usage.ru_stime,
        killed.is_set(),
    )


@contextlib.contextmanager
def tree_peak(pid: int) -> Iterator[list[int]]:
    """While the block runs, the peak memory (bytes) of ``pid``'s process tree, in ``[0]``
    (for a server that runs while the test talks to it)."""
    done, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_sample, args=(pid, done, peak))
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def restart_peak(pid: int, peak: list[int]) -> None:
    """Start measuring ``pid``'s tree afresh (a long-running server, one message at a time):
    each process's high-water mark is reset to what it holds now (``clear_refs``, Linux ≥ 4.0)
    and so is ``peak``. Summing marks reached at different moments would count a server's
    biggest message together with a later message's child process."""
    for process in _tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{process.pid}/clear_refs", "w") as refs:
            refs.write("5")
    peak[0] = 0


def _sample(pid: int, done: threading.Event, peak: list[int]) -> None:
    """The tree's peak memory: at each sample, the processes alive then, each with its own
    high-water mark (VmHWM, which also holds its peaks between two samples), summed. A process
    is counted only once it has exec'd: between fork and exec it shows its parent's memory."""
    while True:
        marks = (_high_water_mark(process) for process in _tree(pid))
        peak[0] = max(peak[0], sum(mark for mark in marks if mark is not None))
        if done.wait(0.01):
            return


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _high_water_mark(process: psutil.Process) -> int | None:
    """VmHWM in bytes, or ``None`` if the process has not exec'd yet (or is gone)."""
    try:
        parent = process.parent()
        if parent is not None and process.cmdline() == parent.cmdline():
            return None
        with open(f"/proc/{process.pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (psutil.Error, OSError, ValueError):
        return None
    return None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
