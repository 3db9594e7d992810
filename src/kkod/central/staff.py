"""The office staff's logins to the Hivatali kapu pages, kept in the central registry.

A user's realm is its office's KRID; the audit trail and the login throttle are the
registry's own (``central_audit``, ``central_rate_limits``).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from kkod.central.interface import UnknownOffice
from kkod.central.models import STAFF_LOGINS, Office
from kkod.central.ratelimit import Rate, throttle
from kkod.central.registry import audit
from kkod.config import Settings
from kkod.logins.policy import LoginPolicy
from kkod.logins.store import Logins

ISSUER = "kkod Hivatali kapu"  # what an authenticator app shows next to the code


def staff_logins(engine: Engine, settings: Settings) -> Logins:
    return Logins(
        engine,
        STAFF_LOGINS,
        audit=audit,
        throttle=throttle(Rate(settings.web_login_attempts_per_minute)),
        issuer=ISSUER,
        policy=LoginPolicy.from_settings(settings),
    )


def known_office(engine: Engine, krid: str) -> str:
    """``krid`` itself if an office has it; else :class:`UnknownOffice`."""
    with engine.connect() as conn:
        if conn.scalar(select(Office.id).where(Office.krid == krid)) is None:
            raise UnknownOffice(krid)
    return krid
