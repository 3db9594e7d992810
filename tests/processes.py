"""Real processes in tests: a kkod command run as its own process, its log lines read as they
come, and waiting for events (a line, a file, a process gone) with a deadline, never a sleep."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import psutil

from kkod.config import Settings

KKOD = str(Path(sys.executable).with_name("kkod"))
T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 60.0, what: str = "") -> T:
    """Poll ``condition`` until it returns something true; that value. Fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")
        time.sleep(0.01)


def gone(process: psutil.Process) -> bool:
    """Whether ``process`` has ended (a zombie nobody reaps counts as ended)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class Kkod:
    """``kkod ARGS`` as a process of its own; its stderr (where the log lines go) is collected
    line by line, so a test can wait for a log event."""

    def __init__(self, args: Sequence[str], env: dict[str, str], prefix: Sequence[str] = ()):
        self.args = [*prefix, KKOD, *args]
        self.process = subprocess.Popen(
            self.args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._seen = 0
        self._ended = 0  # streams read to their end
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, stream) -> None:
        for line in stream:
            self._new.put(line.rstrip("\n"))
        self._new.put(None)

    def wait_for_line(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        """The first line, from the last one matched on, that matches ``pattern``;
        :class:`TimeoutError` when none comes within ``timeout`` seconds."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            while self._seen < len(self.lines):
                line = self.lines[self._seen]
                self._seen += 1
                if found := regex.search(line):
                    return found
            if self._ended == len(self._readers):
                raise AssertionError(
                    f"kkod ended ({self.process.poll()}) without a line matching {pattern!r}:\n"
                    + "\n".join(self.lines[-30:])
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"no line matching {pattern!r} in {timeout:g} s:\n"
                    + "\n".join(self.lines[-30:])
                )
            try:
                line = self._new.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self._ended += 1
            else:
                self.lines.append(line)

    def output(self) -> str:
        """Everything it printed so far (after it ended: everything)."""
        while True:
            try:
                line = self._new.get_nowait()
            except queue.Empty:
                return "\n".join(self.lines)
            if line is None:
                self._ended += 1
            else:
                self.lines.append(line)

    def kill(self) -> list[psutil.Process]:
        """SIGKILL the process; returns its child processes as they were just before."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._join()
        return children

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM (a clean stop), then wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._join()
        return code

    def wait(self, timeout: float = 300.0) -> int:
        code = self.process.wait(timeout)
        self._join()
        return code

    def _join(self) -> None:
        for reader in self._readers:
            reader.join(timeout=10)
        self.output()


def settings_env(settings: Settings, **extra: str | None) -> dict[str, str]:
    """This process's environment with the ``KKOD_*`` variables that give a process
    ``settings`` (an unset one removed), and ``extra`` (``None``: removed)."""
    variables: dict[str, str | None] = {}
    for name, value in settings.model_dump(mode="json").items():
        if isinstance(value, list | dict):
            value = json.dumps(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        variables[f"KKOD_{name.upper()}"] = None if value is None else str(value)
    env = dict(os.environ)
    for name, value in {**variables, **extra}.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
