"""Hostile and broken mail through the real SMTP intake: every message becomes a request (rejected
with a Hungarian reason, or kept for the operator), none is left pending, the intake stays up."""

from __future__ import annotations

import io
import smtplib
import zipfile

import pytest

from kkod.ministry.intake_server import IntakeService
from kkod.ministry.models import RequestStatus
from tests.mail.tnef import winmail_dat
from tests.ministry import conftest as ministry_fixtures
from tests.ministry.conftest import MINISTRY, ORGANISATION, SENDER

# The ministry's fixtures, used here as in tests/ministry.
pki = ministry_fixtures.pki
mailbox = ministry_fixtures.mailbox
world = ministry_fixtures.world

SUBJECT = f"{ORGANISATION} – kapcsolati kódok igénylése"


def _head(extra: str = "", subject: str = SUBJECT) -> str:
    from email.header import Header

    encoded = Header(subject, "utf-8").encode(linesep="\r\n")
    return f"From: {SENDER}\r\nTo: {MINISTRY}\r\nSubject: {encoded}\r\nMIME-Version: 1.0\r\n{extra}"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_attachment(world, name: str, data: bytes, content_type: str = "application/zip"):
    from kkod.mail.message import Attachment

    return world.email(attachments=[Attachment(name, content_type, data)])


def deep_multipart(world) -> bytes:
    depth = 2000
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n' for n in range(depth)
    )
    closing = "".join(f"\r\n--b{n}--\r\n" for n in reversed(range(depth)))
    return (_head() + opening + "Content-Type: text/plain\r\n\r\nx" + closing).encode()


def many_parts(world) -> bytes:
    part = "--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
    body = "".join(f'{part}filename="f{n}.bin"\r\n\r\nx\r\n' for n in range(5000))
    return (
        _head('Content-Type: multipart/mixed; boundary="B"\r\n\r\n') + body + "--B--\r\n"
    ).encode()


def header_flood(world) -> bytes:
    flood = "".join(f"X-Zaj-{n}: {'a' * 50}\r\n" for n in range(20000))
    return (_head(flood) + "\r\nszoveg\r\n").encode()


def encoded_word_flood(world) -> bytes:
    subject = "\r\n ".join(["=?utf-8?q?kapcsolati_k=C3=B3dok?="] * 5000)
    return (f"From: {SENDER}\r\nTo: {MINISTRY}\r\nSubject: {subject}\r\n\r\nszoveg\r\n").encode()


def zip_bomb(world) -> bytes:
    return _with_attachment(world, "kerelem.zip", _zip({"tabla.xlsx": bytes(300 * 1024 * 1024)}))


def nested_zips(world) -> bytes:
    inner = _zip({"tabla.xlsx": world.table.read_bytes()})
    for level in range(6):
        inner = _zip({f"szint{level}.zip": inner})
    return _with_attachment(world, "matrjoska.zip", inner)


def zip_with_many_files(world) -> bytes:
    return _with_attachment(world, "sok.zip", _zip({f"f{n}.txt": b"x" for n in range(2000)}))


def path_traversal(world) -> bytes:
    files = {"../../../etc/tabla.xlsx": world.table.read_bytes(), "/abs/nyilatkozat.pdf": b"%PDF"}
    return _with_attachment(world, "kerelem.zip", _zip(files))


def broken_tnef(world) -> bytes:
    dat = winmail_dat([("tabla.xlsx", world.table.read_bytes())])[:100]
    return _with_attachment(world, "winmail.dat", dat, "application/ms-tnef")


def bad_base64(world) -> bytes:
    return (
        _head('Content-Type: multipart/mixed; boundary="B"\r\n\r\n')
        + "--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="nyilatkozat.pdf"\r\n\r\n'
        "!!!nem base64 ***\r\n--B--\r\n"
    ).encode()


def control_characters(world) -> bytes:
    return world.email(subject=f"{SUBJECT} \x1b[31m[/]\u202e[link=http://x]kattints[/link]")


def bidi_file_names(world) -> bytes:
    from kkod.mail.message import Attachment

    return world.email(
        attachments=[Attachment("nyilatkozat\u202excod.pdf", "application/pdf", b"MZ\x90\x00")]
    )


def not_mime_at_all(world) -> bytes:
    return (b"\x00\x01\x02" * 30 + b"\r\n") * 30


CASES = {
    "mely_multipart": deep_multipart,
    "ot_ezer_melleklet": many_parts,
    "fejlec_aradat": header_flood,
    "kodolt_szo_aradat": encoded_word_flood,
    "zip_bomba": zip_bomb,
    "egymasba_zipek": nested_zips,
    "zip_sok_fajllal": zip_with_many_files,
    "zip_utvonal_kiszokes": path_traversal,
    "serult_winmail_dat": broken_tnef,
    "hibas_base64": bad_base64,
    "bidi_fajlnev": bidi_file_names,
    "nem_level": not_mime_at_all,
}


@pytest.fixture
def intake(world):
    world.settings = world.settings.model_copy(update={"auto_rejections_per_hour": 1000})
    service = IntakeService(world.store, world.central, world.settings)
    server = service.start("127.0.0.1", 0)
    yield service, server
    server.stop()


@pytest.mark.parametrize("case", CASES)
def test_hostile_mail_becomes_a_request_never_a_crash(world, intake, case):
    service, server = intake
    raw = CASES[case](world)
    with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
        client.sendmail(SENDER, [MINISTRY], raw)
    assert service.spool.pending() == []  # ingested, not left to be retried for ever
    [request] = world.store.list()
    assert request.status in (RequestStatus.ELUTASITVA, RequestStatus.ATTEKINTESRE_VAR)
    assert request.reason and any(ch in request.reason for ch in "áéíóöőúüű"), request.reason
    assert "Traceback" not in request.reason


def test_a_subject_with_control_characters_and_markup_is_kept_as_written(world, intake):
    _service, server = intake
    with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
        client.sendmail(SENDER, [MINISTRY], control_characters(world))
    [request] = world.store.list()
    assert request.status == RequestStatus.BEERKEZETT
    assert "\x1b[31m[/]\u202e[link=http://x]" in request.subject
