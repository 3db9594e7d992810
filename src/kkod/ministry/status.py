"""What the status page and ``kkod employer status`` show of one request: nothing personal.

Found only by the status link's token (its hash); holds the reference, when it arrived, the
status history with a rejection's reason, and the counts once it is ``kész``. Never the
sender, the organisation's people, a table, a name or anything of another request.
"""

from __future__ import annotations

from kkod.exchange.status import TOKEN, StatusCounts, StatusReport, StatusStep
from kkod.ministry.acknowledgement import token_hash
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import RequestStore

# What each status means to the employer (the status page and the command line say it).
MEANINGS = {
    RequestStatus.BEERKEZETT: "A kérelem beérkezett, és sorra vár a feldolgozásban.",
    RequestStatus.ALAIRAS_ELLENORZESRE_VAR: (
        "A nyilatkozaton nincs elektronikus aláírás: munkatársunk ellenőrzi az aláírást."
    ),
    RequestStatus.FELDOLGOZAS_ALATT: "A kapcsolati kódok készülnek.",
    RequestStatus.KESZ: "A kódok elkészültek; a táblázatot válaszlevélben küldtük el.",
    RequestStatus.ELUTASITVA: "A kérelmet elutasítottuk; az ok alább olvasható.",
    RequestStatus.ATTEKINTESRE_VAR: "A kérelmet munkatársunk nézi át.",
}


def public_status(store: RequestStore, token: str) -> StatusReport | None:
    """The status of the request whose link carries ``token``; ``None`` for an unknown token."""
    if not TOKEN.match(token):  # not a token at all: the database is not asked
        return None
    request = store.by_status_token(token_hash(token))
    if request is None:
        return None
    history = [
        StatusStep(status=change.status, at=change.at, reason=change.reason)
        for change in store.status_history(request.id)
    ]
    # The last step, not the row's status: a request given back to the queue after a failure
    # stays "feldolgozás alatt" to the employer (kkod.ministry.store.RequestStore.release).
    status = history[-1].status if history else request.status
    counts = None
    if status == RequestStatus.KESZ and request.rows is not None:
        counts = StatusCounts(
            rows=request.rows,
            coded=request.coded or 0,
            no_match=request.no_match or 0,
            multiple=request.multiple or 0,
            invalid=request.invalid or 0,
        )
    return StatusReport(
        reference=request.reference,
        received_at=request.received_at,
        status=status,
        meaning=MEANINGS.get(RequestStatus(status), ""),
        history=history,
        reason=request.reason if status == RequestStatus.ELUTASITVA else None,
        counts=counts,
    )
