"""Deliver a test document to a connection code: it lands in the account's storage."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter

from kkod.central.delivery import DeliveryRefused, DocumentRejected, check_document, deliver
from kkod.web.central.deps import Authenticated, Context, OwnOffice
from kkod.web.central.problems import ACCOUNT_CLOSED, DOCUMENT_TOO_LARGE, NOT_CONNECTED
from kkod.web.central.schemas import DocumentIn, DocumentOut
from kkod.web.shared.problems import VALIDATION, FieldError, Problem, problems

router = APIRouter(prefix="/api/v1/offices/{krid}", tags=["Próbadokumentum"])


@router.post(
    "/documents",
    response_model=DocumentOut,
    status_code=201,
    summary="Próbadokumentum kézbesítése egy kapcsolati kódra",
    responses=problems(401, 403, NOT_CONNECTED, ACCOUNT_CLOSED, 413, DOCUMENT_TOO_LARGE, 422, 429),
)
def deliver_document(
    body: DocumentIn, office: OwnOffice, call: Authenticated, ctx: Context
) -> DocumentOut:
    """Kis PDF vagy szöveges fájl a kódhoz tartozó Ügyfélkapu-fiók tárhelyére: így
    bizonyítható, hogy a kód működik. Csak a hivatali kapu saját, élő kapcsolatának kódjára;
    más hivatali kapu kódja ugyanúgy „nincs ilyen kapcsolat”, mint egy ismeretlen kód."""
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(
            VALIDATION,
            "A dokumentum tartalma nem olvasható.",
            errors=[FieldError("content_base64", "base64", "Nem érvényes base64 kódolás.")],
        ) from None
    try:
        check_document(body.filename, body.content_type, data, ctx.settings.api_max_document_bytes)
    except DocumentRejected as rejected:
        if rejected.rule == "max-size":
            raise Problem(DOCUMENT_TOO_LARGE, rejected.message) from None
        raise Problem(
            VALIDATION,
            rejected.message,
            errors=[FieldError(rejected.field, rejected.rule, rejected.message)],
        ) from None
    with ctx.engine.begin() as conn:
        delivered = deliver(conn, office.id, body.code, body.filename, body.content_type, data)
        call.audit(
            conn,
            f"document={delivered.document_id} size={delivered.size}"
            if not isinstance(delivered, DeliveryRefused)
            else f"refused={delivered.value}",
        )
    if delivered is DeliveryRefused.NOT_CONNECTED:
        raise Problem(NOT_CONNECTED, "Ehhez a kódhoz nincs kapcsolata a hivatali kapunak.")
    if delivered is DeliveryRefused.ACCOUNT_CLOSED:
        raise Problem(
            ACCOUNT_CLOSED,
            "A kódhoz tartozó Ügyfélkapu-fiók megszűnt; a dokumentum nem kézbesíthető.",
        )
    return DocumentOut(
        document_id=delivered.document_id,
        size=delivered.size,
        sha256=delivered.sha256,
        delivered_at=delivered.delivered_at,
    )
