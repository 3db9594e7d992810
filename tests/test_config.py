"""Settings that cannot be read are told in Hungarian, naming the variable and never its value."""

from __future__ import annotations

import pytest

from kkod.config import get_settings
from kkod.errors import ConfigurationError


@pytest.mark.parametrize(
    ("variable", "value", "wanted"),
    [
        ("KKOD_TRUST_ROOTS", "/etc/kkod/titkos-ca.pem", "JSON-listát vár"),
        ("KKOD_RETRY_DELAY", "titok-abc", "számot vár"),
        ("KKOD_DEBUG", "titok-talán", "igen/nem értéket vár"),
    ],
)
def test_a_setting_that_cannot_be_read_names_the_variable_not_the_value(
    monkeypatch, variable, value, wanted
):
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    message = caught.value.message
    assert variable in message and wanted in message
    assert value not in message and "titok" not in message
    assert caught.value.exit_code == 2
