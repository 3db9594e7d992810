"""The spool: messages stored whole and durably, listed oldest first, moved to done/ once."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from kkod.mail.spool import Spool, SpoolEntry, SpoolError

RAW = (
    b"From: iktato@pelda.gov.hu\r\nTo: ehr@bm.gov.hu\r\n"
    b"Subject: =?utf-8?q?P=C3=A9lda_Hivatal_kapcsolati_k=C3=B3dok?=\r\n\r\n"
) + os.urandom(2000)


def test_store_returns_a_complete_file_in_new(spool):
    entry = spool.store(RAW, envelope_from="iktato@pelda.gov.hu", recipients=["ehr@bm.gov.hu"])
    assert entry.path.parent == spool.new_dir
    assert entry.path.is_file()
    assert entry.raw() == RAW
    assert entry.size == len(RAW)
    assert entry.recipients == ("ehr@bm.gov.hu",)
    assert entry.received_at.tzinfo is not None
    assert SpoolEntry.load(entry.path) == entry
    # the file itself is a message a mail client opens: one extra header line, then the original
    assert entry.path.read_bytes().startswith(b"X-Kkod-Spool: {")
    assert entry.path.read_bytes().endswith(RAW)
    assert not [p for p in spool.new_dir.iterdir() if p.name.startswith(".")]


def test_pending_is_oldest_first_and_done_is_idempotent(spool):
    first = spool.store(
        b"Subject: 1\r\n\r\n", envelope_from="a@pelda.hu", recipients=["x@bm.gov.hu"]
    )
    second = spool.store(
        b"Subject: 2\r\n\r\n", envelope_from="b@pelda.hu", recipients=["x@bm.gov.hu"]
    )
    third = spool.store(
        b"Subject: 3\r\n\r\n", envelope_from="c@pelda.hu", recipients=["x@bm.gov.hu"]
    )
    assert [e.id for e in spool.pending()] == [first.id, second.id, third.id]

    spool.done(second)
    spool.done(second)
    assert [e.id for e in spool.pending()] == [first.id, third.id]
    assert [e.id for e in spool.handled()] == [second.id]
    assert spool.is_done(second) and not spool.is_done(first)
    done = spool.get(second.id)
    assert done is not None and done.path.parent == spool.done_dir
    assert done.raw() == b"Subject: 2\r\n\r\n"
    assert spool.get("nincs-ilyen") is None


def test_done_of_an_unknown_entry_is_an_error(spool, tmp_path):
    other = Spool(tmp_path / "masik").store(b"x\n", envelope_from="", recipients=["x@bm.gov.hu"])
    with pytest.raises(SpoolError, match="nincs a levélsorban"):
        spool.done(other)


def test_a_fresh_spool_has_nothing_pending(tmp_path):
    assert Spool(tmp_path / "ures").pending() == []


def test_concurrent_stores_get_unique_ids(spool):
    with ThreadPoolExecutor(8) as pool:
        entries = list(
            pool.map(
                lambda n: spool.store(
                    f"Subject: {n}\r\n\r\n".encode(),
                    envelope_from="a@b.hu",
                    recipients=["x@bm.gov.hu"],
                ),
                range(40),
            )
        )
    assert len({e.id for e in entries}) == 40
    assert sorted(e.raw() for e in spool.pending()) == sorted(e.raw() for e in entries)


def test_truncated_or_foreign_files_are_reported(spool):
    entry = spool.store(RAW, envelope_from="a@b.hu", recipients=["x@bm.gov.hu"])
    entry.path.write_bytes(entry.path.read_bytes()[:-10])
    with pytest.raises(SpoolError, match="csonka"):
        entry.raw()
    entry.path.write_bytes(b"From: x\r\n\r\n")
    with pytest.raises(SpoolError, match="X-Kkod-Spool"):
        SpoolEntry.load(entry.path)


def test_non_ascii_envelope_survives(spool):
    entry = spool.store(b"x\n", envelope_from="iktató@példa.hu", recipients=["ügyfél@bm.gov.hu"])
    loaded = SpoolEntry.load(entry.path)
    assert loaded.envelope_from == "iktató@példa.hu"
    assert loaded.recipients == ("ügyfél@bm.gov.hu",)
    assert loaded.raw() == b"x\n"


def test_purge_deletes_only_old_handled_messages(spool):
    handled = spool.store(b"x\n", envelope_from="a@b.hu", recipients=["x@bm.gov.hu"])
    waiting = spool.store(b"y\n", envelope_from="a@b.hu", recipients=["x@bm.gov.hu"])
    spool.done(handled)
    assert spool.purge_done(handled.received_at) == 0  # not older than the limit
    later = waiting.received_at + timedelta(days=31)
    assert spool.purge_done(later) == 1
    assert spool.handled() == []
    assert [e.id for e in spool.pending()] == [waiting.id]
