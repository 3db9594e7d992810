"""The status an employer sees: the acknowledgement with its link, the history of every
transition, the status page over a real server (HTML and JSON, 404, rate limit), and
``kkod employer status`` reading it."""

from __future__ import annotations

import email
import email.policy
import hashlib
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.exchange.status import find_link
from kkod.ministry.intake import approve_signature, ingest, reject_held_request
from kkod.ministry.models import ReplyKind, RequestStatus
from kkod.ministry.worker import Worker
from kkod.web.ministry.app import create_app
from tests.apiserver import serving

from .conftest import FOURT_VALUES, ORGANISATION, SENDER, STAFF

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def page(world) -> Iterator[str]:
    """The ministry's web app on the world's store, on loopback; the world's letters link to it."""
    settings = world.settings.model_copy(
        update={"ministry_database_url": str(world.store.engine.url), "status_views_per_minute": 50}
    )
    with serving(create_app(settings)) as url:
        world.settings = world.settings.model_copy(update={"status_base_url": url})
        yield url


def _ingest(world, raw=None):
    raw = raw if raw is not None else world.email()
    return ingest(
        raw, SENDER, store=world.store, central=world.central, settings=world.settings
    ).request


def _ack(world, request):
    ack = world.store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT)
    assert ack is not None
    return ack, email.message_from_bytes(ack.raw, policy=email.policy.default)


def _link(message) -> str:
    link = find_link(message.get_body(("plain",)).get_content())
    assert link is not None
    return link


def _json(link: str) -> dict:
    answer = httpx.get(link, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_accepted_request_is_acknowledged_with_a_link_whose_token_is_stored_only_hashed(
    world, page
):
    request = _ingest(world)
    assert request.status == RequestStatus.BEERKEZETT
    ack, message = _ack(world, request)
    assert ack.recipient == SENDER
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Kkod-Reference"] == request.reference
    assert "beérkezett" in message["Subject"] and request.reference in message["Subject"]
    assert ack.message_id != f"<{request.reference}.valasz@bm.gov.hu>"
    assert list(message.iter_attachments()) == []
    link = _link(message)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(page + "/allapot/") and len(token) >= 43
    stored = world.store.get(request.id)
    assert stored.status_token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(stored))
    # The answer (codes or rejection) is still the request's one reply: none yet.
    assert world.store.reply_of(request.id) is None


def test_the_page_follows_the_request_through_each_status_to_its_counts(world, page, mailbox):
    request = _ingest(world)
    link = _link(_ack(world, request)[1])
    assert [s["status"] for s in _json(link)["history"]] == ["beérkezett"]

    worker = Worker(world.store, world.central, world.settings, worker_id="w")
    seen: list[str] = []

    def progress(reference, stage, done, total):  # the page while the codes are made
        if not seen:
            seen.append(_json(link)["status"])

    worker.progress = progress
    worker.run_once()
    assert seen == ["feldolgozás alatt"]
    answer = _json(link)
    assert answer["status"] == "kész"
    assert [s["status"] for s in answer["history"]] == ["beérkezett", "feldolgozás alatt", "kész"]
    coded = sum(1 for _, _, accounts in STAFF if accounts == 1)
    assert answer["counts"]["rows"] == len(STAFF) and answer["counts"]["coded"] == coded
    assert answer["reason"] is None

    html = httpx.get(link)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.headers["cache-control"] == "no-store"
    assert html.headers["referrer-policy"] == "no-referrer"
    for text in (request.reference, "kész", "feldolgozás alatt", "Kapcsolati kód elkészült"):
        assert text in html.text
    # The employer's page names the procedure, never the console, and offers no way into it.
    assert "a kérelem állapota" in html.text and "konzol" not in html.text.lower()
    assert 'href="/kerelmek"' not in html.text
    # Nothing personal and nothing of the sender: no 4T value, no address, no organisation.
    for secret in (*FOURT_VALUES, SENDER, ORGANISATION):
        assert secret not in html.text and secret not in str(answer)
    # The acknowledgement and the codes reached the sender; the stored ack no longer holds the link.
    [answer] = mailbox.handler.wait_for(1)
    [acknowledged] = mailbox.handler.acknowledgements
    for delivered, label in ((acknowledged, "beérkezett"), (answer, "kész")):
        message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
        assert delivered.rcpt_tos == [SENDER] and label in message["Subject"]
    ack = world.store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT)
    assert ack.status == "sent" and ack.raw is None
    actions = [e.action for e in world.store.audit_of(request.id)]
    assert "visszaigazolás elküldve" in actions and "válasz elküldve" in actions


def test_a_hand_signed_request_waits_then_is_rejected_with_its_reason_on_the_page(world, page):
    raw = world.email(declaration=world.declaration(sign=False))
    request = _ingest(world, raw)
    assert request.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR
    _, message = _ack(world, request)
    assert "ellenőrzi az aláírást" in message.get_body(("plain",)).get_content()
    link = _link(message)
    assert _json(link)["status"] == "aláírás ellenőrzésre vár"
    reason = "A nyilatkozatot nem a szervezet vezetője írta alá; küldje el újra aláírva."
    reject_held_request(request.reference, reason, store=world.store, settings=world.settings)
    answer = _json(link)
    assert answer["status"] == "elutasítva" and answer["reason"] == reason
    assert [(s["status"], s["reason"]) for s in answer["history"]] == [
        ("aláírás ellenőrzésre vár", None),
        ("elutasítva", reason),
    ]
    assert reason in httpx.get(link).text


def test_an_approved_request_shows_the_approval_as_beerkezett(world, page):
    request = _ingest(world, world.email(declaration=world.declaration(sign=False)))
    link = _link(_ack(world, request)[1])
    approve_signature(request.reference, store=world.store, central=world.central, actor="teszt")
    assert [s["status"] for s in _json(link)["history"]] == [
        "aláírás ellenőrzésre vár",
        "beérkezett",
    ]


def test_a_rejected_or_repeated_request_gets_no_acknowledgement(world, page):
    rejected = _ingest(world, world.email(subject="Szia"))
    assert rejected.status in (RequestStatus.ELUTASITVA, RequestStatus.ATTEKINTESRE_VAR)
    assert world.store.reply_of(rejected.id, ReplyKind.ACKNOWLEDGEMENT) is None
    assert rejected.status_token_sha256 is None
    raw = world.email(message_id="<egyszer@pelda-kormanyhivatal.hu>")
    first = _ingest(world, raw)
    queued = world.store.pending_replies()
    again = _ingest(world, raw)
    assert again.id == first.id
    assert world.store.pending_replies() == queued  # one acknowledgement, not two


def test_an_unknown_or_malformed_token_is_a_plain_hungarian_404(world, page):
    request = _ingest(world)
    link = _link(_ack(world, request)[1])
    token = link.rsplit("/", 1)[1]
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (
        f"/allapot/{wrong}",
        "/allapot/x",
        "/allapot/%3Cscript%3E",
        "/allapot/" + "a" * 500,
    ):
        answer = httpx.get(page + path)
        assert answer.status_code == 404, path
        assert "Nincs ilyen kérelem" in answer.text and request.reference not in answer.text
        assert "<script>" not in answer.text
    answer = httpx.get(page + f"/allapot/{wrong}", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and "hivatkozáshoz" in answer.json()["detail"]


def test_views_are_limited_per_client(world):
    settings = world.settings.model_copy(
        update={"ministry_database_url": str(world.store.engine.url), "status_views_per_minute": 3}
    )
    with serving(create_app(settings)) as url:
        codes = [httpx.get(f"{url}/allapot/{'a' * 43}").status_code for _ in range(4)]
        last = httpx.get(f"{url}/allapot/{'a' * 43}")
    assert codes == [404, 404, 404, 429]
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    assert "Túl sok lekérdezés" in last.text


def test_employer_status_learns_the_link_once_then_answers_by_reference(world, page, tmp_path):
    request = _ingest(world)
    _, message = _ack(world, request)
    link = _link(message)
    runner = CliRunner()
    unknown = runner.invoke(app, ["employer", "status", request.reference])
    assert unknown.exit_code == 2
    assert "hivatkozását még nem adta meg" in unknown.output

    first = runner.invoke(app, ["employer", "status", link])
    assert first.exit_code == 0, first.output
    assert "megjegyezte" in first.output
    assert request.reference in first.output and "beérkezett" in first.output

    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    later = runner.invoke(app, ["employer", "status", request.reference.lower()])
    assert later.exit_code == 0, later.output
    assert "megjegyezte" not in later.output
    for text in ("kész", "feldolgozás alatt", "Előzmények", "Kapcsolati kód elkészült"):
        assert text in later.output
    every = runner.invoke(app, ["employer", "status"])  # every request the register knows
    assert every.exit_code == 0, every.output
    assert request.reference in every.output and "kész" in every.output
    coded = sum(1 for _, _, accounts in STAFF if accounts == 1)
    assert f"{coded} / {len(STAFF)}" in every.output


def test_employer_status_reads_the_acknowledgement_letter(world, page, tmp_path):
    request = _ingest(world)
    letter = tmp_path / "visszaigazolas.eml"
    letter.write_bytes(_ack(world, request)[0].raw)
    result = CliRunner().invoke(app, ["employer", "status", str(letter)])
    assert result.exit_code == 0, result.output
    assert request.reference in result.output

    not_ack = tmp_path / "level.eml"
    not_ack.write_bytes(world.email())
    refused = CliRunner().invoke(app, ["employer", "status", str(not_ack)])
    assert refused.exit_code == 2 and "nincs állapot-hivatkozás" in refused.output


def test_employer_status_says_when_the_ministry_does_not_know_the_link(world, page):
    result = CliRunner().invoke(app, ["employer", "status", f"{page}/allapot/{'b' * 43}"])
    assert result.exit_code == 1
    assert "nem ismeri ezt az állapot-hivatkozást" in result.output


def test_an_acknowledgements_message_id_is_told_from_other_messages():
    from kkod.ministry.acknowledgement import acknowledgement_message_id, is_acknowledgement

    ack = acknowledgement_message_id("KK-2026-000001", "Minisztérium <kapcsolatikod@bm.gov.hu>")
    assert ack == "<KK-2026-000001.atvetel@bm.gov.hu>" and is_acknowledgement(ack)
    assert not is_acknowledgement("<KK-2026-000001@bm.gov.hu>")
    assert not is_acknowledgement("<20261206.kkod.1@pelda-kormanyhivatal.hu>")
