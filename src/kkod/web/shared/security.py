"""Security headers on every answer of a web app: a strict CSP, no framing, no sniffing, no
referrer, and no caching (pages may show personal data; only the static files are cached).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: every script and style sheet is a local file.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
STATIC_PREFIX = "/static/"

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware. ``csp_exempt``: path prefixes served by a library whose pages carry
    inline script (the API's Swagger UI); they get every header but the CSP."""

    def __init__(self, app: ASGIApp, csp_exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.csp_exempt = csp_exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers[name] = value
                if not path.startswith(self.csp_exempt):
                    headers["Content-Security-Policy"] = CSP
                if not path.startswith(STATIC_PREFIX):
                    headers["Cache-Control"] = "no-store"
                    headers["Pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, sending)
