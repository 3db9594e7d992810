"""Connect one person by 4T over the API: the result, the same code again, 422 by the validator's rules."""

from __future__ import annotations

import base64
from dataclasses import asdict, replace
from datetime import date

import pytest

from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult
from kkod.fourt.model import Person4T, Severity
from kkod.fourt.validation import check_person
from tests.central.conftest import (
    KOVACS,
    MATCHING_CASES,
    key,
)

from .conftest import OTHER_KRID


def _connect(api, person: Person4T, client=None):
    return (client or api.office).post(f"{api.office_path()}/connections", json=asdict(person))


@pytest.mark.parametrize(("person", "expected"), MATCHING_CASES)
def test_connect_one_gives_the_result_its_explanation_and_next_step(api, person, expected):
    response = _connect(api, person)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == expected.value
    assert body["explanation"] == EXPLANATION[expected]
    assert body["next_step"] == NEXT_STEP[expected]
    assert (body["code"] is not None) == (expected is MatchResult.KOD)


def test_the_same_4t_again_gives_the_same_code_written_any_way(api):
    first = _connect(api, KOVACS).json()["code"]
    written_otherwise = replace(
        KOVACS, viselt_nev="  dr. Kovács  Péter ", szuletesi_hely="Budapest XI. ker.",
        szuletesi_ido="1985-03-12",
    )  # fmt: skip
    again = _connect(api, written_otherwise).json()
    assert again["code"] == first
    assert {w["rule"] for w in again["warnings"]} >= {"W01", "W03"}  # reported, not refused
    by_key = api.office.post(
        f"{api.office_path()}/connections/by-match-key",
        json={"match_key": base64.b64encode(key(KOVACS)).decode()},
    )
    assert by_key.json()["code"] == first


def test_a_near_match_is_never_revealed(api):
    """One letter off from a registered person is simply no match: nothing hints at the other."""
    assert _connect(api, KOVACS).json()["result"] == "KOD"
    near = replace(KOVACS, anyja_szuletesi_neve="Szabó Márta")
    body = _connect(api, near).json()
    assert body["result"] == "NINCS_TALALAT" and body["code"] is None
    assert "Mária" not in str(body) and "Kovács" not in str(body)


INVALID = [
    Person4T("Kovács", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12"),
    Person4T("Kovács Péter", "Kovács Péterné", "Fekete Jánosné", "Budapest", "1985.02.30"),
    Person4T("", "Kovács Péter", "Szabó Mária", "Budapest 24", "2999.01.01"),
    Person4T("Kovács Pét3r", "Kovács Péter", "Szabó Mária", "Pécs", "1899.12.31"),
]


@pytest.mark.parametrize("person", INVALID, ids=["one-word", "married", "empty", "digit"])
def test_invalid_4t_is_422_naming_each_field_and_the_validators_rule(api, person):
    response = _connect(api, person)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation" and problem["status"] == 422
    fields = {name: name for name in Person4T.FIELDS}
    expected = {
        (f.column, f.rule)
        for f in check_person(1, person, columns=fields, today=date.today()).findings
        if f.severity is Severity.HIBA
    }
    assert {(e["field"], e["rule"]) for e in problem["errors"]} == expected
    assert all(e["message"] for e in problem["errors"])
    for field in ("viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve", "szuletesi_ido"):
        value = getattr(person, field)  # the values sent are not echoed
        assert not value or value not in response.text


def test_a_body_that_is_not_4t_is_422_naming_the_fields(api):
    response = api.office.post(
        f"{api.office_path()}/connections", json={"viselt_nev": "Kovács Péter", "ismeretlen": 1}
    )
    assert response.status_code == 422
    errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert ("szuletesi_nev", "missing") in errors and ("ismeretlen", "extra_forbidden") in errors
    broken = api.office.post(
        f"{api.office_path()}/connections",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["rule"] == "json_invalid"


def test_connect_by_match_key_takes_16_bytes_or_null(api):
    path = f"{api.office_path()}/connections/by-match-key"
    assert api.office.post(path, json={"match_key": None}).json()["result"] == "HIBAS_SOR"
    short = api.office.post(path, json={"match_key": base64.b64encode(b"rovid").decode()})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "match_key"


def test_only_the_office_itself_sends_4t(api):
    ministry = _connect(api, KOVACS, api.ministry)
    assert ministry.status_code == 403 and ministry.json()["type"] == "/problems/forbidden"
    other = api.other.post(f"{api.office_path()}/connections", json=asdict(KOVACS))
    assert other.status_code == 403
    assert (
        api.other.post(f"{api.office_path(OTHER_KRID)}/connections", json=asdict(KOVACS)).json()[
            "result"
        ]
        == "KOD"
    )


def test_the_busiest_routes_tell_the_key_then_the_office_then_the_body(api):
    """Connect-one (by 4T and by match key) and code verification check the key in their own
    thread (kkod.web.central.deps.key_holder); the answers are those of a key checked first."""
    office = api.office_path()
    bad_4t = asdict(replace(KOVACS, szuletesi_ido="2999.01.01"))
    short_key = {"match_key": base64.b64encode(b"rovid").decode()}
    requests = [
        (f"{office}/connections", asdict(KOVACS), bad_4t, {"viselt_nev": 1}),
        (f"{office}/connections/by-match-key", {"match_key": None}, short_key, {"x": 1}),
        (f"{office}/codes/verify", {"code": "ABCD-EFGH"}, None, {"kod": 1}),
    ]
    for path, good, refused_by_rules, refused_by_schema in requests:
        bodies = [b for b in (good, refused_by_rules, refused_by_schema) if b is not None]
        for body in bodies:  # a bad key: 401 whatever the body
            response = api.anonymous.post(path, json=body)
            assert response.status_code == 401, (path, body, response.text)
            assert response.json()["type"] == "/problems/unauthorized"
        assert api.office.post(path, json=refused_by_schema).status_code == 422
        if refused_by_rules is not None:
            assert api.office.post(path, json=refused_by_rules).status_code == 422
            # another office's key: 403 before the body's findings
            assert api.other.post(path, json=refused_by_rules).status_code == 403
        assert api.office.post(path, json=good).status_code == 200, path
