"""The ministry's web app on a real request store and registry, served on loopback, with one
operator; the world of the ministry tests (tables, declarations, a recording SMTP server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from kkod.logins.store import NewUser
from kkod.ministry.operators import REALM, operator_logins
from tests.ministry.conftest import mailbox, pki, world  # noqa: F401  (fixtures)
from tests.web.browser import totp_code


@dataclass
class Console:
    url: str
    world: object
    operator: NewUser  # "nagy.peter"

    def client(self, steps_ahead: int = 0) -> httpx.Client:
        """An httpx client logged in as the operator (a TOTP code works once: ``steps_ahead``)."""
        client = httpx.Client(base_url=self.url, timeout=60)
        page = client.get("/bejelentkezes")
        answer = client.post(
            "/bejelentkezes",
            data={
                "csrf_token": token_in(page.text),
                "username": "nagy.peter",
                "password": self.operator.password,
                "code": totp_code(self.operator.totp_secret, steps_ahead),
            },
        )
        assert answer.status_code == 303, answer.text
        return client


def token_in(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def console(world) -> Iterator[Console]:  # noqa: F811  (the fixture imported above)
    from kkod.web.ministry.app import create_app
    from tests.apiserver import serving

    settings = world.settings.model_copy(
        update={
            "ministry_database_url": str(world.store.engine.url),
            "central_database_url": f"sqlite:///{world.folder / 'central.sqlite3'}",
            "status_views_per_minute": 1000,
            "web_login_attempts_per_minute": 1000,
        }
    )
    operator = operator_logins(world.store.engine, settings).add_user(
        REALM, "nagy.peter", "Nagy Péter"
    )
    app = create_app(settings)
    with serving(app) as url:
        # The acknowledgements' links point at this server (its port is known only now).
        world.settings = world.settings.model_copy(update={"status_base_url": url})
        app.state.settings = app.state.settings.model_copy(update={"status_base_url": url})
        yield Console(url, world, operator)
