"""The ministry's letters: a human contact, Budapest time, the procedure's words, no commands."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from kkod.config import Settings
from kkod.mail.message import XLSX_TYPE, Attachment
from kkod.ministry.models import Request
from kkod.ministry.replies import budapest_time, codes_reply, rejection_reply
from kkod.ministry.store import Counts

SETTINGS = Settings(
    ministry_address="Belügyminisztérium <ehr@bm.gov.hu>",
    ministry_contact_name="Nagy Erzsébet osztályvezető",
    ministry_contact_phone="+36 1 441 1000",
)


def _request() -> Request:
    return Request(
        reference="KK-2026-000123",
        subject="Példa Hivatal – kapcsolati kódok igénylése (BM_kapcsolati_kódok)",
        sender="iktato@pelda.gov.hu",
        message_id="<keres@pelda.gov.hu>",
        organisation="Példa Hivatal",
        short_name="Országos Példa",
        krid="500100",
        received_at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
    )


def _text(raw: bytes) -> str:
    return (
        email.message_from_bytes(raw, policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
    )


def test_times_are_budapest_time_with_the_zone():
    assert budapest_time(datetime(2026, 12, 2, 13, 5, tzinfo=UTC)) == "2026.12.02. 14:05 (CET)"
    assert budapest_time(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "2026.07.01. 10:00 (CEST)"


def test_the_codes_letter_names_a_person_quotes_the_procedure_and_gives_no_commands():
    table = Attachment("tabla.xlsx", XLSX_TYPE, b"PK")
    report = Attachment("indoklas.xlsx", XLSX_TYPE, b"PK")
    text = _text(codes_reply(_request(), Counts(3, 1, 1, 1, 0), table, report, SETTINGS).raw)
    assert "Nagy Erzsébet osztályvezető" in text and "+36 1 441 1000" in text
    assert "beérkezett: 2026.12.02. 14:05 (CET)" in text
    assert "az iratkezelő rendszer megfelelő moduljában" in text
    assert "kkod " not in text and "a(z)" not in text
    assert "az „Országos Példa” hivatali kapu" in text


def test_a_rejection_names_the_contact_and_carries_no_file():
    reply = rejection_reply(_request(), "A levél tárgya nem felel meg.", SETTINGS)
    message = email.message_from_bytes(reply.raw, policy=email.policy.default)
    assert list(message.iter_attachments()) == []
    text = _text(reply.raw)
    assert "Nagy Erzsébet osztályvezető" in text and "ehr@bm.gov.hu" in text
    assert "kkod " not in text
