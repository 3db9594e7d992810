"""What the operator reads in ``kkod ministry requests`` and ``show``: readable at 80 columns,
times in Budapest with the zone, words instead of the stores' machine codes."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from kkod.cli import common
from kkod.cli.app import app
from kkod.config import get_settings
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import NewRequest, RequestStore

LONG = (
    "Nemzeti Adó- és Vámhivatal Észak-alföldi Regionális Vám- és Pénzügyőri Főigazgatósága",
    "Szabolcs-Szatmár-Bereg Vármegyei Kormányhivatal",
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "adatok"))
    get_settings.cache_clear()
    yield RequestStore.open(get_settings())
    get_settings.cache_clear()


def _record(store, n: int, organisation: str, status=RequestStatus.BEERKEZETT, **extra):
    return store.record(
        NewRequest(
            dedupe_key=f"k{n}",
            channel="upload",
            sender=f"kapcsolattarto.{n}@{organisation.split()[0].lower()}.gov.hu",
            status=status,
            organisation=organisation,
            krid=f"61234{n}",
            rows=12_000,
            **extra,
        ),
        actor="upload",
    )[0]


def test_requests_fit_80_columns_and_never_cut_the_reference(store, monkeypatch):
    monkeypatch.setattr(common.console, "width", 80)
    for n, organisation in enumerate(LONG):
        _record(store, n, organisation)
    _record(store, 3, LONG[1], RequestStatus.ELUTASITVA, reason="A nyilatkozat nincs aláírva.")
    result = CliRunner().invoke(app, ["ministry", "requests"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    references = re.findall(r"KK-\d{4}-\d{6}", result.stdout)
    assert len(references) == 3  # each whole, on one line
    said = " ".join(result.stdout.split())
    assert "elutasítva" in said and "beérkezett" in said and "12\u00a0000" in result.stdout
    first = next(i for i, line in enumerate(lines) if references[0] in line)
    assert re.search(r"\s\d{4}\.\d\d\.\d\d\.\s", lines[first])  # the date over the time,
    assert re.search(r"\s\d\d:\d\d CES?T\s", lines[first + 1])  # in Budapest


def test_show_says_words_and_budapest_times(store):
    request = _record(
        store, 1, LONG[1], RequestStatus.ELUTASITVA,
        reason="A nyilatkozat nincs aláírva.",
        audit_detail="csatorna: upload, mellékletek: 2; sikertelen ellenőrzés: alairas:alairatlan",
    )  # fmt: skip
    result = CliRunner().invoke(app, ["ministry", "show", request.reference])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "feltöltés" in said and "upload" not in said
    assert "aláírás: aláíratlan" in said and "alairas" not in said
    assert re.search(r"\d{4}\.\d\d\.\d\d\. \d\d:\d\d:\d\d CES?T", said)
