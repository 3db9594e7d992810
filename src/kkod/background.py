"""Output files written by a child process from data sent while the job is still computing it.

Writing a big job's files (patching and compressing the filled table, building the reason
report) is CPU work that holds the GIL. A child process does it on another core: it starts
early, prepares what it can, and receives the data in batches. Small jobs write in-process,
with the same code: starting a process would cost more than it saves.

A writer is a function ``target(*args, batches)`` that consumes the batches (an iterator)
and writes its files; it may do work before it takes the first batch.

Within :func:`reused_children` (a long-running worker), a child that completed its job stays
for the thread's next one: a Python process's start-up is not paid for every big request.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import itertools
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import BinaryIO, Protocol

from kkod.errors import KkodError

_WAIT_SECONDS = 10
_NICENESS = 10
_END = "kkod-background-end"  # pickled after the last batch; an input that ends without it is a cancellation


class Writer(Protocol):
    """A background writer: ``add`` each batch, ``end`` when there are no more (optional: the
    writer may then complete while the caller does something else), then ``finish`` (the
    files are complete when it returns, or the writer's error is raised); ``close`` always,
    also after an error."""

    def add(self, batch: object) -> None: ...

    def end(self) -> None: ...

    def finish(self) -> None: ...

    def close(self) -> None: ...


class WriterProcessFailed(KkodError):
    """The writer process ended without an answer (killed, out of memory)."""


def start_writer(target: Callable[..., None], *args: object, process: bool) -> Writer:
    """``target(*args, batches)`` run by a child process (started now) if ``process``, else
    in this process at ``finish``. ``target`` must be a module-level function; ``args`` and
    the batches must pickle."""
    return ProcessWriter(target, args) if process else InProcessWriter(target, args)


class InProcessWriter:
    """Keeps the batches; runs the target on them in ``finish``."""

    def __init__(self, target: Callable[..., None], args: tuple[object, ...]) -> None:
        self._target, self._args = target, args
        self._batches: list[object] = []

    def add(self, batch: object) -> None:
        self._batches.append(batch)

    def end(self) -> None:
        pass

    def finish(self) -> None:
        self._target(*self._args, iter(self._batches))

    def close(self) -> None:
        self._batches = []


class ProcessWriter:
    """A child Python process (``python -m kkod.background``) running the target; the batches
    go through its standard input, the error it ends with comes back through its output.

    A plain child process, not :mod:`multiprocessing`: nothing of the calling program (its
    main module, its threads) is carried over, so it is safe in a multi-threaded server.
    The child ends when its parent does, even when the parent is killed (SIGKILL): it never
    goes on writing personal data for nobody. On Linux that is the parent-death signal, sent
    when the *thread* that started the child ends, so keep a writer in the thread that
    started it (``finish`` and ``close`` there).
    """

    def __init__(self, target: Callable[..., None], args: tuple[object, ...]) -> None:
        self._process = _idle_child() or _new_child()
        # Sends go through a thread: a write blocks while the child is busy with the last batch.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkod-writer")
        self._sent: list[Future[None]] = []
        self._ended = False
        self._answered = False
        self._send(pickle.dumps((target.__module__, target.__qualname__, args), protocol=5))

    @property
    def pid(self) -> int:
        return self._process.pid

    def add(self, batch: object) -> None:
        self._send(pickle.dumps(batch, protocol=5))

    def end(self) -> None:
        """Tell the child that no more batches come."""
        if not self._ended:
            self._ended = True
            self._send(pickle.dumps(_END))

    def finish(self) -> None:
        """Wait for the child's answer (after :meth:`end`); raise the error it reports."""
        self.end()
        try:
            for sent in self._sent:
                sent.result()
            error = pickle.load(self._process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as lost:
            raise WriterProcessFailed(
                "A kimenetet író folyamat váratlanul leállt; nem készült kimenet."
            ) from lost
        self._answered = error is None
        if error is not None:
            raise error

    def close(self) -> None:
        """Keep a child that completed its job for the thread's next one; else wait for it:
        an input closed before the end of the batches makes it give up (and remove what it
        started). A child that stops reading its input is killed."""
        process = self._process
        if self._answered and getattr(_idle, "reuse", False):
            self._sender.shutdown(wait=True)
            _keep_idle(process)
            return
        self._sender.shutdown(wait=False, cancel_futures=True)
        _, stuck = wait([f for f in self._sent if not f.cancelled()], timeout=_WAIT_SECONDS)
        if stuck:
            process.kill()  # a send still blocked: the child is hung
        self._sender.shutdown(wait=True)
        _end(process)

    def _send(self, message: bytes) -> None:
        stdin = self._process.stdin

        def send() -> None:
            stdin.write(message)
            stdin.flush()

        self._sent.append(self._sender.submit(send))


_idle = threading.local()  # a thread's child that completed its job: (process, environment)


@contextlib.contextmanager
def reused_children(ready_for: Callable[..., None] | None = None) -> Iterator[None]:
    """In this thread, within this block, a writer child that completed its job is kept for
    the next one; the one kept is ended on leaving. ``ready_for``: a target whose child is
    started now, with the target's module imported, so that not even the first big job waits
    for a Python process to start (the start-up is paid when a long-running worker starts)."""
    _idle.reuse = True
    try:
        if ready_for is not None:
            _keep_idle(_new_child(ready_for.__module__))
        yield
    finally:
        _idle.reuse = False
        kept = getattr(_idle, "child", None)
        _idle.child = None
        if kept is not None:
            _end(kept[0])


def _new_child(*modules: str) -> subprocess.Popen:
    """A child of this process; it imports ``modules`` before it takes a job."""
    return subprocess.Popen(
        [sys.executable, "-P", "-m", __name__, str(os.getpid()), *modules],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _idle_child() -> subprocess.Popen | None:
    """This thread's idle child, if it is alive and was started in the same environment."""
    kept = getattr(_idle, "child", None)
    _idle.child = None
    if kept is None:
        return None
    process, environment = kept
    if process.poll() is None and environment == _environment():
        return process
    _end(process)
    return None


def _keep_idle(process: subprocess.Popen) -> None:
    previous = getattr(_idle, "child", None)
    _idle.child = (process, _environment())
    if previous is not None:
        _end(previous[0])


def _environment() -> int:
    """What a child inherited at its start that a next job may depend on."""
    return hash((sys.executable, tuple(sorted(os.environ.items()))))


def _end(process: subprocess.Popen) -> None:
    """End a child: its input closed, it leaves (killed if it does not within the wait)."""
    with contextlib.suppress(OSError):
        process.stdin.close()
    try:
        process.wait(_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


class _Cancelled(Exception):
    """The parent closed the input before the end of the batches."""


def _batches(requests: BinaryIO) -> Iterator[object]:
    while True:
        try:
            batch = pickle.load(requests)
        except EOFError:
            raise _Cancelled from None
        if batch == _END:
            return
        yield batch


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The child's side: job after job until the input ends, as :func:`serve_one`."""
    for number in itertools.count():
        try:
            job = pickle.load(requests)
        except EOFError:
            return  # the parent is done with us
        if number:
            gc.collect()  # what the last job left in cycles (the collector is off in a job)
        if not serve_one(job, requests, answers):
            return


def serve_one(job: tuple[str, str, tuple], requests: BinaryIO, answers: BinaryIO) -> bool:
    """Run the job's target on the batches as they come, answer with the error it raised
    (``None`` for success); a cancelled run gives no answer (``False``: the input ended)."""
    module, name, args = job
    target = getattr(importlib.import_module(module), name)
    batches = _batches(requests)
    failure: Exception | None = None
    try:
        try:
            target(*args, batches)
        except _Cancelled:
            raise
        except Exception as error:
            failure = error
        for _ in batches:  # what is left after an error
            pass
    except _Cancelled:
        return False
    answers.write(pickle.dumps(_picklable(failure)))
    answers.flush()
    return True


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_CHECK_SECONDS = 1.0


def end_with_parent(parent: int) -> None:
    """End this process when ``parent`` (the process that started it) ends: the kernel's
    parent-death signal on Linux, else a thread that looks at the parent every second."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent ended before the signal was asked for
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


def _picklable(error: Exception | None) -> Exception | None:
    if error is None:
        return None
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return WriterProcessFailed(f"A kimenet írása nem sikerült: {type(error).__name__}")
    return error


if __name__ == "__main__":
    # Run as kkod.background itself, not as this __main__ copy: its errors pickle by that name.
    from kkod import background
    from kkod.allocator import give_memory_back

    give_memory_back()
    background.end_with_parent(int(sys.argv[1]))
    # Below the parent, which computes what we write: when the two compete for a core, the
    # parent goes on, and we take the time it leaves. A short-lived writer builds big
    # acyclic structures: the cyclic collector's passes over them would free nothing.
    os.nice(_NICENESS)
    gc.disable()
    with contextlib.suppress(KeyboardInterrupt):  # the parent is stopping: so are we
        for module in sys.argv[2:]:  # what the first job's target will need (made ready)
            importlib.import_module(module)
        background.serve(sys.stdin.buffer, sys.stdout.buffer)
    # The answer is sent and every file is closed: end without the interpreter's clean-up of
    # what the writer built (multiprocessing ends its children the same way).
    os._exit(0)
