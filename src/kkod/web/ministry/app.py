"""The ministry's web app: ``create_app()`` for uvicorn (``kkod ministry serve``).

Serves the employers' status page (:mod:`kkod.web.ministry.status`); the operators' console
pages join it on the shared web frame.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from kkod.config import Settings, get_settings
from kkod.web.accesslog import AccessLog
from kkod.web.ministry import status

REQUEST_THREADS = 4


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ministry's web app on the request store ``settings`` names (default: the environment's)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from kkod.ministry.store import RequestStore

        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        store = await anyio.to_thread.run_sync(RequestStore.open, settings)
        app.state.store = store
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
    app.state.status_rate = None
    app.include_router(status.router)
    app.add_middleware(AccessLog)
    return app


def create_served_app() -> FastAPI:
    """The app as ``kkod ministry serve`` runs it: logging set up first."""
    import logging

    from kkod import logs

    logs.setup(console_level=logging.INFO)
    return create_app()
