"""The demo site of the shared web layer on a SQLite file of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kkod.db import make_engine
from kkod.logins.store import Logins, NewUser
from tests.web.shared.siteapp import demo_app, demo_logins


@pytest.fixture
def engine(db_url) -> Iterator:
    """The logins' database: SQLite and PostgreSQL (tests/conftest.py's ``db_url``)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def logins(engine) -> Logins:
    return demo_logins(engine)


@dataclass
class Site:
    url: str
    logins: Logins
    user: NewUser  # "kiss.anna" of realm "500100", office short name "PMHIV"


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    """The demo site served on loopback, on SQLite (its logins run on both backends above)."""
    from tests.apiserver import serving

    engine = make_engine(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    logins = demo_logins(engine)
    user = logins.add_user("500100", "kiss.anna", "Kiss Anna")
    with serving(demo_app(logins, {"PMHIV": "500100"})) as url:
        yield Site(url, logins, user)
    engine.dispose()
