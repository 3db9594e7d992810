"""Logins on a party's database: users, the login check, sessions, audit — one transaction each.

The party gives its engine, its :class:`~kkod.logins.tables.LoginTables`, its audit writer
and its throttle (a rate limit per client address, kept in its database so it holds across
server processes). Nothing here knows about HTTP: the web layer passes the client's address
and the cookie's token as plain strings.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from kkod.errors import KkodError
from kkod.logins.factors import (
    hash_password,
    new_password,
    new_totp_secret,
    password_matches,
    provisioning_uri,
    totp_step,
)
from kkod.logins.policy import LoginPolicy
from kkod.logins.tables import LoginTables

# audit(conn, actor, action, realm, detail): the party's audit trail, in the same transaction.
AuditWriter = Callable[[Connection, str, str, str | None, str], None]
# throttle(conn, bucket) -> seconds to wait (0: go on): one attempt counted against bucket.
Throttle = Callable[[Connection, str], int]


class Refusal(StrEnum):
    WRONG = "wrong"  # unknown user, wrong password or wrong/used TOTP code (not told apart)
    LOCKED = "locked"  # too many wrong logins in a row; wait, or an administrator unlocks
    THROTTLED = "throttled"  # too many attempts from the client's address


@dataclass(frozen=True, slots=True)
class LoginUser:
    id: int
    realm: str
    username: str
    display_name: str
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user just made: the password and the TOTP secret, shown once."""

    user: LoginUser
    password: str
    totp_secret: str
    provisioning_uri: str


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    token: str | None = None  # the new session's cookie value, when logged in
    user: LoginUser | None = None
    refusal: Refusal | None = None
    retry_after: int = 0  # seconds, when locked or throttled


@dataclass(frozen=True, slots=True)
class WebSession:
    user: LoginUser
    csrf_token: str  # every form of the session carries it


class UnknownLogin(KkodError):
    exit_code = 2

    def __init__(self, realm: str, username: str) -> None:
        where = f" ({realm})" if realm else ""
        super().__init__(f"Nincs ilyen felhasználó: {username}{where}.")


class LoginExists(KkodError):
    exit_code = 2

    def __init__(self, username: str) -> None:
        super().__init__(f"Már van ilyen nevű felhasználó: {username}.")


class WeakPassword(KkodError):
    exit_code = 2

    def __init__(self, length: int) -> None:
        super().__init__(f"A jelszó legalább {length} karakter legyen.")


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite gives it back without its zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Logins:
    """The logins of one party's web pages."""

    def __init__(
        self,
        engine: Engine,
        tables: LoginTables,
        *,
        audit: AuditWriter,
        throttle: Throttle,
        issuer: str,
        policy: LoginPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.audit = audit
        self.throttle = throttle
        self.issuer = issuer  # the name an authenticator app shows next to the code
        self.policy = policy or LoginPolicy()

    # -- users -------------------------------------------------------------------------------

    def add_user(
        self,
        realm: str,
        username: str,
        display_name: str,
        *,
        password: str | None = None,
        actor: str = "cli",
    ) -> NewUser:
        """A new user with a TOTP secret; a password is made when none is given."""
        if password is not None and len(password) < self.policy.min_password_length:
            raise WeakPassword(self.policy.min_password_length)
        password = password or new_password()
        secret = new_totp_secret()
        users = self.tables.users
        with self.engine.begin() as conn:
            if self._user_row(conn, realm, username) is not None:
                raise LoginExists(username)
            conn.execute(
                insert(users).values(
                    realm=realm,
                    username=username,
                    display_name=display_name,
                    password_hash=hash_password(password),
                    totp_secret=secret,
                    failed_attempts=0,
                    created_at=datetime.now(UTC),
                )
            )
            self.audit(conn, actor, "login.user_add", realm or None, f"user={username}")
            user = self._user(self._user_row(conn, realm, username))
        account = f"{username}@{realm}" if realm else username
        return NewUser(user, password, secret, provisioning_uri(secret, account, self.issuer))

    def users(self, realm: str | None = None) -> list[LoginUser]:
        users = self.tables.users
        query = select(users).order_by(users.c.realm, users.c.username)
        if realm is not None:
            query = query.where(users.c.realm == realm)
        with self.engine.connect() as conn:
            return [self._user(row) for row in conn.execute(query)]

    def remove_user(self, realm: str, username: str, *, actor: str = "cli") -> LoginUser:
        """The user and every session of theirs gone at once."""
        with self.engine.begin() as conn:
            user = self._existing(conn, realm, username)
            conn.execute(
                delete(self.tables.sessions).where(self.tables.sessions.c.user_id == user.id)
            )
            conn.execute(delete(self.tables.users).where(self.tables.users.c.id == user.id))
            self.audit(conn, actor, "login.user_remove", realm or None, f"user={username}")
        return user

    def unlock_user(self, realm: str, username: str, *, actor: str = "cli") -> LoginUser:
        with self.engine.begin() as conn:
            user = self._existing(conn, realm, username)
            conn.execute(
                update(self.tables.users)
                .where(self.tables.users.c.id == user.id)
                .values(failed_attempts=0, locked_until=None)
            )
            self.audit(conn, actor, "login.user_unlock", realm or None, f"user={username}")
        return user

    # -- logging in and out ------------------------------------------------------------------

    def login(
        self,
        realm: str | None,
        username: str,
        password: str,
        code: str,
        address: str,
        now: datetime | None = None,
    ) -> LoginOutcome:
        """Both factors checked, the attempt counted and audited; a session when both match.

        ``realm`` None: the office named in the form is unknown (treated as a wrong login).
        """
        now = now or datetime.now(UTC)
        actor = f"address:{address}"
        with self.engine.begin() as conn:
            wait = self.throttle(conn, f"login:{address}")
            if wait:
                self.audit(conn, actor, "login.refused", realm, "throttled")
                return LoginOutcome(refusal=Refusal.THROTTLED, retry_after=wait)
            row = self._user_row(conn, realm, username) if realm is not None else None
            matches, new_hash = password_matches(password, row.password_hash if row else None)
            if row is None:
                self.audit(conn, actor, "login.refused", realm, "unknown user")
                return LoginOutcome(refusal=Refusal.WRONG)
            user = self._user(row)
            if user.locked(now):
                self.audit(conn, actor, "login.refused", realm, f"user={username} locked")
                return LoginOutcome(refusal=Refusal.LOCKED, retry_after=self._wait(user, now))
            step = (
                totp_step(row.totp_secret, code, now, self.policy.totp_window) if matches else None
            )
            replayed = (
                step is not None and row.last_totp_step is not None and step <= row.last_totp_step
            )
            if step is None or replayed:
                return self._failed(conn, row, now, actor, "replayed code" if replayed else "wrong")
            values = {
                "failed_attempts": 0,
                "locked_until": None,
                "last_totp_step": step,
                "last_login_at": now,
            }
            if new_hash:
                values["password_hash"] = new_hash
            conn.execute(
                update(self.tables.users).where(self.tables.users.c.id == row.id).values(**values)
            )
            token = secrets.token_urlsafe(32)
            conn.execute(
                insert(self.tables.sessions).values(
                    id=_session_id(token),
                    user_id=row.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen_at=now,
                )
            )
            self.audit(conn, self._actor(user), "login", realm, "ok")
        return LoginOutcome(token=token, user=user)

    def _failed(self, conn: Connection, row, now: datetime, actor: str, why: str) -> LoginOutcome:
        failures = row.failed_attempts + 1
        locked_until = (
            now + self.policy.lock_for if failures >= self.policy.failures_before_lock else None
        )
        conn.execute(
            update(self.tables.users)
            .where(self.tables.users.c.id == row.id)
            .values(failed_attempts=0 if locked_until else failures, locked_until=locked_until)
        )
        detail = f"user={row.username} {why} failures={failures}"
        self.audit(
            conn,
            actor,
            "login.refused",
            row.realm or None,
            detail + (" locked" if locked_until else ""),
        )
        if locked_until:
            return LoginOutcome(
                refusal=Refusal.LOCKED, retry_after=int(self.policy.lock_for.total_seconds())
            )
        return LoginOutcome(refusal=Refusal.WRONG)

    def session(self, token: str | None, now: datetime | None = None) -> WebSession | None:
        """The live session of a cookie's token; an expired one is deleted (idle or absolute)."""
        if not token or len(token) > 100:
            return None
        now = now or datetime.now(UTC)
        sessions, users = self.tables.sessions, self.tables.users
        session_id = _session_id(token)
        with self.engine.connect() as conn:
            found = conn.execute(
                select(
                    users,
                    sessions.c.csrf_token,
                    sessions.c.created_at.label("session_created"),
                    sessions.c.last_seen_at,
                )
                .join(sessions, users.c.id == sessions.c.user_id)
                .where(sessions.c.id == session_id)
            ).first()
        if found is None:
            return None
        created, seen = _utc(found.session_created), _utc(found.last_seen_at)
        if now - seen > self.policy.session_idle or now - created > self.policy.session_absolute:
            self.logout(token)
            return None
        if (now - seen).total_seconds() > 30:  # one write a half-minute is enough for idle expiry
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now)
                )
        return WebSession(self._user(found), found.csrf_token)

    def logout(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(self.tables.sessions).where(self.tables.sessions.c.id == _session_id(token))
            )

    def session_count(self, realm: str, username: str) -> int:
        """How many sessions the user has open (shown in the user list)."""
        sessions, users = self.tables.sessions, self.tables.users
        with self.engine.connect() as conn:
            return conn.scalar(
                select(func.count())
                .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
                .where(users.c.realm == realm, users.c.username == username)
            )

    # -- helpers -----------------------------------------------------------------------------

    def _user_row(self, conn: Connection, realm: str, username: str):
        users = self.tables.users
        return conn.execute(
            select(users).where(users.c.realm == realm, users.c.username == username)
        ).first()

    def _existing(self, conn: Connection, realm: str, username: str) -> LoginUser:
        row = self._user_row(conn, realm, username)
        if row is None:
            raise UnknownLogin(realm, username)
        return self._user(row)

    @staticmethod
    def _user(row) -> LoginUser:
        return LoginUser(
            id=row.id,
            realm=row.realm,
            username=row.username,
            display_name=row.display_name,
            created_at=_utc(row.created_at),
            last_login_at=_utc(row.last_login_at),
            locked_until=_utc(row.locked_until),
        )

    @staticmethod
    def _actor(user: LoginUser) -> str:
        return f"user:{user.realm}/{user.username}" if user.realm else f"user:{user.username}"

    @staticmethod
    def _wait(user: LoginUser, now: datetime) -> int:
        return max(1, int((user.locked_until - now).total_seconds()))
