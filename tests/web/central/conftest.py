"""The central API on a small real registry, served on loopback; keys of two offices and the ministry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.central.conftest import (  # noqa: F401  (fixtures shared with the central tests)
    KRID,
    OTHER_KRID,
    api_settings,
    api_url,
    central,
    engine,
    new_key,
)


@dataclass
class Api:
    url: str
    engine: object
    office: httpx.Client  # KRID's key
    other: httpx.Client  # OTHER_KRID's key
    ministry: httpx.Client
    anonymous: httpx.Client

    def office_path(self, krid: str = KRID) -> str:
        return f"/api/v1/offices/{krid}"


@pytest.fixture
def api(api_url, engine) -> Iterator[Api]:  # noqa: F811  (the fixtures imported above)
    def client(token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=api_url, headers=headers, timeout=30)

    clients = [
        client(new_key(engine, KRID, "Példa DMS")),
        client(new_key(engine, OTHER_KRID, "Másik DMS")),
        client(new_key(engine, None, "BM feldolgozó")),
        client(None),
    ]
    try:
        yield Api(api_url, engine, *clients)
    finally:
        for c in clients:
            c.close()
