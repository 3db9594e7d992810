"""Keys of the central system's HTTP API: made, listed, revoked, and checked on every request.

A key is ``kkod_<key id>_<secret>``: the key id (16 hex digits) is public and names the key
in lists and the audit trail; the secret (256 random bits) is shown once, when the key is
made, and only its HMAC-SHA256 under the server's API key secret is stored. An **office key**
belongs to exactly one office; the **ministry key** is for the ministry's worker: bulk
match-and-issue and look-ups by match key for every office, and nothing that takes 4T.
See ``docs/adr/0006-central-api-keys-and-rate-limits.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, select, text, update

from kkod.central.models import ApiKey, Office, utcnow
from kkod.central.registry import RegistryError, audit
from kkod.errors import KkodError

PREFIX = "kkod"
_TOKEN_RE = re.compile(r"kkod_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_TOKEN_LENGTH = len(PREFIX) + 1 + 16 + 1 + 43
# What a malformed or unknown key is checked against, so that it costs what a real one does.
_DUMMY_KEY_ID = "0" * 16
_DUMMY_SECRET = "0" * 43
_DUMMY_HASH = bytes(32)
# Every request runs it: a plain statement, nothing to build per call.
_KEY_BY_ID = text(
    "SELECT k.secret_hash, k.revoked_at, k.kind, k.office_id, o.krid FROM central_api_keys k "
    "LEFT JOIN central_offices o ON o.id = k.office_id WHERE k.key_id = :key_id"
)


class KeyKind(StrEnum):
    """Whose key it is."""

    OFFICE = "office"  # one Hivatali kapu
    MINISTRY = "ministry"  # the ministry's worker: bulk, by match key, every office


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A key as lists show it: never its secret."""

    key_id: str
    kind: KeyKind
    krid: str | None  # the office of an office key
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: ``token`` is what the caller sends, shown this once and stored nowhere."""

    info: ApiKeyInfo
    token: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request comes from, once its key is checked."""

    key_id: str
    kind: KeyKind
    office_id: int | None  # an office key's office
    krid: str | None

    @property
    def actor(self) -> str:
        """How the audit trail names the caller."""
        return f"apikey:{self.key_id}"


class UnknownKey(KkodError):
    """No key with this key id."""

    exit_code = 2


def hash_secret(pepper: bytes, secret: str) -> bytes:
    """The stored form of a key's secret part."""
    return hmac.new(pepper, secret.encode("ascii"), hashlib.sha256).digest()


def create_key(
    engine: Engine,
    pepper: bytes,
    *,
    kind: KeyKind,
    krid: str | None = None,
    name: str = "",
    actor: str = "system",
) -> IssuedKey:
    """A new key: an office key for the office ``krid``, or a ministry key (no ``krid``)."""
    name = name.strip()
    if len(name) > 200:
        raise RegistryError("A kulcs neve legfeljebb 200 karakter lehet.")
    if (kind is KeyKind.OFFICE) != bool(krid and krid.strip()):
        raise RegistryError(
            "Hivatali kapu kulcsához meg kell adni a KRID-et; a minisztérium kulcsához nem."
        )
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        office_id = None
        if krid is not None:
            krid = krid.strip()
            office_id = conn.scalar(select(Office.id).where(Office.krid == krid))
            if office_id is None:
                raise RegistryError(f"Nincs ilyen hivatali kapu (KRID): {krid}.")
        conn.execute(
            ApiKey.__table__.insert().values(
                key_id=key_id,
                kind=str(kind),
                office_id=office_id,
                name=name,
                secret_hash=hash_secret(pepper, secret),
                created_at=now,
            )
        )
        audit(conn, actor, "api_key_create", krid, f"key={key_id} kind={kind}")
    info = ApiKeyInfo(key_id, kind, krid, name, now, None)
    return IssuedKey(info, f"{PREFIX}_{key_id}_{secret}")


def list_keys(engine: Engine, krid: str | None = None) -> list[ApiKeyInfo]:
    """Every key (or one office's), oldest first; secrets are never read."""
    query = (
        select(
            ApiKey.key_id,
            ApiKey.kind,
            Office.krid,
            ApiKey.name,
            ApiKey.created_at,
            ApiKey.revoked_at,
        )
        .outerjoin(Office, Office.id == ApiKey.office_id)
        .order_by(ApiKey.id)
    )
    if krid is not None:
        query = query.where(Office.krid == krid.strip())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [ApiKeyInfo(r[0], KeyKind(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def revoke_key(engine: Engine, key_id: str, *, actor: str = "system") -> ApiKeyInfo:
    """Revoke a key at once (every server process checks the database on every request)."""
    key_id = key_id.strip().lower()
    with engine.begin() as conn:
        changed = conn.execute(
            update(ApiKey)
            .where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        exists = conn.scalar(select(ApiKey.id).where(ApiKey.key_id == key_id))
        if exists is None:
            raise UnknownKey(
                f"Nincs ilyen API-kulcs: {key_id}. A kulcsok: kkod central office key list."
            )
        if changed:
            audit(conn, actor, "api_key_revoke", None, f"key={key_id}")
    return next(k for k in list_keys(engine) if k.key_id == key_id)


def authenticate(conn: Connection, pepper: bytes, token: str | None) -> Principal | None:
    """The key's holder, or ``None`` for a malformed, unknown or revoked key.

    Every outcome takes the same steps (one indexed look-up, one HMAC, one constant-time
    comparison), so the time taken does not tell a near-miss from a wild guess.
    """
    match = _TOKEN_RE.fullmatch(token) if token and len(token) == _TOKEN_LENGTH else None
    key_id, secret = (match[1], match[2]) if match else (_DUMMY_KEY_ID, _DUMMY_SECRET)
    row = conn.execute(_KEY_BY_ID, {"key_id": key_id}).first()
    stored = bytes(row[0]) if row is not None else _DUMMY_HASH
    same = hmac.compare_digest(hash_secret(pepper, secret), stored)
    if not (same and match is not None and row is not None and row[1] is None):
        return None
    return Principal(key_id, KeyKind(row[2]), row[3], row[4])
