"""The operators' logins to the ministry console, kept in the request store's database.

An operator's realm is ``""`` (there is one ministry); the audit trail and the login throttle
are the store's own (``ministry_audit``, ``ministry_rate_limits``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert

from kkod.central.ratelimit import Rate, throttle
from kkod.config import Settings
from kkod.logins.policy import LoginPolicy
from kkod.logins.store import Logins
from kkod.ministry.models import OPERATOR_LOGINS, AuditEvent, utcnow

ISSUER = "kkod minisztériumi konzol"  # what an authenticator app shows next to the code
REALM = ""


def _audit(conn: Connection, actor: str, action: str, realm: str | None, detail: str) -> None:
    conn.execute(
        insert(AuditEvent).values(
            request_id=None, at=utcnow(), actor=actor, action=action, detail=detail
        )
    )


def operator_logins(engine: Engine, settings: Settings) -> Logins:
    """The console's logins on the request store's ``engine``."""
    return Logins(
        engine,
        OPERATOR_LOGINS,
        audit=_audit,
        throttle=throttle(
            Rate(settings.web_login_attempts_per_minute), table="ministry_rate_limits"
        ),
        issuer=ISSUER,
        policy=LoginPolicy.from_settings(settings),
    )
