"""Fixtures for the central registry: a migrated engine on each backend and a small registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from kkod.central.interface import MatchResult, OfficeInfo
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

# Each matching case of the registry below: (person, expected result), with a test id.
MATCHING_CASES = [
    pytest.param(KOVACS, MatchResult.KOD, id="one-account"),
    pytest.param(NAGYNE, MatchResult.KOD, id="married-name"),
    pytest.param(NO_ACCOUNT, MatchResult.NINCS_TALALAT, id="no-account"),
    pytest.param(CLOSED_ONLY, MatchResult.NINCS_TALALAT, id="closed-only"),
    pytest.param(TWO_ACCOUNTS, MatchResult.TOBB_TALALAT, id="two-accounts"),
    pytest.param(TWIN, MatchResult.TOBB_TALALAT, id="identical-4t"),
    pytest.param(UNKNOWN, MatchResult.NINCS_TALALAT, id="unknown"),
]

# The names and birth dates these people are sent to the central API with: no log line of
# the whole test run may hold one (tests/conftest.py checks). Places are left out: a route
# or a message may name a town for its own reasons.
FOURT_SENT = frozenset(
    value
    for person in (KOVACS, NAGYNE, NO_ACCOUNT, CLOSED_ONLY, TWO_ACCOUNTS, TWIN, UNKNOWN)
    for value in (
        person.viselt_nev,
        person.szuletesi_nev,
        person.anyja_szuletesi_neve,
        person.szuletesi_ido,
    )
)


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


API_KEY_SECRET = "22" * 32


@pytest.fixture
def api_settings(tmp_path, db_url):
    """Settings of a central API on the test registry (limits high: tests of limits lower them)."""
    from kkod.config import Settings

    return Settings(
        data_dir=tmp_path / "api-data",
        central_database_url=db_url,
        code_secret=SECRET.hex(),
        api_key_secret=API_KEY_SECRET,
        api_connect_per_minute=100_000,
        api_verify_per_minute=100_000,
        api_auth_failures_per_minute=100_000,
    )


def new_key(engine, krid: str | None = None, name: str = "teszt") -> str:
    """A fresh API key: an office's for ``krid``, else the ministry's."""
    from kkod.central.apikeys import KeyKind, create_key

    kind = KeyKind.OFFICE if krid else KeyKind.MINISTRY
    return create_key(engine, bytes.fromhex(API_KEY_SECRET), kind=kind, krid=krid, name=name).token


@pytest.fixture
def api_url(central, engine, api_settings) -> Iterator[str]:
    """The central API on the test registry, served on loopback by a real uvicorn."""
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    with serving(create_app(api_settings)) as url:
        yield url


@pytest.fixture
def http_central(api_url, engine) -> Iterator:
    """:class:`HttpCentral` with the ministry's key (the whole Central protocol, every office)."""
    from kkod.central.http_client import HttpCentral

    with HttpCentral(api_url, new_key(engine), retry_pauses=(0.05, 0.1)) as client:
        yield client


@pytest.fixture(params=["in_process", "http"])
def any_central(request, central):
    """The same contract test on both implementations of the Central protocol."""
    if request.param == "in_process":
        return central
    return request.getfixturevalue("http_central")
