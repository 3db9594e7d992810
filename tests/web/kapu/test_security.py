"""The Hivatali kapu pages' security: another site's form refused, each office sees only its
own, 4T never in a URL or a log line, pages not cached, sessions ended by logout or removal."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from kkod.central.models import Connection
from tests.apiserver import serving
from tests.central.conftest import KOVACS, KRID, OTHER_KRID, key
from tests.web.browser import log_in, totp_code
from tests.web.kapu.test_pages import anna_logs_in


def connections_made(kapu) -> int:
    with kapu.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Connection))


def attacker_site(target: str) -> FastAPI:
    """Another origin whose page posts a connect form to the Hivatali kapu."""
    app = FastAPI()
    fields = "".join(
        f'<input name="{name}" value="{value}">'
        for name, value in (
            ("viselt_nev", KOVACS.viselt_nev),
            ("szuletesi_nev", KOVACS.szuletesi_nev),
            ("anyja_szuletesi_neve", KOVACS.anyja_szuletesi_neve),
            ("szuletesi_hely", KOVACS.szuletesi_hely),
            ("szuletesi_ido", KOVACS.szuletesi_ido),
            ("action", "connect"),
        )
    )

    @app.get("/", response_class=HTMLResponse)
    def bait() -> str:
        return (
            f'<html lang="hu"><body><form method="post" action="{target}/kapcsolat">{fields}'
            '<input name="csrf_token" value="kitalalt"><button>Nyeremény</button></form></body></html>'
        )

    return app


def test_a_form_posted_from_another_site_is_refused(kapu, page):
    anna_logs_in(kapu, page)
    with serving(attacker_site(kapu.url)) as evil:
        page.goto(evil)
        page.get_by_role("button", name="Nyeremény").click()
        page.wait_for_load_state()
    # Another port of 127.0.0.1 is the same site: the browser sends the strict cookie, and
    # the missing token (and Sec-Fetch-Site: same-site) refuse the form.
    assert page.get_by_role("heading", name="Az űrlapot nem fogadtuk el").is_visible()
    assert connections_made(kapu) == 0


def test_a_form_without_the_sessions_token_is_refused(kapu):
    client = httpx.Client(base_url=kapu.url)
    page = client.get("/bejelentkezes").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        "/bejelentkezes",
        data={"csrf_token": token, "realm": "PMHIV", "username": "kiss.anna",
              "password": kapu.anna.password, "code": totp_code(kapu.anna.totp_secret)},
    )  # fmt: skip
    assert client.get("/kapcsolat").status_code == 200
    form = {"viselt_nev": KOVACS.viselt_nev, "szuletesi_nev": KOVACS.szuletesi_nev,
            "anyja_szuletesi_neve": KOVACS.anyja_szuletesi_neve,
            "szuletesi_hely": KOVACS.szuletesi_hely, "szuletesi_ido": KOVACS.szuletesi_ido,
            "action": "connect"}  # fmt: skip
    assert client.post("/kapcsolat", data=form).status_code == 403
    assert client.post("/kapcsolat", data={**form, "csrf_token": token}).status_code == 403
    assert connections_made(kapu) == 0


def test_each_office_sees_only_its_own(kapu, page):
    annas = kapu.central.connect_one(KRID, key(KOVACS)).code
    log_in(page, kapu.url, "nagy.bela", kapu.bela.password, kapu.bela.totp_secret, realm="MASIK")
    assert page.url.endswith("/kapcsolat")
    page.goto(kapu.url + "/kapcsolatok")
    assert "Összesen 0 kapcsolat" in page.locator("main").inner_text()
    page.goto(kapu.url + f"/kapcsolatok?kod={annas}")
    assert page.get_by_role("table").count() == 0
    with page.expect_download() as download:
        page.goto(kapu.url + "/kapcsolatok")
        page.get_by_role("link", name="Letöltés CSV-fájlként").click()
    assert annas.encode() not in Path(download.value.path()).read_bytes()
    page.goto(kapu.url + "/kod-ellenorzes")
    page.get_by_label("Kapcsolati kód").fill(annas)
    page.get_by_role("button", name="Ellenőrzés").click()
    assert page.get_by_role("heading", name="A kód nem ennek a hivatali kapunak").is_visible()
    # Béla's connect lands in his own office, never in Anna's.
    page.goto(kapu.url + "/kapcsolat")
    for field_id, value in (("viselt_nev", KOVACS.viselt_nev), ("szuletesi_nev", KOVACS.szuletesi_nev),
                            ("anyja_szuletesi_neve", KOVACS.anyja_szuletesi_neve),
                            ("szuletesi_hely", KOVACS.szuletesi_hely),
                            ("szuletesi_ido", KOVACS.szuletesi_ido)):  # fmt: skip
        page.locator(f"#{field_id}").fill(value)
    page.get_by_role("button", name="Kapcsolat létrehozása").click()
    assert (
        page.locator("#code").inner_text() == kapu.central.connect_one(OTHER_KRID, key(KOVACS)).code
    )
    assert page.locator("#code").inner_text() != annas


def test_a_user_logs_in_only_at_their_own_office(kapu, page):
    log_in(page, kapu.url, "kiss.anna", kapu.anna.password, kapu.anna.totp_secret, realm="MASIK")
    assert page.url.endswith("/bejelentkezes")
    assert "nem lehet bejelentkezni" in page.get_by_role("alert").inner_text()


def test_4t_stays_out_of_urls_history_and_caches(kapu, page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    anna_logs_in(kapu, page)
    page.locator("#viselt_nev").fill(KOVACS.viselt_nev)
    page.get_by_role("button", name="Ellenőrzés").click()
    response = page.request.get(kapu.url + "/kapcsolat")
    assert response.headers["cache-control"] == "no-store"
    assert not [url for url in seen if "Kov" in url or "1985" in url]


def test_removing_a_user_ends_their_session_at_once(kapu, page):
    anna_logs_in(kapu, page)
    kapu.logins.remove_user(KRID, "kiss.anna")
    page.goto(kapu.url + "/kapcsolatok")
    assert page.url.endswith("/bejelentkezes")
