"""What the API serves besides its resources: health, readiness, errors, OpenAPI, offline docs."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import text

from kkod.web.shared.problems import KINDS


def test_healthz_and_readyz(api):
    assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{api.url}/readyz").json() == {"status": "ready"}


def test_readyz_is_503_when_the_schema_is_not_at_head(api):
    with api.engine.begin() as conn:
        conn.execute(text("UPDATE central_alembic_version SET version_num = '0002'"))
    response = httpx.get(f"{api.url}/readyz")
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/not-ready"
    assert "migráció" in response.json()["detail"]


def test_a_body_over_the_limit_is_413(api, api_settings):
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    settings = api_settings.model_copy(update={"api_max_body_bytes": 4096})
    with serving(create_app(settings)) as url:
        headers = dict(api.ministry.headers)
        big = httpx.post(
            f"{url}{api.office_path()}/matches",
            content=bytes(16 * 300),
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"
        assert big.json()["title"] == "Túl nagy kérés"
        small = httpx.post(
            f"{url}{api.office_path()}/matches",
            content=bytes(16 * 3),
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert small.text.split() == ["HIBAS_SOR"] * 3


def test_unknown_paths_and_methods_are_problems_too(api):
    missing = api.office.get("/api/v1/nincs-ilyen")
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/not-found"
    wrong = api.office.delete("/api/v1/me")
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "/problems/method-not-allowed"


def test_every_problem_type_has_a_page(api):
    for slug, kind in KINDS.items():
        page = httpx.get(f"{api.url}{kind.type}").json()
        assert page["title"] == kind.title and page["status"] == kind.status, slug
        assert page["description"]


def test_the_openapi_document_is_3_1_in_hungarian_with_problem_errors(api):
    schema = httpx.get(f"{api.url}/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "központi rendszer" in schema["info"]["description"]
    operation = schema["paths"]["/api/v1/offices/{krid}/connections"]["post"]
    assert "4T" in operation["description"]
    assert operation["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    person = schema["components"]["schemas"]["Person4TIn"]
    assert person["examples"][0]["szuletesi_hely"] == "Budapest 11"
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_the_documentation_pages_need_no_internet(api):
    for page in ("/api/v1/docs", "/api/v1/redoc"):
        html = httpx.get(f"{api.url}{page}").text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
            assert httpx.get(f"{api.url}{asset}").status_code == 200, asset
        assert "cdn." not in html and "fonts.googleapis" not in html
