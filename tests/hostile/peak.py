"""Runs a command as its only child and writes the child's peak memory (KiB) to the file named
by ``KKOD_TEST_PEAK_FILE``: ``python peak.py CMD ARGS…`` exits with the command's code and
passes SIGTERM and SIGINT on to it."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

if __name__ == "__main__":
    child = subprocess.Popen(sys.argv[1:])
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ["KKOD_TEST_PEAK_FILE"], "w", encoding="ascii") as handle:
        handle.write(str(peak))
    sys.exit(code)
