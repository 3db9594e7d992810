"""A bounded HTTP/1.1 load generator: plain asyncio keep-alive connections, latencies per request.

Made for loopback benchmarks of the central API. An httpx async client tops out near 270
requests/s on this machine (it measures itself), so each run also measures this client
against a trivial endpoint: the figures count only if it is far faster than the server.
Every run is bounded by a request count and a time limit.

``rate`` paces the requests on a fixed schedule (an open loop: a late answer does not delay
the next request's planned start, and latency is counted from the planned start, so a stall
is not hidden); without it every connection sends as fast as it is answered (saturation).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    statuses: dict[int, int]
    latencies: list[float]  # seconds, sorted

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        index = min(len(self.latencies) - 1, round(p / 100 * (len(self.latencies) - 1)))
        return self.latencies[index]

    def summary(self) -> dict[str, float]:
        return {
            "requests": self.requests,
            "requests/s": round(self.rate),
            "p50 ms": round(self.percentile(50) * 1000, 1),
            "p95 ms": round(self.percentile(95) * 1000, 1),
            "p99 ms": round(self.percentile(99) * 1000, 1),
            "mean ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0,
        }


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    return _request("GET", path, b"", headers or {})


def post_json(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    return _request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})


def _request(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_load(
    port: int,
    request: Callable[[int], bytes],
    *,
    connections: int,
    total: int,
    rate: float | None = None,
    time_limit: float = 120.0,
) -> LoadResult:
    """Send ``total`` requests (``request(i)`` is the i-th, raw) over ``connections`` keep-alive
    connections to 127.0.0.1:``port``, paced at ``rate`` per second if given."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    return runner(_load(port, request, connections, total, rate, time_limit))


async def _load(port, request, connections, total, rate, time_limit) -> LoadResult:
    next_index = 0
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = time.perf_counter()
    deadline = start + time_limit

    async def connection() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < total and time.perf_counter() < deadline:
                index = next_index
                next_index += 1
                planned = start + index / rate if rate else time.perf_counter()
                wait = planned - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(request(index))
                status = await _response(reader)
                latencies.append(time.perf_counter() - planned)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return LoadResult(len(latencies), elapsed, statuses, latencies)


async def _response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status
