"""Where one of our requests stands at the ministry: its status link, kept in the register, asked.

The ministry's acknowledgement letter carries a status link per request. The officer gives
it once — the link itself, or the letter saved as ``.eml`` — and the register keeps it under
the request's reference; afterwards the reference alone is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Engine

from kkod.employer.database import transaction
from kkod.employer.register import audit, get_meta, set_meta
from kkod.errors import KkodError
from kkod.exchange.status import LINK, REFERENCE, StatusReport, find_link
from kkod.hungarian import article

META_PREFIX = "status_link:"
MAX_ANSWER_BYTES = 1024 * 1024
MAX_LETTER_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 15.0


class StatusLinkError(KkodError):
    """What the officer gave is not a reference, a status link or an acknowledgement letter."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Asked:
    """The ministry's answer and the link it came from."""

    report: StatusReport
    link: str
    remembered: bool  # the link was new to the register


def resolve(engine: Engine, what: str) -> tuple[str | None, str]:
    """``(reference or None, link)`` for ``what``: a reference, a status link or an ``.eml``."""
    text = what.strip()
    if LINK.fullmatch(text):
        return None, text
    if REFERENCE.match(text.upper()):
        reference = text.upper()
        with transaction(engine) as session:
            link = get_meta(session, META_PREFIX + reference)
        if link is None:
            raise StatusLinkError(
                f"A {reference} kérelem állapot-hivatkozását még nem adta meg. Adja meg egyszer "
                "a visszaigazoló levélben kapott hivatkozást (kkod employer status "
                "https://…/allapot/…), vagy a levelet .eml fájlként mentve."
            )
        return reference, link
    if text.lower().endswith(".eml"):
        return link_from_letter(Path(text))
    raise StatusLinkError(
        f"„{what}” nem kérelem-hivatkozás (KK-2026-000123), nem állapot-hivatkozás "
        "(https://…/allapot/…) és nem .eml levél."
    )


def link_from_letter(path: Path) -> tuple[str | None, str]:
    """The reference and status link in the ministry's acknowledgement saved as ``path``."""
    from kkod.mail.message import parse_message
    from kkod.oserrors import explain

    try:
        size = path.stat().st_size
        if size > MAX_LETTER_BYTES:
            raise StatusLinkError(
                f"{article(path.name).capitalize()} {path.name} túl nagy egy visszaigazoló levélhez."
            )
        message = parse_message(path.read_bytes())
    except OSError as error:
        raise StatusLinkError(f"A levél nem olvasható: {explain(error, path)}.") from None
    link = find_link(message.text or "")
    if link is None:
        raise StatusLinkError(
            f"{article(path.name).capitalize()} {path.name} levélben nincs állapot-hivatkozás (…/allapot/…): a minisztérium "
            "visszaigazoló („beérkezett”) levelét adja meg."
        )
    return None, link


def remembered(engine: Engine) -> list[str]:
    """The references whose status link the register keeps, oldest request first."""
    from sqlalchemy import select

    from kkod.employer.models import Meta

    with transaction(engine) as session:
        keys = session.scalars(select(Meta.key).where(Meta.key.startswith(META_PREFIX)))
        return sorted(key.removeprefix(META_PREFIX) for key in keys)


def ask(engine: Engine, what: str) -> Asked:
    """Ask the ministry where the request stands; keep a link given now under its reference."""
    reference, link = resolve(engine, what)
    report = fetch(link)
    if reference is not None and report.reference != reference:
        raise StatusLinkError(
            f"A tárolt hivatkozás a {report.reference} kérelemhez tartozik, nem a {reference} "
            "kérelemhez."
        )
    remembered = False
    with transaction(engine) as session:
        key = META_PREFIX + report.reference
        if get_meta(session, key) != link:
            set_meta(session, key, link)
            audit(session, "állapot-hivatkozás mentve", report.reference)
            remembered = True
    return Asked(report, link, remembered)


def fetch(link: str) -> StatusReport:
    """The status behind ``link`` (JSON), checked before it is believed."""
    import httpx

    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream("GET", link, headers={"Accept": "application/json"}) as answer,
        ):
            body = b""
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise KkodError("A minisztérium válasza túl nagy; nem állapotjelentés.")
    except httpx.HTTPError as error:
        raise KkodError(
            f"A minisztérium állapotoldala nem érhető el ({type(error).__name__}). Próbálja "
            "később, vagy nyissa meg a hivatkozást böngészőben."
        ) from None
    if answer.status_code == 404:
        raise KkodError(
            "A minisztérium nem ismeri ezt az állapot-hivatkozást. Ellenőrizze, hogy a teljes "
            "hivatkozást adta-e meg a visszaigazoló levélből."
        )
    if answer.status_code == 429:
        wait = answer.headers.get("retry-after", "néhány")
        raise KkodError(f"Túl sok lekérdezés; próbálja újra {wait} másodperc múlva.")
    if answer.status_code != 200:
        raise KkodError(f"A minisztérium állapotoldala hibát jelzett (HTTP {answer.status_code}).")
    try:
        return StatusReport.model_validate_json(body)
    except ValidationError:
        raise KkodError(
            "A minisztérium válasza nem a várt állapotjelentés; nyissa meg a hivatkozást "
            "böngészőben."
        ) from None
