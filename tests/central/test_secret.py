"""The code secret: from configuration, or generated once into the data folder with owner-only access."""

from __future__ import annotations

import pytest

from kkod.central.secret import SECRET_FILE, load_secret
from kkod.config import Settings
from kkod.errors import ConfigurationError


def test_a_configured_secret_is_used(tmp_path):
    settings = Settings(data_dir=tmp_path, code_secret="ab" * 32)
    assert load_secret(settings) == bytes.fromhex("ab" * 32)
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize("bad", ["ab" * 8, "not hex at all"])
def test_a_short_or_garbled_secret_is_a_hungarian_configuration_error(tmp_path, bad):
    with pytest.raises(ConfigurationError, match="kódtitok"):
        load_secret(Settings(data_dir=tmp_path, code_secret=bad))


def test_a_secret_is_generated_once_and_kept(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    first = load_secret(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(first) == 32
    assert load_secret(settings) == first
    assert [p.name for p in path.parent.iterdir()] == [SECRET_FILE]  # no temporary file left
