"""Fixtures for the central registry: a migrated engine on each backend and a small registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from kkod.central.interface import OfficeInfo
from kkod.central.registry import NewAccount, add_office, add_person
from kkod.central.service import InProcessCentral
from kkod.db import make_engine, migrate
from kkod.fourt.canonical import canonical
from kkod.fourt.model import Person4T

SECRET = bytes.fromhex("11" * 32)
KRID = "500100"
OTHER_KRID = "500200"

KOVACS = Person4T("Kovács Péter", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12")
NAGYNE = Person4T("Nagy Jánosné", "Tóth Éva", "Horváth Ilona", "Debrecen", "1962.07.01")
NO_ACCOUNT = Person4T("Kiss Gábor", "Kiss Gábor", "Varga Anna", "Szeged", "1990.01.30")
CLOSED_ONLY = Person4T("Farkas Zoltán", "Farkas Zoltán", "Balogh Erzsébet", "Pécs", "1977.11.05")
TWO_ACCOUNTS = Person4T("Molnár Katalin", "Molnár Katalin", "Lakatos Judit", "Győr", "1999.02.28")
TWIN = Person4T("Takács László", "Takács László", "Juhász Margit", "Miskolc", "1958.05.17")
UNKNOWN = Person4T("Papp Ferenc", "Papp Ferenc", "Mészáros Rózsa", "Eger", "1970.09.09")


def key(person: Person4T) -> bytes:
    form = canonical(person)
    assert form is not None
    return form.match_key()


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine, "central")
    yield engine
    engine.dispose()


@pytest.fixture
def central(engine) -> InProcessCentral:
    """Two offices and one person of each matching case."""
    add_office(
        engine,
        OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal", ("pelda.gov.hu",), "VATHU-15000000"),
    )
    add_office(engine, OfficeInfo(OTHER_KRID, "MASIK", "Másik Hivatal"))
    add_person(engine, KOVACS, [NewAccount("kovacs.peter", "kovacs.peter@example.hu")])
    add_person(engine, NAGYNE, [NewAccount("nagy.eva", "nagy.eva@example.hu")])
    add_person(engine, NO_ACCOUNT)
    add_person(engine, CLOSED_ONLY, [NewAccount("farkas.z", "fz@example.hu", active=False)])
    add_person(
        engine,
        TWO_ACCOUNTS,
        [NewAccount("molnar.k1", "mk1@example.hu"), NewAccount("molnar.k2", "mk2@example.hu")],
    )
    add_person(engine, TWIN, [NewAccount("takacs.l1", "tl1@example.hu")])
    add_person(engine, TWIN, [NewAccount("takacs.l2", "tl2@example.hu")])
    return InProcessCentral(engine, SECRET, key_id=1)
