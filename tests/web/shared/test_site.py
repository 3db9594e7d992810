"""The shared pages over real HTTP: login, sessions, CSRF, security headers, errors as pages."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.browser import totp_code


def login_token(client: httpx.Client) -> str:
    page = client.get("/bejelentkezes")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def logged_in(site) -> httpx.Client:
    client = httpx.Client(base_url=site.url)
    answer = client.post(
        "/bejelentkezes",
        data={
            "csrf_token": login_token(client),
            "realm": "PMHIV",
            "username": "kiss.anna",
            "password": site.user.password,
            "code": totp_code(site.user.totp_secret),
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/feladat"
    return client


def form_token(client: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/feladat").text).group(1)


def test_every_page_carries_the_security_headers(site):
    answer = httpx.get(site.url + "/bejelentkezes")
    headers = answer.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert httpx.get(site.url + "/static/kkod.css").headers.get("cache-control") != "no-store"


def test_the_session_cookie_is_opaque_httponly_and_strict(site):
    client = logged_in(site)
    cookie = next(h for h in client.cookies.jar if h.name == "kkod_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite").lower() == "strict"
    assert "kiss" not in cookie.value and len(cookie.value) >= 40


def test_pages_need_a_login(site):
    answer = httpx.get(site.url + "/feladat")
    assert answer.status_code == 303 and answer.headers["location"] == "/bejelentkezes"


def test_a_form_without_the_sessions_token_is_refused(site):
    client = logged_in(site)
    refused = [
        client.post("/feladat", data={"note": "x"}),
        client.post("/feladat", data={"note": "x", "csrf_token": "hamis"}),
        client.post(
            "/feladat",
            data={"note": "x", "csrf_token": form_token(client)},
            headers={"Origin": "https://tamado.example"},
        ),
    ]
    assert [a.status_code for a in refused] == [403, 403, 403]
    assert "Az űrlapot nem fogadtuk el" in refused[0].text
    accepted = client.post("/feladat", data={"note": "<b>x</b>", "csrf_token": form_token(client)})
    assert accepted.status_code == 200 and "Elküldve: &lt;b&gt;x&lt;/b&gt;" in accepted.text


def test_the_login_form_needs_its_own_token(site):
    answer = httpx.post(
        site.url + "/bejelentkezes",
        data={
            "realm": "PMHIV",
            "username": "kiss.anna",
            "password": site.user.password,
            "code": totp_code(site.user.totp_secret),
        },
    )
    assert answer.status_code == 403 and "kkod_session" not in answer.cookies


def test_a_wrong_login_says_so_without_telling_which_part(site):
    client = httpx.Client(base_url=site.url)
    answer = client.post(
        "/bejelentkezes",
        data={
            "csrf_token": login_token(client),
            "realm": "PMHIV",
            "username": "kiss.anna",
            "password": "rossz jelszó",
            "code": "123456",
        },
    )
    assert answer.status_code == 200
    assert "A megadott adatokkal nem lehet bejelentkezni" in answer.text
    assert 'href="#username"' in answer.text and "kkod_session" not in client.cookies


def test_logging_out_ends_the_session(site):
    client = logged_in(site)
    answer = client.post("/kijelentkezes", data={"csrf_token": form_token(client)})
    assert answer.status_code == 303
    assert client.get("/feladat").status_code == 303
    assert site.logins.session_count("500100", "kiss.anna") == 0


@pytest.mark.parametrize("path", ["/nincs-ilyen", "/static/nincs.css"])
def test_an_unknown_page_is_a_page(site, path):
    answer = httpx.get(site.url + path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")


def test_an_unknown_api_address_stays_a_problem_document(site):
    answer = httpx.get(site.url + "/api/v1/nincs")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
