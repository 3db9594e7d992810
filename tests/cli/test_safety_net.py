"""What an officer sees when something unforeseen happens: a Hungarian message and a reference,
never a traceback or a library's English warning; the log file holds the details."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A kkod with one more command that warns like a library and then fails like a bug.
_SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    from kkod.cli.groups import app
    from kkod.cli.common import reports_errors

    @app.command("boom")
    @reports_errors
    def boom(kind: str = "value"):
        warnings.warn("DSA is deprecated and support will be removed", DeprecationWarning)
        warnings.warn("An English library warning", UserWarning)
        if kind == "panic":
            class PanicException(BaseException):  # what pyo3 raises for a Rust panic
                pass
            raise PanicException("called `Option::unwrap()` on a `None` value")
        raise ValueError("Kovács Béla 1985.03.12")  # the message may quote personal data

    from kkod.cli.app import main
    sys.argv = ["kkod", "boom", *sys.argv[1:]]
    main()
    """
)


def _run(tmp_path: Path, *args: str, debug: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "KKOD_DATA_DIR": str(tmp_path / "adatok")}
    env.pop("KKOD_DEBUG", None)
    if debug:
        env["KKOD_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, env=env
    )


def test_an_unexpected_error_is_a_hungarian_message_with_a_reference(tmp_path):
    done = _run(tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Váratlan hiba történt (hivatkozás: H-" in done.stderr
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr
    assert "Warning" not in done.stderr and "deprecated" not in done.stderr
    reference = done.stderr.split("hivatkozás: ")[1].split(")")[0]
    log = (tmp_path / "adatok" / "logs" / "kkod.log").read_text()
    assert reference in log and "ValueError" in log and "boom" in log
    assert "Kovács" not in log and "1985" not in log  # the message is not logged
    assert str(tmp_path / "adatok" / "logs" / "kkod.log") in done.stderr


def test_a_rust_panic_is_caught_too(tmp_path):
    done = _run(tmp_path, "--kind", "panic")
    assert done.returncode == 1
    assert "Váratlan hiba történt" in done.stderr and "Traceback" not in done.stderr
    assert "PanicException" in (tmp_path / "adatok" / "logs" / "kkod.log").read_text()


def test_kkod_debug_shows_the_warnings_and_the_traceback(tmp_path):
    done = _run(tmp_path, debug=True)
    assert done.returncode == 1
    assert "An English library warning" in done.stderr
    assert "Traceback" in done.stderr and "ValueError" in done.stderr


def test_a_good_run_writes_no_log_file(tmp_path):
    table = tmp_path / "t.xlsx"
    env = {**os.environ, "KKOD_DATA_DIR": str(tmp_path / "adatok")}
    done = subprocess.run(
        [sys.executable, "-m", "kkod.cli.app", "template", str(table)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "adatok").exists()
