"""Background writers: a child process and the in-process variant behave the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from kkod import background
from kkod.background import WriterProcessFailed, start_writer
from tests.processes import gone, wait_until

from . import marking, targets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def importable_targets(monkeypatch):
    """The child process imports the targets by module name, like kkod's own."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", f"{ROOT}{os.pathsep}{path}" if path else str(ROOT))


@pytest.fixture(params=[True, False], ids=["process", "in-process"])
def process(request) -> bool:
    return request.param


def test_batches_arrive_in_order_and_the_file_is_complete_after_finish(tmp_path, process):
    out = tmp_path / "out.txt"
    writer = start_writer(targets.write_lines, str(out), process=process)
    try:
        writer.add(["első", "második"])
        writer.add([])
        writer.add(["harmadik"])
        writer.finish()
    finally:
        writer.close()
    assert out.read_text(encoding="utf-8") == "első\nmásodik\nharmadik\n"


def test_end_lets_the_writer_complete_before_finish_is_called(tmp_path, process):
    out = tmp_path / "out.txt"
    writer = start_writer(targets.write_lines, str(out), process=process)
    try:
        writer.add(["a"])
        writer.end()
        if process:  # the child writes on its own once it has the end
            deadline = time.monotonic() + 30
            while not out.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert out.read_text() == "a\n"
        writer.finish()
    finally:
        writer.close()
    assert out.read_text() == "a\n"


def test_an_error_before_the_first_batch_is_raised_by_finish(tmp_path, process):
    writer = start_writer(targets.fail_before_batches, str(tmp_path / "x.xlsx"), process=process)
    try:
        writer.add(["a"])  # still accepted: the error comes at the end
        with pytest.raises(targets.TargetError, match=r"nem olvasható: x\.xlsx"):
            writer.finish()
    finally:
        writer.close()


def test_an_error_on_a_batch_is_raised_with_its_type_and_message(process):
    writer = start_writer(targets.fail_on, "rossz", process=process)
    try:
        writer.add(["jó"])
        writer.add(["rossz"])
        writer.add(["jó"])
        with pytest.raises(targets.TargetError, match="hibás sor: rossz"):
            writer.finish()
    finally:
        writer.close()


def test_an_error_that_cannot_travel_is_named(process):
    writer = start_writer(targets.fail_unpicklable, "x", process=process)
    try:
        writer.add(["a"])
        expected = WriterProcessFailed if process else targets.Unpicklable
        with pytest.raises(expected):
            writer.finish()
    finally:
        writer.close()


def test_closing_without_finish_writes_nothing(tmp_path, process):
    out = tmp_path / "out.txt"
    writer = start_writer(targets.write_lines, str(out), process=process)
    writer.add(["a"])
    writer.close()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_killed_child_is_reported_not_waited_for(tmp_path):
    pid_file = tmp_path / "pid"
    writer = start_writer(targets.hang, str(pid_file), process=True)
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        with pytest.raises(WriterProcessFailed, match="váratlanul leállt"):
            writer.finish()
    finally:
        writer.close()


def test_a_child_that_stops_reading_its_input_is_killed_on_close(monkeypatch):
    monkeypatch.setattr(background, "_WAIT_SECONDS", 0.5)
    writer = start_writer(targets.never_reads, process=True)
    writer.add("x" * 1_000_000)  # more than a pipe holds: the send blocks
    started = time.monotonic()
    writer.close()
    assert time.monotonic() - started < 5
    assert writer._process.returncode == -signal.SIGKILL


def test_a_writer_child_ends_when_its_parent_is_killed(tmp_path):
    """A SIGKILLed parent (a worker killed mid-request) leaves no writer running behind it,
    even one busy with work that does not read its input."""
    pid_file = tmp_path / "pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from kkod.background import start_writer\n"
            "from tests.background import targets\n"
            "start_writer(targets.pid_then_sleep, sys.argv[1], process=True)\n"
            "time.sleep(3600)\n",
            str(pid_file),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        child = psutil.Process(int(wait_until(lambda: pid_file.exists() and pid_file.read_text())))
        assert child.ppid() == parent.pid and not gone(child)
    finally:
        parent.kill()
        parent.wait()
    wait_until(lambda: gone(child), timeout=30, what="the orphaned writer to end")


def test_a_child_that_completed_its_job_serves_the_threads_next_one(tmp_path):
    """A long-running worker does not start a Python process for each big request: the child
    that answered takes the next job of the same thread; after a failure a new one is made,
    and another thread does not get this thread's child."""
    import threading

    def run(target, *args) -> int:
        writer = start_writer(target, *args, process=True)
        try:
            writer.add(["sor"])
            writer.finish()
            return writer.pid
        finally:
            writer.close()

    with background.reused_children():
        first = run(targets.write_lines, str(tmp_path / "1.txt"))
        second = run(targets.write_lines, str(tmp_path / "2.txt"))
        assert second == first and (tmp_path / "2.txt").read_text(encoding="utf-8") == "sor\n"
        with pytest.raises(targets.TargetError):
            run(targets.fail_on, "sor")
        third = run(targets.write_lines, str(tmp_path / "3.txt"))
        assert third != first  # the one that failed was not kept
        assert not psutil.pid_exists(first)  # ended and reaped by close()
        elsewhere: list[int] = []
        thread = threading.Thread(
            target=lambda: elsewhere.append(run(targets.write_lines, str(tmp_path / "4.txt")))
        )
        thread.start()
        thread.join()
        assert elsewhere and elsewhere[0] != third
        assert not psutil.pid_exists(elsewhere[0])  # not kept: that thread reuses nothing
    assert not psutil.pid_exists(third)  # the one kept is ended with the block
    # Outside the block (a one-off command), each job's child ends with it.
    fourth = run(targets.write_lines, str(tmp_path / "5.txt"))
    assert fourth != third and not psutil.pid_exists(fourth)


def test_a_child_made_ready_takes_the_first_job_with_its_module_imported(tmp_path, monkeypatch):
    """A long-running worker starts its writer child when it starts, the target's module
    imported: the first big request does not wait for a Python process to start."""
    mark = tmp_path / "imported"
    monkeypatch.setenv("KKOD_TEST_IMPORT_MARK", str(mark))
    with background.reused_children(ready_for=marking.write_lines):
        wait_until(mark.exists, timeout=30, what="the ready child to import the target's module")
        ready = int(mark.read_text())
        assert psutil.Process(ready).ppid() == os.getpid()
        writer = start_writer(marking.write_lines, str(tmp_path / "1.txt"), process=True)
        try:
            writer.add(["sor"])
            writer.finish()
            assert writer.pid == ready
        finally:
            writer.close()
        assert (tmp_path / "1.txt").read_text(encoding="utf-8") == "sor\n"
    assert not psutil.pid_exists(ready)  # ended with the block
