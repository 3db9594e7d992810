"""The workbench in the real Chromium, step by step: an export uploaded, its mapping fixed
on the page, the safe fixes in one click, suggestions accepted, typed and skipped, the
declarations compared side by side, the table downloaded — and axe-core finds no serious
or critical violation on any page."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkod.table.reader import read_table

from ..browser import assert_accessible

pytestmark = pytest.mark.slow

EXPORT = (
    "Törzsszám;Név;Születési név;Anyuka;Születési hely, idő;Beosztás\r\n"
    "HR-1;Kovacs Janos;;Szabó Mária;Debrecen, 1985-03-12;referens\r\n"
    "HR-2;Varga Éva;Varga  Éva;Fekete Ilona;Debrecn, 1972.11.02;ügyintéző\r\n"
    "HR-3;Tóth Béla;Tóth Béla;Molnar Erzsebet;Pécs, 1990.01.30;osztályvezető\r\n"
)
DECLARATIONS = (
    "Belső azonosító;Viselt név;Születési név;Anyja születési neve;Születési hely;Születési idő\n"
    "HR-1;Kovács János;Kovács János;Szabó Mária Ilona;Debrecen;1985.03.12\n"
    "HR-2;Varga Éva;Varga Éva;Fekete Ilona;Debrecen;1972.11.02\n"
    "HR-3;Tóth Béla;Tóth Béla;Molnár Erzsébet;Pécs;1990.01.30\n"
)


def test_from_export_to_download_in_the_browser(served, page, tmp_path):
    export = tmp_path / "dolgozok.csv"
    export.write_bytes(EXPORT.encode("cp1250"))
    declarations = tmp_path / "nyilatkozatok.csv"
    declarations.write_text(DECLARATIONS, encoding="utf-8")

    # Entering: the one-time address becomes a session; the token leaves the address.
    page.goto(served.entry)
    assert page.url == f"{served.base}/" and "t=" not in page.url
    assert page.locator("h1").inner_text() == "Feltöltés"
    assert_accessible(page)

    # Upload → the mapping, with the unknown column named.
    page.set_input_files("#fajl", str(export))
    page.get_by_role("button", name="Feltöltés").click()
    assert page.locator("h1").inner_text() == "Megfeleltetés"
    assert "„Anyuka” (D oszlop)" in page.locator("#problemak").inner_text()
    assert_accessible(page)
    page.select_option("#oszlop-3", "anyja_szuletesi_neve")
    page.get_by_role("button", name="Táblázat készítése").click()

    # The findings: the safe fixes in one click.
    assert page.locator("h1").inner_text() == "Ellenőrzés és döntések"
    assert_accessible(page)
    assert "Biztonságos javítások (1)" in page.locator("#biztonsagos").inner_text()
    page.get_by_role("button", name="Mind az 1 biztonságos javítás elfogadása").click()
    assert "Biztonságos javítások (0)" in page.locator("#biztonsagos").inner_text()

    # Suggestions: accept one, type one, skip one.
    page.get_by_role("button", name="D2: elfogad").click()
    page.fill("#sajat-H3", "Debrecen")
    page.locator("#cella-H3").get_by_role("button", name="Saját érték mentése").click()
    page.get_by_role("button", name="G4: kihagy").click()
    assert page.locator("#cella-G4").count() == 1  # skipped: still offered, unchanged

    # The declarations side by side; the declared value taken in one click.
    page.set_input_files("#nyilatkozat", str(declarations))
    page.get_by_role("button", name="Összevetés").click()
    x01 = page.locator("#cella-G2")
    assert "Szabó Mária Ilona" in x01.inner_text() and "Szabó Mária" in x01.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="G2: a nyilatkozat szerinti érték átvétele").click()

    # Download the table: only the decided cells changed.
    with page.expect_download() as download:
        page.get_by_role("link", name="Táblázat letöltése").click()
    saved = tmp_path / "letoltott.xlsx"
    download.value.save_as(saved)
    rows = {r.row: r for r in read_table(saved).rows}
    assert rows[2].text("D") == "Kovács János" and rows[2].text("I") == "1985.03.12"
    assert rows[2].text("G") == "Szabó Mária Ilona" and rows[3].text("H") == "Debrecen"
    assert rows[4].text("G") == "Molnar Erzsebet" and rows[2].text("B") == "HR-1"
    assert rows[3].text("F") == "Varga Éva"  # the safe fix
    assert [d.choice.value for d in served.bench.decisions] == [
        "elfogadva", "elfogadva", "saját érték", "kihagyva", "elfogadva",
    ]  # fmt: skip


def test_a_filled_table_goes_straight_to_the_findings(served, page, tmp_path):
    from ...tables import filled_table

    table = filled_table(
        tmp_path / "tabla.xlsx",
        [("HR-1", "Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest", "1985.03.12")],
    )
    page.goto(served.entry)
    page.set_input_files("#fajl", str(table))
    page.get_by_role("button", name="Feltöltés").click()
    assert page.locator("h1").inner_text() == "Ellenőrzés és döntések"
    assert "E05" in page.locator("#tobbi-tabla").inner_text()
    assert_accessible(page)


def test_a_file_that_is_no_export_is_told_on_the_page(served, page, tmp_path):
    pdf = tmp_path / "export.csv"
    pdf.write_bytes(b"%PDF-1.7\n\x00\x01")
    page.goto(served.entry)
    page.set_input_files("#fajl", str(pdf))
    page.get_by_role("button", name="Feltöltés").click()
    assert "PDF" in page.locator(".error-summary").inner_text()
    assert_accessible(page)


def test_without_the_start_address_nothing_opens(served, page):
    page.goto(f"{served.base}/ellenorzes")
    assert page.locator("h1").inner_text() == "Belépés szükséges"
    page.goto(f"{served.base}/belepes?t=rossz")
    assert "Érvénytelen" in page.content()


def test_a_form_without_its_csrf_token_is_refused(served):
    import httpx

    with httpx.Client(base_url=served.base) as client:
        client.get(f"/belepes?t={served.access.token}")
        assert client.get("/").status_code == 200
        refused = client.post("/biztonsagos", data={"csrf_token": "nem-ez"})
        assert refused.status_code == 403 and "Az űrlapot nem fogadtuk el" in refused.text
        other_host = client.get("/", headers={"host": "tamado.example:80"})
        assert other_host.status_code == 400


def test_the_security_headers(served):
    import httpx

    with httpx.Client(base_url=served.base) as client:
        answer = client.get(f"/belepes?t={served.access.token}", follow_redirects=True)
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    cookie = answer.history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_the_register_with_its_leftovers_connected_one_by_one(served_register, page):
    page.goto(served_register.entry)
    page.get_by_role("link", name="Nyilvántartás").click()
    assert page.locator("h1").inner_text() == "Nyilvántartás"
    assert_accessible(page)
    leftovers = page.locator("#maradek-tabla")
    assert "HR-002" in leftovers.inner_text() and "HR-001" not in leftovers.inner_text()
    # HR-002 has one account in the central system: connected, its code stored and shown.
    page.get_by_role("button", name="Kapcsolat létrehozása: HR-002").click()
    assert "HR-002: a kapcsolat létrejött, a kód:" in page.get_by_role("status").inner_text()
    assert "HR-002" not in page.locator("#maradek-tabla").inner_text()
    # HR-003 has two: the reason and the next step, never a code.
    page.get_by_role("button", name="Kapcsolat létrehozása: HR-003").click()
    assert "kkod employer edit HR-003 --kapcsolati-kod" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    # The export for the document-management system.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export az iratkezelő rendszernek (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("belso_azonosito;") and "HR-002" in text


def test_logging_out_ends_the_session(served, page):
    page.goto(served.entry)
    page.get_by_role("button", name="Kijelentkezés").click()
    assert page.locator("h1").inner_text() == "Kijelentkezett"
    page.goto(f"{served.base}/ellenorzes")
    assert page.locator("h1").inner_text() == "Belépés szükséges"
