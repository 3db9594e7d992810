"""Registry upkeep: add and list offices, add a person with accounts, close an account, audit.

Used by the ``kkod central`` commands and by tests that need a small, exact registry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update

from kkod.central.interface import OfficeInfo
from kkod.central.models import Account, AuditEntry, Office, Person, utcnow
from kkod.errors import KkodError
from kkod.fourt.canonical import canonical
from kkod.fourt.model import Person4T

_KRID_RE = re.compile(r"^\d{1,32}$")


class RegistryError(KkodError):
    """A registry change that cannot be made (duplicate KRID, unreadable 4T, …)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An Ügyfélkapu account to create with a person."""

    username: str
    email: str
    active: bool = True


def office_info(office) -> OfficeInfo:
    """An :class:`OfficeInfo` of an ``Office`` or a row selected from its table."""
    return OfficeInfo(
        krid=office.krid,
        short_name=office.short_name,
        name=office.name,
        email_domains=tuple(office.email_domains or ()),
        organisation_id=office.organisation_id,
    )


def add_office(engine: Engine, info: OfficeInfo, *, actor: str = "system") -> OfficeInfo:
    """Register a Hivatali kapu; the KRID must be numeric and new."""
    krid = info.krid.strip()
    if not _KRID_RE.match(krid):
        raise RegistryError(f"A KRID csak számjegyekből állhat: „{info.krid}”.")
    if not info.short_name.strip() or not info.name.strip():
        raise RegistryError("A hivatali kapu rövid neve és teljes neve nem lehet üres.")
    domains = tuple(d.strip().lower().lstrip("@") for d in info.email_domains if d.strip())
    with engine.begin() as conn:
        if conn.scalar(select(Office.id).where(Office.krid == krid)) is not None:
            raise RegistryError(f"Már van hivatali kapu ezzel a KRID-del: {krid}.")
        conn.execute(
            Office.__table__.insert().values(
                krid=krid,
                short_name=info.short_name.strip(),
                name=info.name.strip(),
                email_domains=list(domains),
                organisation_id=(info.organisation_id or "").strip() or None,
                created_at=utcnow(),
            )
        )
        audit(conn, actor, "office_add", krid, f"short_name={info.short_name.strip()}")
    return OfficeInfo(
        krid, info.short_name.strip(), info.name.strip(), domains, info.organisation_id
    )


def list_offices(engine: Engine) -> list[OfficeInfo]:
    with engine.connect() as conn:
        rows = conn.execute(select(Office).order_by(Office.krid)).all()
    return [office_info(row) for row in rows]


def add_person(
    engine: Engine, person: Person4T, accounts: Sequence[NewAccount] = (), *, actor: str = "system"
) -> int:
    """Register a person (the 4T as given, plus its match key) with accounts; returns the person id."""
    form = canonical(person)
    if form is None:
        raise RegistryError("A személy 4T adatai hiányosak vagy a születési idő érvénytelen.")
    born = form.szuletesi_ido
    with engine.begin() as conn:
        person_id = conn.execute(
            Person.__table__.insert().values(
                viselt_nev=person.viselt_nev,
                szuletesi_nev=person.szuletesi_nev,
                anyja_szuletesi_neve=person.anyja_szuletesi_neve,
                szuletesi_hely=person.szuletesi_hely,
                szuletesi_ido=born,
                match_key=form.match_key(),
            )
        ).inserted_primary_key[0]
        for account in accounts:
            conn.execute(
                Account.__table__.insert().values(
                    person_id=person_id,
                    username=account.username,
                    email=account.email,
                    active=account.active,
                )
            )
        audit(conn, actor, "person_add", None, f"person={person_id} accounts={len(accounts)}")
    return int(person_id)


def set_account_active(
    engine: Engine, username: str, active: bool, *, actor: str = "system"
) -> None:
    """Close (or reopen) an account."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(Account).where(Account.username == username).values(active=active)
        ).rowcount
        if not changed:
            raise RegistryError(f"Nincs ilyen Ügyfélkapu-fiók: {username}.")
        audit(
            conn, actor, "account_open" if active else "account_close", None, f"username={username}"
        )


_AUDIT = AuditEntry.__table__.insert()  # built once: the API writes one entry per request


def audit(conn: Connection, actor: str, action: str, krid: str | None, detail: str = "") -> None:
    """One audit entry; ``detail`` holds counts and references, never 4T values."""
    conn.execute(
        _AUDIT, {"at": utcnow(), "actor": actor, "action": action, "krid": krid, "detail": detail}
    )
