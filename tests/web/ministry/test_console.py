"""The console over real HTTP: login required, the requests listed, searched and paged, one
request's details, an upload through the same intake, resend and decisions audited, forms
without the session's CSRF token refused, nothing personal in any URL."""

from __future__ import annotations

import re

import httpx

from kkod.ministry.intake import ingest
from kkod.ministry.models import ReplyKind, RequestStatus
from kkod.ministry.worker import Worker
from tests.ministry.conftest import FOURT_VALUES, ORGANISATION, SENDER

from .conftest import token_in


def _ingest(world, raw=None):
    raw = raw if raw is not None else world.email()
    return ingest(
        raw, SENDER, store=world.store, central=world.central, settings=world.settings
    ).request


def test_every_console_page_needs_an_operators_login(console):
    request = _ingest(console.world)
    for path in ("/kerelmek", f"/kerelmek/{request.reference}", "/feltoltes",
                 f"/kerelmek/{request.reference}/jelentes"):  # fmt: skip
        answer = httpx.get(console.url + path)
        assert answer.status_code == 303 and answer.headers["location"] == "/bejelentkezes", path
    refused = httpx.post(console.url + f"/kerelmek/{request.reference}/ujrakuldes")
    assert refused.status_code in (303, 403)
    assert console.world.store.reply_of(request.id) is None


def test_the_requests_are_listed_searched_filtered_and_a_request_shown(console):
    world = console.world
    accepted = _ingest(world)
    rejected = _ingest(world, world.email(subject="Szia", message_id="<masik@pelda.hu>"))
    client = console.client()
    listed = client.get("/kerelmek")
    assert listed.status_code == 200
    assert accepted.reference in listed.text and rejected.reference in listed.text
    assert "2 kérelem" in listed.text
    only = client.get("/kerelmek", params={"allapot": "beérkezett"}).text
    assert accepted.reference in only and rejected.reference not in only
    searched = client.get("/kerelmek", params={"kereses": ORGANISATION[:10]}).text
    assert accepted.reference in searched and rejected.reference not in searched
    shown = client.get(f"/kerelmek/{accepted.reference}")
    assert shown.status_code == 200
    for text in ("beérkezett", SENDER, "Visszaigazolás", "küldésre vár", "Napló", "e-mail-fogadó"):
        assert text in shown.text, text
    assert client.get("/kerelmek/KK-1999-999999").status_code == 404
    assert client.get("/kerelmek/nem-hivatkozas").status_code == 404
    page = client.get(f"/kerelmek/{accepted.reference}").text
    assert not any(value in page for value in FOURT_VALUES)  # the table stays in the store


def test_an_upload_goes_through_the_same_intake_and_is_acknowledged(console):
    world = console.world
    client = console.client()
    form = client.get("/feltoltes")
    files = {
        "table": ("kapcsolati_kod_tabla.xlsx", world.table.read_bytes()),
        "declaration": ("nyilatkozat.pdf", world.declaration()),
    }
    answer = client.post(
        "/feltoltes",
        data={"csrf_token": token_in(form.text), "sender": SENDER},
        files=files,
    )
    assert answer.status_code == 303
    reference = answer.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"KK-\d{4}-\d{6}", reference)  # the redirect carries no personal data
    request = world.store.get(reference)
    assert request.status == RequestStatus.BEERKEZETT and request.channel == "upload"
    assert world.store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT) is not None
    assert any("nagy.peter" in e.actor for e in world.store.audit_of(request.id))
    # The same files again: the same request (the intake's dedupe), no second acknowledgement.
    again = client.post(
        "/feltoltes",
        data={"csrf_token": token_in(client.get("/feltoltes").text), "sender": SENDER},
        files=files,
    )
    assert again.headers["location"].endswith(reference)
    # A form with a file missing and no address: both named, nothing stored.
    empty = client.post("/feltoltes", data={"csrf_token": token_in(client.get("/feltoltes").text)})
    assert empty.status_code == 400
    assert "Válassza ki a nyilatkozatot" in empty.text and "e-mail-címét" in empty.text
    assert len(world.store.list()) == 1


def test_a_bad_upload_is_rejected_with_its_reason_shown(console):
    world = console.world
    client = console.client()
    answer = client.post(
        "/feltoltes",
        data={"csrf_token": token_in(client.get("/feltoltes").text), "sender": SENDER},
        files={
            "table": ("tabla.xlsx", b"nem tablazat"),
            "declaration": ("nyilatkozat.pdf", world.declaration()),
        },
        follow_redirects=True,
    )
    assert answer.status_code == 200
    [request] = world.store.list()
    assert request.status == RequestStatus.ELUTASITVA
    assert "elutasítva" in answer.text and request.reason.split()[0] in answer.text


def test_resend_and_decisions_are_audited_and_need_the_sessions_token(console, mailbox):
    world = console.world
    request = _ingest(world)
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    [first] = mailbox.handler.wait_for(1)
    client = console.client()
    page = client.get(f"/kerelmek/{request.reference}").text
    assert "A jelentés letöltése" in page
    report = client.get(f"/kerelmek/{request.reference}/jelentes")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    forged = [
        client.post(f"/kerelmek/{request.reference}/ujrakuldes"),
        client.post(f"/kerelmek/{request.reference}/ujrakuldes", data={"csrf_token": "hamis"}),
        client.post(
            f"/kerelmek/{request.reference}/ujrakuldes",
            data={"csrf_token": token_in(page)},
            headers={"Origin": "https://tamado.example"},
        ),
    ]
    assert [a.status_code for a in forged] == [403, 403, 403]
    assert world.store.reply_of(request.id).status == "sent"
    done = client.post(
        f"/kerelmek/{request.reference}/ujrakuldes", data={"csrf_token": token_in(page)}
    )
    assert done.status_code == 200 and "újra elküldi" in done.text
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    _, second = mailbox.handler.wait_for(2)
    assert second.raw == first.raw
    [event] = [e for e in world.store.audit_of(request.id) if e.action == "válasz újraküldése"]
    assert event.actor == "kezelő (nagy.peter)"


def test_a_hand_signed_declaration_is_approved_or_rejected_with_a_reason(console):
    world = console.world
    waiting = _ingest(world, world.email(declaration=world.declaration(sign=False)))
    other = _ingest(
        world,
        world.email(declaration=world.declaration(sign=False), message_id="<masodik@pelda.hu>"),
    )
    client = console.client()
    page = client.get(f"/kerelmek/{waiting.reference}").text
    assert "Jóváhagyás" in page and "Elutasítás" in page
    approved = client.post(
        f"/kerelmek/{waiting.reference}/jovahagyas", data={"csrf_token": token_in(page)}
    )
    assert approved.status_code == 200 and "Jóváhagyva" in approved.text
    assert world.store.get(waiting.id).status == RequestStatus.BEERKEZETT
    page = client.get(f"/kerelmek/{other.reference}").text
    no_reason = client.post(
        f"/kerelmek/{other.reference}/elutasitas", data={"csrf_token": token_in(page)}
    )
    assert no_reason.status_code == 400 and "Adja meg az elutasítás okát" in no_reason.text
    reason = "A nyilatkozatot nem a szervezet vezetője írta alá."
    rejected = client.post(
        f"/kerelmek/{other.reference}/elutasitas",
        data={"csrf_token": token_in(page), "reason": reason, "reply": "igen"},
    )
    assert rejected.status_code == 200 and "Elutasítva" in rejected.text
    stored = world.store.get(other.id)
    assert stored.status == RequestStatus.ELUTASITVA and stored.reason == reason
    assert world.store.reply_of(other.id).kind == "rejection"
    actions = {(e.action, e.actor) for e in world.store.audit_of(other.id)}
    assert ("elutasítva", "kezelő (nagy.peter)") in actions
