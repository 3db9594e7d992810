"""Migration ministry_0003 on both backends: requests already stored get their history, the
outbox takes an acknowledgement besides the answer but never two answers, and it goes back."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kkod.db import make_engine

from ..migrations import downgrade, upgrade


def _reply(connection, request_id: int, kind: str, message_id: str) -> None:
    connection.execute(
        text(
            "INSERT INTO ministry_outbox (request_id, kind, recipient, message_id, status, "
            "attempts, next_attempt_at, created_at) VALUES (:r, :k, 'a@b.hu', :m, 'pending', 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"r": request_id, "k": kind, "m": message_id},
    )


def test_0003_up_and_down_with_requests_stored(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "ministry", "ministry_0002")
    with engine.begin() as connection:
        for number, status, reason in ((1, "kész", None), (2, "elutasítva", "Rossz tábla.")):
            connection.execute(
                text(
                    "INSERT INTO ministry_requests (id, reference, dedupe_key, channel, status, "
                    "reason, sender, attempts, received_at) VALUES (:i, :ref, :key, 'email', "
                    ":s, :reason, 'a@b.hu', 1, CURRENT_TIMESTAMP)"
                ),
                {"i": number, "ref": f"KK-2026-{number:06d}", "key": f"k{number}", "s": status,
                 "reason": reason},
            )  # fmt: skip
        _reply(connection, 1, "codes", "<1.valasz@bm.gov.hu>")
    upgrade(engine, "ministry", "head")
    with engine.begin() as connection:
        history = connection.execute(
            text("SELECT request_id, status, reason FROM ministry_status_history ORDER BY 1")
        ).all()
        assert [tuple(row) for row in history] == [
            (1, "kész", None),
            (2, "elutasítva", "Rossz tábla."),
        ]
        # Nothing stored before was lost on the way (SQLite rebuilds the outbox).
        kept = connection.execute(text("SELECT request_id, kind FROM ministry_outbox")).all()
        assert [tuple(row) for row in kept] == [(1, "codes")]
        _reply(connection, 1, "ack", "<1.atvetel@bm.gov.hu>")  # besides the answer: fine
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _reply(connection, 1, "codes", "<1.masik@bm.gov.hu>")  # a second answer: never
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE ministry_requests SET status_token_sha256 = 'x' WHERE id IN (1, 2)")
        )
    downgrade(engine, "ministry", "ministry_0002")
    with engine.begin() as connection:
        kinds = connection.execute(text("SELECT kind FROM ministry_outbox")).scalars().all()
        assert kinds == ["codes"]
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _reply(connection, 1, "rejection", "<1.x@bm.gov.hu>")  # one reply per request again
    engine.dispose()
