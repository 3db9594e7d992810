"""The Hivatali kapu pages end to end in Debian's Chromium: log in with TOTP, connect one
person (a code, or the reason), check the fields first, list and download the office's
connections, verify a code — each page checked with axe-core."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select, update

from kkod.central.interface import MatchResult
from kkod.central.models import Connection
from tests.central.conftest import KOVACS, KRID, OTHER_KRID, TWO_ACCOUNTS, key
from tests.web.browser import assert_accessible, log_in

FIELD_IDS = (
    "viselt_nev",
    "szuletesi_nev",
    "anyja_szuletesi_neve",
    "szuletesi_hely",
    "szuletesi_ido",
)


def anna_logs_in(kapu, page) -> None:
    log_in(page, kapu.url, "kiss.anna", kapu.anna.password, kapu.anna.totp_secret, realm="PMHIV")
    assert page.url.endswith("/kapcsolat")


def fill(page, person) -> None:
    for field_id, value in zip(FIELD_IDS, (person.viselt_nev, person.szuletesi_nev,
                                           person.anyja_szuletesi_neve, person.szuletesi_hely,
                                           person.szuletesi_ido), strict=True):  # fmt: skip
        page.locator(f"#{field_id}").fill(str(value))


def test_connecting_one_person_gives_their_code(kapu, page):
    anna_logs_in(kapu, page)
    assert_accessible(page)
    fill(page, KOVACS)
    page.get_by_role("button", name="Kapcsolat létrehozása").click()
    code = page.locator("#code").inner_text()
    assert kapu.central.connect_one(KRID, key(KOVACS)).code == code  # the same 4T, the same code
    assert page.url == kapu.url + "/kapcsolat"  # 4T went in the body; the answer is the POST's
    assert_accessible(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=kapu.url)
    page.get_by_role("button", name="Kód másolása").click()  # shown: JavaScript enhances
    page.get_by_text("Vágólapra másolva.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == code
    with kapu.engine.connect() as conn:
        via = conn.scalar(select(Connection.via).where(Connection.code == code.replace("-", "")))
    assert via == "web"


def test_a_person_with_two_accounts_gets_the_reason_and_the_next_step(kapu, page):
    anna_logs_in(kapu, page)
    fill(page, TWO_ACCOUNTS)
    page.get_by_role("button", name="Kapcsolat létrehozása").click()
    assert page.get_by_role("heading", name="Nincs kapcsolati kód").is_visible()
    assert page.get_by_text("Több találat").is_visible()
    assert page.get_by_text("Tisztázza a foglalkoztatottal").is_visible()
    assert page.locator("#code").count() == 0
    assert kapu.central.connect_one(KRID, key(TWO_ACCOUNTS)).result is MatchResult.TOBB_TALALAT
    assert_accessible(page)


def test_the_check_shows_each_fields_findings_before_anything_is_sent(kapu, page):
    anna_logs_in(kapu, page)
    fill(page, KOVACS)
    page.locator("#szuletesi_hely").fill("Budapest XI. ker.")
    page.locator("#szuletesi_ido").fill("1985.13.45")
    page.get_by_role("button", name="Ellenőrzés").click()
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "szuletesi_ido"
    assert "Budapest 11" in page.locator("#szuletesi_hely-note-1").inner_text()
    assert page.locator("#szuletesi_hely").input_value() == "Budapest XI. ker."  # kept as typed
    with kapu.engine.connect() as conn:
        assert conn.scalar(select(Connection.id)) is None  # nothing was connected

    page.locator("#szuletesi_ido").fill(str(KOVACS.szuletesi_ido))
    page.get_by_role("button", name="Ellenőrzés").click()
    assert page.get_by_text("Az adatok megfelelnek a szabályoknak").is_visible()


def test_the_connect_form_can_be_completed_with_the_keyboard_alone(kapu, page):
    anna_logs_in(kapu, page)
    page.locator("#viselt_nev").focus()
    values = (KOVACS.viselt_nev, KOVACS.szuletesi_nev, KOVACS.anyja_szuletesi_neve,
              KOVACS.szuletesi_hely, str(KOVACS.szuletesi_ido))  # fmt: skip
    for value in values:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Ellenőrzés"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Kapcsolat létrehozása"
    page.keyboard.press("Enter")
    page.locator("#code").wait_for()
    assert page.locator("#code").inner_text() == kapu.central.connect_one(KRID, key(KOVACS)).code


def test_the_offices_connections_searched_paged_and_downloaded(kapu, page):
    code = kapu.central.connect_one(KRID, key(KOVACS)).code
    other = kapu.central.connect_one(OTHER_KRID, key(KOVACS)).code
    with kapu.engine.begin() as conn:  # a reference a spreadsheet would read as a formula
        conn.execute(update(Connection).values(reference='=HYPERLINK("http://x")'))
    anna_logs_in(kapu, page)
    page.get_by_role("link", name="Kapcsolatok").click()
    table = page.get_by_role("table")
    assert code in table.inner_text() and other not in table.inner_text()
    assert "egyenként" in table.inner_text()
    assert_accessible(page)
    page.locator("#kod").fill(code[5:12].lower())
    page.get_by_role("button", name="Keresés").click()
    assert "1 találat" in page.locator("main").inner_text()
    page.locator("#kod").fill("ZZZZ")
    page.get_by_role("button", name="Keresés").click()
    assert page.get_by_role("table").count() == 0

    page.goto(kapu.url + "/kapcsolatok")
    with page.expect_download() as download:
        page.get_by_role("link", name="Letöltés CSV-fájlként").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kapcsolati kód" and [r[0] for r in rows[1:]] == [code]
    assert rows[1][3] == '\'=HYPERLINK("http://x")'


def test_a_code_verified(kapu, page):
    mine = kapu.central.connect_one(KRID, key(KOVACS)).code
    theirs = kapu.central.connect_one(OTHER_KRID, key(KOVACS)).code
    anna_logs_in(kapu, page)
    page.get_by_role("link", name="Kód ellenőrzése").click()
    assert_accessible(page)
    page.get_by_label("Kapcsolati kód").fill(mine.replace("-", " ").lower())
    page.get_by_role("button", name="Ellenőrzés").click()
    assert page.get_by_role("heading", name="A kód érvényes").is_visible()
    assert_accessible(page)
    page.get_by_label("Kapcsolati kód").fill(theirs)
    page.get_by_role("button", name="Ellenőrzés").click()
    assert page.get_by_role("heading", name="A kód nem ennek a hivatali kapunak").is_visible()
    page.get_by_label("Kapcsolati kód").fill(mine[:-1] + ("0" if mine[-1] != "0" else "1"))
    page.get_by_role("button", name="Ellenőrzés").click()
    assert "ellenőrző jele nem stimmel" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
