"""The browser of the page tests: Debian's Chromium driven by Playwright (never a downloaded
browser), an accessibility check with axe-core, and helpers for logging in with TOTP.

Other page tests use these through tests/web/conftest.py: the ``browser`` fixture (one
headless Chromium per test module), ``page`` (a fresh context per test, Hungarian locale),
:func:`assert_accessible` and :func:`log_in`. Servers come from :func:`tests.apiserver.serving`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What axe-core calls a violation that fails a test.
FAILING_IMPACTS = {"serious", "critical"}


# One browser per test module, not per process: while Playwright's sync API is open, its event
# loop counts as running in this thread, and a later test calling asyncio.run() (pyHanko signs
# that way) would fail in the same worker.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A page in a context of its own (cookies, storage) that no other test shares."""
    context = browser.new_context(locale="hu-HU", timezone_id="Europe/Budapest")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    failing = [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]
    assert not failing, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
        for v in failing
    )


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The TOTP code of now (or of a later 30-second step, still inside the accepted window:
    a code works only once, so a second login of the same user uses the next one)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def log_in(
    page,
    base_url: str,
    username: str,
    password: str,
    secret: str,
    *,
    realm: str | None = None,
    steps_ahead: int = 0,
) -> None:
    """Log in through the login page as a person would (``realm``: the office field, if any)."""
    page.goto(base_url + "/bejelentkezes")
    if realm is not None:
        page.locator("#realm").fill(realm)
    page.get_by_label("Felhasználónév").fill(username)
    page.get_by_label("Jelszó").fill(password)
    page.get_by_label("Hitelesítő kód").fill(totp_code(secret, steps_ahead))
    page.get_by_role("button", name="Bejelentkezés").click()
    page.wait_for_load_state()
