"""Atomic file output: the target appears complete or not at all, durable or not."""

from __future__ import annotations

import os

import pytest

from kkod.atomic import atomic_write


@pytest.mark.parametrize("durable", [True, False])
def test_the_target_is_replaced_only_when_the_write_completes(tmp_path, durable, monkeypatch):
    target = tmp_path / "kimenet.xlsx"
    target.write_bytes(b"regi")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    with pytest.raises(RuntimeError), atomic_write(target, durable=durable) as tmp:
        tmp.write_bytes(b"felig")
        raise RuntimeError("megszakadt")
    assert target.read_bytes() == b"regi" and list(tmp_path.iterdir()) == [target]
    with atomic_write(target, durable=durable) as tmp:
        tmp.write_bytes(b"uj")
        assert target.read_bytes() == b"regi"  # not yet
    assert target.read_bytes() == b"uj" and list(tmp_path.iterdir()) == [target]
    # durable: the file and its folder are fsync'd; not durable: neither (a few ms saved)
    assert len(synced) == (2 if durable else 0)
