"""How strict the logins are: lockout, TOTP window, session lifetimes (pure values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    failures_before_lock: int = 5  # wrong logins in a row that lock the user
    lock_for: timedelta = timedelta(minutes=15)
    totp_window: int = 1  # 30-second steps accepted either side of now (clock drift)
    session_idle: timedelta = timedelta(minutes=30)
    session_absolute: timedelta = timedelta(hours=12)
    min_password_length: int = 12

    @classmethod
    def from_settings(cls, settings) -> LoginPolicy:
        """The policy as ``KKOD_WEB_*`` settings configure it."""
        return cls(
            failures_before_lock=settings.web_login_failures_before_lock,
            lock_for=timedelta(minutes=settings.web_login_lock_minutes),
            session_idle=timedelta(minutes=settings.web_session_idle_minutes),
            session_absolute=timedelta(hours=settings.web_session_absolute_hours),
        )
