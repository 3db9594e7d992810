"""The shared pages in a real browser: logging in with TOTP, errors linked to fields, keyboard
use, and axe-core finding no serious or critical violation."""

from __future__ import annotations

from tests.web.browser import assert_accessible, log_in


def test_logging_in_with_totp_and_out_again(site, page):
    page.goto(site.url + "/feladat")
    assert page.url.endswith("/bejelentkezes")
    assert_accessible(page)
    log_in(page, site.url, "kiss.anna", site.user.password, site.user.totp_secret, realm="PMHIV")
    assert page.url.endswith("/feladat")
    assert page.get_by_text("Kiss Anna").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Kijelentkezés").click()
    page.wait_for_url("**/bejelentkezes")
    page.goto(site.url + "/feladat")
    assert page.url.endswith("/bejelentkezes")


def test_missing_fields_are_listed_at_the_top_and_linked(site, page):
    page.goto(site.url + "/bejelentkezes")
    page.get_by_role("button", name="Bejelentkezés").click()
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    assert summary.evaluate("node => node === document.activeElement")
    assert_accessible(page)
    summary.get_by_role("link", name="Adja meg a jelszavát.").click()
    assert page.evaluate("document.activeElement.id") == "password"


def test_the_login_form_works_with_the_keyboard_alone(site, page):
    page.goto(site.url + "/bejelentkezes")
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.textContent") == "Ugrás a tartalomra"
    page.locator("#realm").focus()
    page.keyboard.type("PMHIV")
    page.keyboard.press("Tab")
    page.keyboard.type("kiss.anna")
    page.keyboard.press("Tab")
    page.keyboard.type(site.user.password)
    page.keyboard.press("Tab")
    from tests.web.browser import totp_code

    page.keyboard.type(totp_code(site.user.totp_secret))
    page.keyboard.press("Enter")
    page.wait_for_url("**/feladat")
    page.locator("#note").focus()
    page.keyboard.type("billentyűzetről")
    page.keyboard.press("Enter")
    assert page.locator("#said").inner_text() == "Elküldve: billentyűzetről"
