"""A real HTTP server on loopback for tests: uvicorn serving an ASGI app in a thread of the test.

The socket is bound before the server starts (port 0: the system picks a free one), and the
server's startup is awaited as an event, so no test waits on a guess.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextmanager
def serving(app, **config) -> Iterator[str]:
    """``app`` served on 127.0.0.1 until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_config=None, access_log=False, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.ready.wait(0.1):
            if not thread.is_alive():
                raise RuntimeError("the test server did not start")
        scheme = "https" if config.get("ssl_certfile") else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_process(env: dict[str, str], *args: str, scheme: str = "http") -> Iterator[str]:
    """``kkod central serve`` in a process of its own until the block ends; yields its base URL.

    Startup is awaited on the port accepting a connection (the server's own log lines go to
    its log file, not the console); the process is stopped with SIGTERM (uvicorn's graceful
    shutdown) and its output checked for errors by the caller if wanted.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    port = free_port()
    kkod = Path(sys.executable).with_name("kkod")
    process = subprocess.Popen(
        [str(kkod), "central", "serve", "--listen", f"127.0.0.1:{port}", *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await_port(process, port)
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def await_port(process, port: int) -> None:
    """Block until ``port`` accepts a connection; fail if the process ends first."""
    import subprocess

    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        try:  # the pause between tries is a wait for the process's end
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError("kkod central serve did not start:\n" + (process.stderr.read() or ""))
