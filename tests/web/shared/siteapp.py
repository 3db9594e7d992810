"""A small site on the shared web layer, as a party wires one: its own login tables, audit
and throttle in its own database, one page and one form."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Boolean, Column, Engine, Float, MetaData, String, Table, Text, insert

from kkod.central.ratelimit import Rate, throttle
from kkod.logins.policy import LoginPolicy
from kkod.logins.store import Logins
from kkod.logins.tables import login_tables
from kkod.web.shared.install import install_site
from kkod.web.shared.problems import install_problem_handlers
from kkod.web.shared.sessions import CheckedForm, SignedIn, text_field
from kkod.web.shared.site import WebSite, render

METADATA = MetaData()
TABLES = login_tables(METADATA, "demo")
AUDIT = Table(
    "demo_audit",
    METADATA,
    Column("actor", String(200)),
    Column("action", String(50)),
    Column("realm", String(32)),
    Column("detail", Text),
)
Table(  # the same shape as central_rate_limits
    "demo_rate_limits",
    METADATA,
    Column("bucket", String(200), primary_key=True),
    Column("tat", Float),
    Column("denied", Boolean),
)


def audit(conn, actor: str, action: str, realm: str | None, detail: str) -> None:
    conn.execute(insert(AUDIT).values(actor=actor, action=action, realm=realm, detail=detail))


def demo_logins(engine: Engine, attempts_per_minute: int = 1000, policy=None) -> Logins:
    METADATA.create_all(engine)
    return Logins(
        engine,
        TABLES,
        audit=audit,
        throttle=throttle(Rate(attempts_per_minute), table="demo_rate_limits"),
        issuer="kkod próba",
        policy=policy or LoginPolicy(),
    )


def demo_app(logins: Logins, offices: dict[str, str] | None = None) -> FastAPI:
    """``offices``: short name -> realm; without it the site has no realm field."""
    app = FastAPI()
    app.state.logins = logins
    install_problem_handlers(app)
    install_site(
        app,
        WebSite(
            app_name="Próbaoldal",
            home="/feladat",
            nav=[("Feladat", "/feladat")],
            templates=Path(__file__).parent / "templates",
            realm_label="Hivatali kapu rövid neve" if offices else None,
            resolve_realm=offices.get if offices else None,
        ),
    )

    @app.get("/feladat", response_class=HTMLResponse)
    def task(request: Request, session: SignedIn) -> HTMLResponse:
        return render(request, "task.html", title="Feladat", said=None)

    @app.post("/feladat", response_class=HTMLResponse)
    def task_done(request: Request, form: CheckedForm) -> HTMLResponse:
        return render(request, "task.html", title="Feladat", said=text_field(form, "note"))

    return app
