"""The workbench served for real (uvicorn on 127.0.0.1, in a thread) and Debian's Chromium
driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from kkod.employer.workbench import Workbench
from kkod.web.employer.access import Access, loopback_hosts
from kkod.web.employer.app import create_app

from ...mail.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@dataclass
class Served:
    base: str
    access: Access
    bench: Workbench

    @property
    def entry(self) -> str:
        return f"{self.base}/belepes?t={self.access.token}"


class _Server(uvicorn.Server):
    """A uvicorn server that says when it listens (an event, not a sleep)."""

    def __init__(self, config: uvicorn.Config, started: threading.Event) -> None:
        super().__init__(config)
        self.listening = started

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    port = free_port()
    folder = tmp_path / "munkapad"
    folder.mkdir()
    bench = Workbench(folder, "kiss.anna")
    access = Access(loopback_hosts(port))
    started = threading.Event()
    config = uvicorn.Config(create_app(bench, access), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)  # fmt: skip
    server = _Server(config, started)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert started.wait(60), "the workbench did not start"
    yield Served(f"http://127.0.0.1:{port}", access, bench)
    server.should_exit = True
    thread.join(60)


@pytest.fixture
def page(tmp_path) -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run scripts/test-tools.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="hu-HU")
        yield context.new_page()
        context.close()
        browser.close()
