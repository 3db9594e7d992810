"""Who may use the local workbench: the person who started it.

The server listens on 127.0.0.1 only and prints a one-time address with a random token; the
token is exchanged for a session cookie (HttpOnly, SameSite=Strict) and the address loses it
at once (a redirect). Every form carries the session's CSRF token. Requests whose ``Host``
is not the loopback address the server listens on are refused (DNS rebinding).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

COOKIE = "kkod_munkapad"
TOKEN_BYTES = 32


@dataclass
class Access:
    """The start token, the sessions it opened (cookie → CSRF token), the allowed hosts."""

    hosts: frozenset[str]
    token: str = field(default_factory=lambda: secrets.token_urlsafe(TOKEN_BYTES))
    sessions: dict[str, str] = field(default_factory=dict)

    def open_session(self, offered: str) -> str | None:
        """A new session's cookie value for the right start token, else ``None``."""
        if not secrets.compare_digest(offered.encode(), self.token.encode()):
            return None
        cookie = secrets.token_urlsafe(TOKEN_BYTES)
        self.sessions[cookie] = secrets.token_urlsafe(TOKEN_BYTES)
        return cookie

    def close_session(self, cookie: str | None) -> None:
        self.sessions.pop(cookie or "", None)

    def csrf_of(self, cookie: str | None) -> str | None:
        return self.sessions.get(cookie or "")

    def form_ok(self, cookie: str | None, offered: str | None) -> bool:
        expected = self.csrf_of(cookie)
        return bool(expected and offered) and secrets.compare_digest(
            expected.encode(), (offered or "").encode()
        )

    def host_ok(self, host: str | None) -> bool:
        return (host or "").lower() in self.hosts


def loopback_hosts(port: int) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
