"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, every answer as documented.

A real server on loopback, on a small registry on SQLite; every generated request is sent
with an office's key and with the ministry's, so both kinds of answer are checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from kkod.central.interface import OfficeInfo
from kkod.central.registry import NewAccount, add_office, add_person
from kkod.config import Settings
from kkod.db import make_engine, migrate
from tests.apiserver import serving
from tests.central.conftest import API_KEY_SECRET, KOVACS, KRID, SECRET, new_key

pytestmark = pytest.mark.slow

# The answers checked. Not "schema-valid data is accepted": the JSON schema says what a
# field may hold, the 4T rules say more (a one-word name is valid JSON and a 422).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """The served API and the Authorization headers of an office key and the ministry key."""
    from kkod.web.central.app import create_app

    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'central.sqlite3'}"
    engine = make_engine(url)
    migrate(engine, "central")
    add_office(engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal", ("pelda.gov.hu",)))
    add_person(engine, KOVACS, [NewAccount("kovacs.peter", "kovacs.peter@example.hu")])
    headers = {
        "office": {"Authorization": f"Bearer {new_key(engine, KRID)}"},
        "ministry": {"Authorization": f"Bearer {new_key(engine)}"},
    }
    app_settings = Settings(
        data_dir=folder / "data",
        central_database_url=url,
        code_secret=SECRET.hex(),
        api_key_secret=API_KEY_SECRET,
        api_connect_per_minute=1_000_000,
        api_verify_per_minute=1_000_000,
        api_auth_failures_per_minute=1_000_000,
        api_max_body_bytes=64 * 1024,
        api_max_document_bytes=16 * 1024,
    )
    with serving(create_app(app_settings)) as base:
        yield base, headers
    engine.dispose()


def test_no_5xx_and_every_answer_as_documented(fuzzed):
    base, headers = fuzzed
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def answers_as_documented(case):
            for key in ("office", "ministry"):
                case.call_and_validate(headers=headers[key], checks=CHECKS)

        answers_as_documented()
