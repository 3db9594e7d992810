"""Serving a web app on uvicorn: the listening socket is bound here, so that a busy port is
told in Hungarian before anything starts, and several worker processes share the load evenly.

uvicorn's supervisor hands every worker the one socket the parent bound: the workers share
one accept queue, and one of them can take a burst of connections for itself (49 of 50
keep-alive clients went to one of two workers, and connect-one fell behind at 525
requests/s). On Linux each worker here binds a socket of its own to the same address
(``SO_REUSEPORT``) and the kernel spreads the connections over them by address; uvicorn's
supervisor still starts, watches and restarts the workers.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from kkod.errors import KkodError
from kkod.hungarian import article
from kkod.oserrors import reason


class CannotServe(KkodError):
    """The server could not listen on its address, or its app did not start."""


def serve(app: str, *, host: str, port: int, workers: int = 1, **options: Any) -> None:
    """Run the app that the factory ``app`` (``module:function``) makes on ``host:port``,
    in ``workers`` processes, until interrupted. ``options`` go to :class:`uvicorn.Config`;
    uvicorn's own lines go to the log (``log_config=None``: see :mod:`kkod.logs`)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        server_header=False,
        **options,
    )
    spread = workers > 1 and hasattr(socket, "SO_REUSEPORT")
    listener = _bind(host, port, spread)
    if workers > 1:
        Multiprocess(config, sockets=[listener]).run()
        return
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listener])
    if not server.started:
        raise CannotServe("A kiszolgáló nem indult el; az okát a napló írja le.")


def _bind(host: str, port: int, spread: bool) -> socket.socket:
    """The parent's socket, bound (not listening: uvicorn listens in each worker)."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        if spread:
            # A socket without SO_REUSEPORT first: binding fails if anything holds the port,
            # even another server of this user that would let a second group join its own.
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind(address)
            listener: socket.socket = _SpreadListener(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        else:
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        raise CannotServe(
            f"A kiszolgáló nem indítható {article(host)} {host}:{port} címen ({reason(error)})."
        ) from None
    listener.set_inheritable(True)
    return listener


class _SpreadListener(socket.socket):
    """The parent's socket with ``SO_REUSEPORT``; it holds the port and never listens. uvicorn
    pickles its sockets into each worker it starts: a worker unpickling this one gets a
    socket of its own, bound to the same address (:func:`_own_socket`)."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return _own_socket, (self.family, self.getsockname())


def _own_socket(family: socket.AddressFamily, address: tuple[Any, ...]) -> socket.socket:
    own = socket.socket(family, socket.SOCK_STREAM)
    own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    own.bind(address)
    return own
