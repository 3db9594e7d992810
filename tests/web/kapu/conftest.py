"""The central system (API and pages) on the small test registry, served on loopback, with a
staff member of each of its two offices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kkod.logins.store import Logins, NewUser
from tests.central.conftest import (  # noqa: F401  (fixtures shared with the central tests)
    KRID,
    OTHER_KRID,
    api_settings,
    central,
    engine,
)


@pytest.fixture
def db_url(tmp_path) -> str:
    """The pages on SQLite only: the queries behind them run on both backends in tests/central."""
    return f"sqlite:///{tmp_path / 'central.sqlite3'}"


@dataclass
class Kapu:
    url: str
    engine: object
    central: object  # InProcessCentral on the same registry
    logins: Logins
    anna: NewUser  # kiss.anna of KRID ("PMHIV")
    bela: NewUser  # nagy.bela of OTHER_KRID ("MASIK")


@pytest.fixture
def kapu(central, engine, api_settings) -> Iterator[Kapu]:  # noqa: F811
    from kkod.central.staff import staff_logins
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    logins = staff_logins(engine, api_settings)
    anna = logins.add_user(KRID, "kiss.anna", "Kiss Anna")
    bela = logins.add_user(OTHER_KRID, "nagy.bela", "Nagy Béla")
    with serving(create_app(api_settings)) as url:
        yield Kapu(url, engine, central, logins, anna, bela)
