"""The access log of the web apps: method, route, status, time, and the caller's key id.

Never the URL as sent: its path and query could carry anything a client put there (personal
data included). A matched request is logged by its route's template (``/api/v1/offices/
{krid}/connections``); anything else as ``-``. Written to the ``kkod.web.access`` logger.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kkod.web.access")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            client = scope.get("client") or ("-", 0)
            log.info(
                "%s %s %s %d %.1fms key=%s",
                client[0],
                scope.get("method", "-"),
                getattr(route, "path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
                scope.get("state", {}).get("key_id", "-"),
            )
