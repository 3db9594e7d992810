"""The ministry's web app: ``create_app()`` for uvicorn (``kkod ministry serve``).

The operators' console (login with password and TOTP, :mod:`kkod.web.ministry.console`) and
the employers' status page (no login, :mod:`kkod.web.ministry.status`) on the shared web
frame (:mod:`kkod.web.shared.site`): security headers, CSRF, sessions in the request store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI

from kkod.config import Settings, get_settings
from kkod.hungarian import moment
from kkod.ministry import words
from kkod.web.ministry import console, status
from kkod.web.shared.accesslog import AccessLog
from kkod.web.shared.install import install_site
from kkod.web.shared.limits import BodySizeLimit
from kkod.web.shared.problems import install_problem_handlers
from kkod.web.shared.site import WebSite

REQUEST_THREADS = 4
TEMPLATES = Path(__file__).parent / "templates"
SITE_NAME = "Minisztériumi konzol"
# An upload carries a table and a declaration; the form's other fields are small.
FORM_OVERHEAD = 1024 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ministry's web app on the request store ``settings`` names (default: the environment's)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from kkod.central.service import open_central
        from kkod.ministry.operators import operator_logins
        from kkod.ministry.store import RequestStore

        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        store = await anyio.to_thread.run_sync(RequestStore.open, settings)
        app.state.store = store
        app.state.logins = operator_logins(store.engine, settings)
        app.state.central = None
        app.state.open_central = lambda: open_central(settings)
        try:
            yield
        finally:
            store.engine.dispose()

    app = FastAPI(
        title="kkod – minisztériumi konzol",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(status.router)
    app.include_router(console.router)
    install_problem_handlers(app)
    install_site(
        app,
        WebSite(
            app_name=SITE_NAME,
            home=console.HOME,
            nav=[("Kérelmek", console.HOME), ("Kérelem feltöltése", console.UPLOAD)],
            templates=TEMPLATES,
            session_cookie="kkod_konzol",
        ),
    )
    filters = app.state.site.env.filters
    filters["moment"] = moment  # Budapest time, as the terminal shows it
    filters.update(channel=words.channel, actor=words.actor, readable=words.readable)
    limit = settings.container_max_bytes + settings.declaration_max_bytes + FORM_OVERHEAD
    app.add_middleware(BodySizeLimit, max_bytes=limit)
    app.add_middleware(AccessLog)
    return app


def create_served_app() -> FastAPI:
    """The app as ``kkod ministry serve`` runs it: logging set up first."""
    import logging

    from kkod import logs

    logs.setup(console_level=logging.INFO)
    return create_app()
