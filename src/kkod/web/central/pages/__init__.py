"""The Hivatali kapu pages: office staff connect a person by 4T, list their office's
connections and verify a code, on the shared web frame (docs/web.md).

Every page takes the office from the signed-in user (a user's realm is its office's KRID),
never from the request: one office's staff never reach another's data.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from kkod.web.central.pages import connect, connections, verify
from kkod.web.central.pages.office import resolve_office
from kkod.web.shared.site import WebSite

HOME = "/kapcsolat"

router = APIRouter(include_in_schema=False)
for _module in (connect, connections, verify):
    router.include_router(_module.router)


def hivatali_kapu_site(app: FastAPI) -> WebSite:
    return WebSite(
        app_name="Hivatali kapu – kapcsolati kódok",
        home=HOME,
        nav=[
            ("Kapcsolat létrehozása", HOME),
            ("Kapcsolatok", connections.PATH),
            ("Kód ellenőrzése", verify.PATH),
        ],
        templates=Path(__file__).parent.parent / "templates",
        realm_label="Hivatali kapu",
        realm_hint="A hivatali kapu rövid neve (pl. PMHIV) vagy KRID-je.",
        resolve_realm=lambda text: resolve_office(app.state.central, text),
        csp_exempt=("/api/v1/docs", "/api/v1/redoc"),
        session_cookie="kkod_kapu",
    )
