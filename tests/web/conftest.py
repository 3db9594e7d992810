"""Fixtures of every page test: the browser (tests/web/browser.py)."""

from tests.web.browser import browser, page  # noqa: F401  (fixtures)
