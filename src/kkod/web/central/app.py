"""The central system's ASGI app: the API under ``/api/v1`` and the Hivatali kapu pages
(:mod:`kkod.web.central.pages`); ``create_app()`` for uvicorn (``kkod central serve``) or any server.

``uvicorn --factory kkod.web.central.app:create_app`` works as well; the settings come from
the ``KKOD_*`` environment. Documentation pages (Swagger UI, ReDoc) are served from local
files: they work with no internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from kkod.config import Settings, get_settings
from kkod.web.central import pages
from kkod.web.central.context import CentralContext
from kkod.web.central.pages import hivatali_kapu_site
from kkod.web.central.routes import codes, connections, documents, health, keys, matches
from kkod.web.shared.accesslog import AccessLog
from kkod.web.shared.install import install_site
from kkod.web.shared.limits import BodySizeLimit
from kkod.web.shared.problems import KINDS, install_problem_handlers, problem_openapi

API_PREFIX = "/api/v1"
# Threads for the blocking work of requests. A few are enough (the work is short database
# transactions, one writer at a time on SQLite); many only compete for the GIL and stretch
# the slowest answers.
REQUEST_THREADS = 4

DESCRIPTION = """
A központi rendszer (KR) gépi interfésze: ezen kapcsolódik a hivatali kapu
dokumentumkezelő (iratkezelő) rendszerének modulja, és ezen éri el a minisztérium
feldolgozója a nyilvántartást.

**Hitelesítés:** minden `/api/v1` kérés `Authorization: Bearer kkod_…` fejlécet visz. A
hivatali kapu kulcsa csak a saját hivatali kapujára jogosít; a minisztérium kulcsa a
tömeges egyeztetésre és az egyeztetési kulcsos műveletekre minden hivatali kapunál.

**Hibák:** RFC 9457 szerinti `application/problem+json`, magyar `title` és `detail`, a hiba
fajtáját állandó `type` azonosítja; érvénytelen adatoknál az `errors` lista mezőnként
megnevezi a mezőt és a szabályt.

**Személyes adat** (4T) csak a kérés törzsében utazhat, soha nem a címben.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The central API on the registry ``settings`` (default: the environment's) names."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        context = await anyio.to_thread.run_sync(CentralContext.open, settings)
        app.state.central = context
        app.state.logins = context.logins
        try:
            yield
        finally:
            context.close()

    app = FastAPIOffline(
        title="kkod – központi rendszer API",
        version="1",
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=f"{API_PREFIX}/redoc",
        static_url=f"{API_PREFIX}/docs/static",
        swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0},
        lifespan=lifespan,
    )
    app.state.settings = settings
    for module in (health, keys, connections, codes, documents, matches):
        app.include_router(module.router)
    install_problem_handlers(app)
    install_site(app, hivatali_kapu_site(app))
    app.include_router(pages.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(AccessLog)

    @app.get("/problems/{slug}", include_in_schema=False)
    async def problem_type(slug: str) -> JSONResponse:
        """The page of a problem type: what it means, in Hungarian."""
        kind = KINDS.get(slug)
        if kind is None:
            return JSONResponse({"detail": "Nincs ilyen hibafajta."}, status_code=404)
        return JSONResponse(
            {
                "type": kind.type,
                "status": kind.status,
                "title": kind.title,
                "description": kind.description,
            }
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = problem_openapi(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def create_served_app() -> FastAPI:
    """The app as ``kkod central serve`` runs it in each server process: logging set up first."""
    import logging

    from kkod import logs

    logs.setup(console_level=logging.INFO)
    return create_app()
