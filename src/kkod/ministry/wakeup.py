"""Waking an idle worker the moment a request is queued: in-process callbacks, and PostgreSQL's
``LISTEN``/``NOTIFY`` across processes and machines (the poll stays as the fallback); and
warming a long-running intake or worker up, so that its first request is not the slow one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

CHANNEL = "kkod_ministry_queued"
# How long the listener blocks on its connection before it looks whether it should stop.
LISTEN_SLICE = 1.0

_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")


class Arrivals:
    """Who in this process is told when this process queues a request (the store announces)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` on every arrival from now on; returns the way to stop that."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def announce(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


def notify_queued(conn: Connection) -> None:
    """Inside the transaction that queues a request: PostgreSQL tells every listener on commit
    (and not at all on rollback). Nothing to do on SQLite, which has one process writing."""
    if conn.dialect.name == "postgresql":
        conn.execute(_NOTIFY)


class PgListener:
    """One connection of its own that ``LISTEN``s, and a thread calling ``on_arrival`` for each
    notification. ``on_arrival`` is also called once each time the ``LISTEN`` is in place: a
    request committed before that moment is found then, not at the next poll. A lost connection
    is opened again after ``retry`` seconds (the poll covers the gap)."""

    def __init__(self, engine: Engine, on_arrival: Callable[[], None], retry: float = 5.0) -> None:
        self._engine = engine
        self._on_arrival = on_arrival
        self._retry = retry
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kkod-listen", daemon=True)

    def start(self) -> PgListener:
        self._thread.start()
        return self

    def wait_listening(self, timeout: float | None = None) -> bool:
        """Whether the ``LISTEN`` is in place (within ``timeout`` seconds): from then on, no
        request committed is missed."""
        return self._listening.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=LISTEN_SLICE * 5)

    def _run(self) -> None:
        import psycopg

        args, params = self._engine.dialect.create_connect_args(self._engine.url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(*args, **params, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self._on_arrival()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=LISTEN_SLICE):
                            self._on_arrival()
            except psycopg.Error as error:
                self._listening.clear()
                log.warning(
                    "esemény=értesítés_megszakadt újra=%gmp hiba=%s",
                    self._retry,
                    type(error).__name__,
                )
                self._stop.wait(self._retry)


class WakeUp:
    """What an idle worker waits on: set on every arrival (in this process, and through
    PostgreSQL from any process) and when ``stop`` is set; :meth:`close` when done."""

    def __init__(self, engine: Engine, arrivals: Arrivals, stop: threading.Event) -> None:
        self._event = threading.Event()
        self._unsubscribe = arrivals.subscribe(self._event.set)
        pg = engine.dialect.name == "postgresql"
        self.listener = PgListener(engine, self._event.set).start() if pg else None
        threading.Thread(target=self._on_stop, args=(stop,), name="kkod-stop", daemon=True).start()

    def _on_stop(self, stop: threading.Event) -> None:
        stop.wait()
        self._event.set()

    def clear(self) -> None:
        """Forget earlier arrivals: call it before looking at the queue."""
        self._event.clear()

    def wait(self, timeout: float) -> bool:
        """Until an arrival (or stop) since :meth:`clear`, at most ``timeout`` seconds."""
        return self._event.wait(timeout)

    def close(self) -> None:
        self._unsubscribe()
        if self.listener is not None:
            self.listener.stop()


def warm_up(modules: tuple[str, ...]) -> None:
    """Import ``modules`` now: a long-running server's first request pays no import time."""
    import importlib

    for name in modules:
        importlib.import_module(name)
