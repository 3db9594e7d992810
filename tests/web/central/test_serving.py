"""``kkod central serve --workers N``: the workers share the connections (each binds its own
socket, SO_REUSEPORT), a worker that dies is replaced by one that takes connections again,
and a busy port is told in Hungarian before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests.apiserver import serve_process
from tests.central.conftest import API_KEY_SECRET, SECRET

pytestmark = pytest.mark.slow

CONNECTIONS = 40
KKOD = str(Path(sys.executable).with_name("kkod"))


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "KKOD_DATA_DIR": str(tmp_path / "serve-data"),
        "KKOD_LOG_DIR": str(tmp_path / "logs"),
        "KKOD_CENTRAL_DATABASE_URL": db_url,
        "KKOD_CODE_SECRET": SECRET.hex(),
        "KKOD_API_KEY_SECRET": API_KEY_SECRET,
    }


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _connections_by_worker(port: int) -> Counter[int]:
    """How many keep-alive connections each server process holds, after each has answered."""
    clients = [
        socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(CONNECTIONS)
    ]
    try:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
        return Counter(
            c.pid
            for c in psutil.net_connections(kind="tcp")
            if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED and c.pid
        )
    finally:
        for client in clients:
            client.close()


def _listening(port: int) -> set[int]:
    return set(_listeners(port))


def _listeners(port: int) -> dict[int, str]:
    """Each live process listening on ``port``, with its listening socket (``socket:[inode]``)."""
    found = {}
    for c in psutil.net_connections(kind="tcp"):
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid:
            try:
                found[c.pid] = os.readlink(f"/proc/{c.pid}/fd/{c.fd}")
            except OSError:
                continue  # a worker just killed
    return found


def test_two_workers_share_the_connections_and_a_dead_one_is_replaced(central, db_url, tmp_path):
    with serve_process(_env(db_url, tmp_path), "--workers", "2") as url:
        port = _port(url)
        deadline = time.monotonic() + 60
        while len(_listening(port)) < 2:  # the second worker may still be starting
            assert time.monotonic() < deadline, "the second worker never listened"
            time.sleep(0.05)
        listeners = _listeners(port)
        assert len(set(listeners.values())) == 2, "the workers listen on one shared socket"
        shares = _connections_by_worker(port)
        assert len(shares) == 2 and min(shares.values()) >= CONNECTIONS // 5, shares

        killed = min(_listening(port))
        os.kill(killed, signal.SIGKILL)
        while len(_listening(port) - {killed}) < 2:  # uvicorn's supervisor starts another
            assert time.monotonic() < deadline + 60, "the dead worker was not replaced"
            time.sleep(0.05)
        shares = _connections_by_worker(port)
        assert killed not in shares
        assert len(shares) == 2 and min(shares.values()) >= CONNECTIONS // 5, shares


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_busy_port_is_told_before_anything_starts(central, db_url, tmp_path, workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [KKOD, "central", "serve", "--listen", f"127.0.0.1:{port}", "--workers", workers],
            env={**os.environ, **_env(db_url, tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    assert "a port már foglalt" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    assert "Errno" not in result.stdout + result.stderr
