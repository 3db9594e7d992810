"""Request bodies over a size limit are refused with a 413 problem before they are read.

Starlette's own limit answers in plain text; the web apps answer every error as a problem
document, so this middleware takes its place.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kkod.web.shared.problems import TOO_LARGE, Problem, problem_response


class BodySizeLimit:
    """ASGI middleware: a declared ``Content-Length`` over ``max_bytes`` is answered at once;
    a body sent in chunks is cut off as soon as it grows past the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await problem_response(TOO_LARGE, self._detail())(scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise Problem(TOO_LARGE, self._detail())
            return message

        await self.app(scope, counting, send)

    def _detail(self) -> str:
        return f"A kérés törzse legfeljebb {self.max_bytes} bájt lehet."


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
