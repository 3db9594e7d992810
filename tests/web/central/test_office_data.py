"""Codes, connections and documents over the API, and office isolation over many codes."""

from __future__ import annotations

import base64
from dataclasses import asdict

from sqlalchemy import select

from kkod.central.delivery import document_content, inbox
from kkod.central.models import AuditEntry
from kkod.central.registry import NewAccount, add_person, set_account_active
from kkod.fourt.model import Person4T
from tests.central.conftest import KOVACS, NAGYNE

from .conftest import KRID, OTHER_KRID

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _code(api, person=KOVACS, client=None, krid=KRID) -> str:
    response = (client or api.office).post(
        f"{api.office_path(krid)}/connections", json=asdict(person)
    )
    return response.json()["code"]


def _document(
    code: str, data: bytes = "Próbadokumentum a kapcsolat ellenőrzésére.".encode(), **overrides
):
    return {
        "code": code,
        "filename": "proba.txt",
        "content_type": "text/plain",
        "content_base64": base64.b64encode(data).decode(),
        **overrides,
    }


def test_verify_a_code(api):
    code = _code(api)
    verify = f"{api.office_path()}/codes/verify"
    assert api.office.post(verify, json={"code": code}).json() == {
        "valid": True, "connected": True, "code": code,
    }  # fmt: skip
    typed = api.office.post(verify, json={"code": code.lower().replace("-", "")}).json()
    assert typed["connected"] and typed["code"] == code
    wrong = api.office.post(verify, json={"code": code[:-1] + ("0" if code[-1] != "0" else "1")})
    assert wrong.json() == {"valid": False, "connected": False, "code": None}
    set_account_active(api.engine, "kovacs.peter", False)
    assert api.office.post(verify, json={"code": code}).json()["connected"] is False


def test_connections_are_listed_a_page_at_a_time_since_a_cursor(api):
    codes = [_code(api, KOVACS), _code(api, NAGYNE)]
    for n in range(5):
        person = Person4T(
            f"Lapozó Ilona{'s' * n}", "Lapozó Ilona", "Varga Anna", "Eger", "1980.01.01"
        )
        add_person(api.engine, person, [NewAccount(f"lapozo{n}", f"l{n}@example.hu")])
        codes.append(_code(api, person))
    _code(api, KOVACS, api.other, OTHER_KRID)  # another office's connection: never listed
    seen, after = [], 0
    while True:
        page = api.office.get(
            f"{api.office_path()}/connections", params={"after": after, "limit": 3}
        ).json()
        seen += page["items"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert [item["code"] for item in seen] == codes
    assert all(item["active"] and item["via"] == "api" for item in seen)
    assert all(item["created_at"].endswith(("Z", "+00:00")) for item in seen)


def test_a_test_document_lands_in_the_accounts_storage(api):
    code = _code(api)
    text = "Próbadokumentum a kapcsolat ellenőrzésére.".encode()
    sent = api.office.post(f"{api.office_path()}/documents", json=_document(code, text))
    assert sent.status_code == 201, sent.text
    pdf = api.office.post(
        f"{api.office_path()}/documents",
        json=_document(code, PDF, filename="igazolas.pdf", content_type="application/pdf"),
    )
    assert pdf.status_code == 201
    arrived = inbox(api.engine, "kovacs.peter")
    assert [(e.filename, e.content_type, e.sender_krid) for e in arrived] == [
        ("proba.txt", "text/plain", KRID),
        ("igazolas.pdf", "application/pdf", KRID),
    ]
    assert arrived[0].sha256 == sent.json()["sha256"]
    assert document_content(api.engine, "kovacs.peter", arrived[1].document_id) == PDF
    assert inbox(api.engine, "nagy.eva") == []


def test_documents_are_checked_for_type_size_and_content(api, api_settings):
    code = _code(api)
    path = f"{api.office_path()}/documents"
    cases = {
        "exe": (_document(code, b"MZ\x90\x00", content_type="application/x-msdownload"), 422, "content_type"),
        "fake-pdf": (_document(code, b"not a pdf", content_type="application/pdf"), 422, "content"),
        "not-utf8": (_document(code, "ő".encode("iso8859_2")), 422, "content"),
        "path": (_document(code, filename="../../etc/passwd"), 422, "filename"),
        "base64": (_document(code) | {"content_base64": "@@@"}, 422, "content_base64"),
        "empty": (_document(code, b""), 422, "content"),
    }  # fmt: skip
    for name, (body, status, field) in cases.items():
        response = api.office.post(path, json=body)
        assert response.status_code == status, name
        assert response.json()["errors"][0]["field"] == field, name
    too_big = bytes(api_settings.api_max_document_bytes + 1)
    large = api.office.post(
        path, json=_document(code, b"%PDF-" + too_big, content_type="application/pdf")
    )
    assert large.status_code == 413 and large.json()["type"] == "/problems/document-too-large"
    assert inbox(api.engine, "kovacs.peter") == []


def test_a_closed_account_takes_no_document(api):
    code = _code(api)
    set_account_active(api.engine, "kovacs.peter", False)
    response = api.office.post(f"{api.office_path()}/documents", json=_document(code))
    assert response.status_code == 409 and response.json()["type"] == "/problems/account-closed"


def test_another_offices_codes_are_refused_every_time(api):
    """Office A's key on office B's codes, connections and documents: never anything of B's."""
    people = [
        Person4T(
            f"Elkülönített Ágnes{'a' * n}", "Elkülönített Ágnes", "Kiss Mária", "Vác", "1975.05.05"
        )
        for n in range(40)
    ]
    theirs = []
    for n, person in enumerate(people):
        add_person(api.engine, person, [NewAccount(f"elkulonitett{n}", f"e{n}@example.hu")])
        theirs.append(_code(api, person, api.other, OTHER_KRID))
    assert len(set(theirs)) == len(theirs)
    for code in theirs:
        verified = api.office.post(f"{api.office_path()}/codes/verify", json={"code": code})
        assert verified.json() == {"valid": True, "connected": False, "code": code}
        delivered = api.office.post(f"{api.office_path()}/documents", json=_document(code))
        assert delivered.status_code == 404
        assert delivered.json()["type"] == "/problems/not-connected"
        for attempt in (
            api.office.post(f"{api.office_path(OTHER_KRID)}/codes/verify", json={"code": code}),
            api.office.post(f"{api.office_path(OTHER_KRID)}/documents", json=_document(code)),
        ):
            assert attempt.status_code == 403
    assert api.office.get(f"{api.office_path()}/connections").json()["items"] == []
    assert api.office.get(f"{api.office_path(OTHER_KRID)}/connections").status_code == 403
    assert api.office.get(f"{api.office_path(OTHER_KRID)}").status_code == 403
    assert all(inbox(api.engine, f"elkulonitett{n}") == [] for n in range(len(people)))


def test_every_call_is_audited_with_office_key_action_and_result_never_4t(api):
    key_id = api.office.get("/api/v1/me").json()["key_id"]
    code = _code(api)
    api.office.post(f"{api.office_path()}/codes/verify", json={"code": code})
    api.office.post(f"{api.office_path()}/documents", json=_document(code))
    api.office.post(f"{api.office_path()}/connections", json={"viselt_nev": "Hibás"})
    api.office.get(f"{api.office_path(OTHER_KRID)}/connections")
    with api.engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.action, AuditEntry.krid, AuditEntry.detail)
            .where(AuditEntry.actor == f"apikey:{key_id}")
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.krid) for e in entries] == [
        ("api.me", KRID),
        ("api.connect_person", KRID),
        ("api.verify_code", KRID),
        ("api.deliver_document", KRID),
        ("api.connect_person", KRID),
        ("api.list_connections", KRID),
    ]
    details = [e.detail for e in entries]
    assert details[1] == "result=KOD" and details[4] == "status=422" and details[5] == "status=403"
    text = " ".join(details)
    for value in ("Kovács", "Szabó", "1985", "Budapest", "Hibás", code):
        assert value not in text
