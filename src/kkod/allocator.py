"""glibc's allocator told to give freed memory back to the system: fixed thresholds, two arenas.

By default glibc raises its mmap threshold to the size of the first big block freed (up to 32
MiB) and keeps up to twice that free at the top of its heap; and every thread that competes
for it gets an arena of its own (up to eight a core), each holding on to what was freed in
it. A big job makes and drops tens of MiB of lists and buffers, so a process kept them: a
100,000-row ``kkod generate`` peaked at 354 MiB (both processes), and at ≈ 300 MiB with the
settings below at a few percent more system time (docs/benchmarks.md, *Peak memory*).
"""

from __future__ import annotations

import ctypes
import sys

# mallopt(3) options (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

# A block from 1 MiB up is mapped (and unmapped when freed); smaller ones come from the heap,
# whose free top is returned from 8 MiB on: what a small request makes and drops stays for
# the next one (the trim threshold did not change the big job's peak: 297-306 MiB from 128
# KiB to 16 MiB; the fixed mmap threshold and the arenas did).
MMAP_THRESHOLD = 1024 * 1024
TRIM_THRESHOLD = 8 * 1024 * 1024
# The main thread's arena and one for every other thread: kkod's threads run SQL or a parse
# beside the main one, and allocate little while they do.
ARENA_MAX = 2


def give_memory_back() -> bool:
    """Set the allocator of this process as above, before its threads start (an arena is
    made when a thread first needs one). ``False`` where the C library is not glibc: nothing
    is changed there."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc, not musl (whose mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    settings = (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (_M_ARENA_MAX, ARENA_MAX),
    )
    return all(mallopt(option, value) == 1 for option, value in settings)
