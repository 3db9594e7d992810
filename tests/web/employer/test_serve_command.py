"""``kkod employer serve`` as the officer starts it: a real process that prints its one-time
address once it answers, serves the pages behind it, and removes its work folder on stop."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ...apiserver import free_port

pytestmark = pytest.mark.slow
KKOD = str(Path(sys.executable).with_name("kkod"))


def test_the_printed_address_opens_the_workbench(tmp_path):
    port = free_port()
    env = {**os.environ, "KKOD_DATA_DIR": str(tmp_path / "adatok"), "COLUMNS": "200"}
    server = subprocess.Popen(
        [KKOD, "employer", "serve", "--listen", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(server.stdout, selectors.EVENT_READ)
            said = ""
            # Raw reads: a buffered readline() may take several lines into its buffer, which
            # select() then no longer sees as waiting (the address would be missed).
            while "belepes?t=" not in said:
                assert selector.select(timeout=60), "kkod employer serve printed no address"
                chunk = os.read(server.stdout.fileno(), 65536)
                assert chunk, server.stderr.read()
                said += chunk.decode("utf-8", "replace")
        address = re.search(r"http://127\.0\.0\.1:\d+/belepes\?t=\S+", said)[0]
        work = list((tmp_path / "adatok" / "work").glob("munkapad-*"))
        assert len(work) == 1  # its private work folder
        with httpx.Client() as client:
            page = client.get(address, follow_redirects=True)
            assert page.status_code == 200 and "<h1>Feltöltés</h1>" in page.text
            assert client.get(address.split("/belepes")[0] + "/ellenorzes").status_code == 200
        with httpx.Client() as stranger:
            assert stranger.get(address.split("/belepes")[0] + "/").status_code == 403
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert not work[0].exists()  # removed on stop, with everything uploaded
