"""The console and the status page in Debian's Chromium: an operator logs in with TOTP, uploads
a request, the worker answers it (the reply reaches a loopback SMTP server), and the employer's
status page follows it through each status; axe-core finds no serious or critical violation
on any page."""

from __future__ import annotations

from kkod.exchange.status import find_link
from kkod.ministry.intake import ingest
from kkod.ministry.models import ReplyKind
from kkod.ministry.worker import Worker
from tests.ministry.conftest import SENDER
from tests.web.browser import assert_accessible, log_in


def _outside_the_browsers_loop(make):
    """``make()`` in a thread of its own: pyHanko runs asyncio, Playwright's loop runs here."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def _status_link(world, request) -> str:
    import email
    import email.policy

    ack = world.store.reply_of(request.id, ReplyKind.ACKNOWLEDGEMENT)
    message = email.message_from_bytes(ack.raw, policy=email.policy.default)
    return find_link(message.get_body(("plain",)).get_content())


def test_an_operator_uploads_a_request_and_the_employer_follows_it(console, page, mailbox):
    world = console.world
    page.goto(console.url + "/kerelmek")
    assert page.url.endswith("/bejelentkezes")
    assert_accessible(page)
    log_in(page, console.url, "nagy.peter", console.operator.password, console.operator.totp_secret)
    assert page.url.endswith("/kerelmek")
    assert page.get_by_text("Nagy Péter").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Kérelem feltöltése").click()
    page.wait_for_url("**/feltoltes")
    assert_accessible(page)
    page.get_by_role("button", name="Feltöltés és ellenőrzés").click()  # nothing given yet
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    declaration = world.folder / "nyilatkozat.pdf"
    declaration.write_bytes(_outside_the_browsers_loop(world.declaration))
    page.get_by_label("Kapcsolati kód adattáblázat (.xlsx)").set_input_files(str(world.table))
    page.get_by_label("Munkáltatói nyilatkozat (PDF)").set_input_files(str(declaration))
    page.get_by_label("A kérelmező e-mail-címe (ide megy a válasz)").fill(SENDER)
    page.get_by_role("button", name="Feltöltés és ellenőrzés").click()
    page.wait_for_url("**/kerelmek/KK-*")
    assert page.locator("#status").inner_text() == "beérkezett"
    assert_accessible(page)
    [request] = world.store.list()

    status = page.context.new_page()  # the employer, with the link from the acknowledgement
    status.goto(_status_link(world, request))
    assert "beérkezett" in status.locator("main").inner_text()
    assert_accessible(status)

    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    [reply] = mailbox.handler.wait_for(1)
    assert reply.rcpt_tos == [SENDER]
    [acknowledgement] = mailbox.handler.acknowledgements
    assert acknowledgement.rcpt_tos == [SENDER]

    status.reload()
    text = status.locator("main").inner_text()
    assert "kész" in text and "feldolgozás alatt" in text and "Kapcsolati kód elkészült" in text
    assert_accessible(status)
    page.reload()
    assert page.locator("#status").inner_text() == "kész"
    assert page.get_by_role(
        "link", name="A jelentés letöltése (indoklás soronként, .xlsx)"
    ).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Kérelmek", exact=True).click()
    page.wait_for_url("**/kerelmek")
    page.get_by_label("Keresés hivatkozásra, szervezetre vagy KRID-re").fill(request.reference)
    page.get_by_role("button", name="Szűrés").click()
    assert page.locator("#found-count").inner_text().startswith("1 kérelem")
    assert_accessible(page)


def test_a_rejection_on_the_status_page_and_an_unknown_link(console, page):
    world = console.world
    request = ingest(
        world.email(declaration=world.declaration(sign=False)),
        SENDER,
        store=world.store,
        central=world.central,
        settings=world.settings,
    ).request
    log_in(page, console.url, "nagy.peter", console.operator.password, console.operator.totp_secret)
    page.goto(f"{console.url}/kerelmek/{request.reference}")
    assert page.locator("#status").inner_text() == "aláírás ellenőrzésre vár", page.content()
    assert_accessible(page)
    reason = "A nyilatkozatot nem a szervezet vezetője írta alá."
    page.get_by_label("Az elutasítás oka (a feladó ezt olvassa)").fill(reason)
    page.get_by_role("button", name="Elutasítás").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "elutasítva"
    assert_accessible(page)

    page.goto(_status_link(world, request))
    text = page.locator("main").inner_text()
    assert "elutasítva" in text and reason in text and "aláírás ellenőrzésre vár" in text
    assert_accessible(page)
    page.goto(console.url + "/allapot/" + "x" * 43)
    assert "Nincs ilyen kérelem" in page.locator("main").inner_text()
    assert_accessible(page)
