"""API keys: shown once, only a hash stored, revocable; bad keys refused alike, failures limited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import event, select

from kkod.central import apikeys
from kkod.central.apikeys import KeyKind, authenticate, create_key, list_keys, revoke_key
from kkod.central.models import ApiKey, AuditEntry
from kkod.central.registry import RegistryError
from tests.central.conftest import API_KEY_SECRET

from .conftest import KRID

PEPPER = bytes.fromhex(API_KEY_SECRET)


def test_a_key_is_shown_once_and_only_its_hash_is_stored(central, engine):
    issued = create_key(engine, PEPPER, kind=KeyKind.OFFICE, krid=KRID, name="Iktató DMS")
    prefix, key_id, secret = issued.token[:4], issued.token[5:21], issued.token[22:]
    assert prefix == "kkod" and key_id == issued.info.key_id and len(secret) == 43
    with engine.connect() as conn:
        row = conn.execute(select(ApiKey)).one()
    assert secret.encode() not in row.secret_hash and row.secret_hash != secret.encode()
    assert len(row.secret_hash) == 32
    [listed] = list_keys(engine)
    assert (listed.key_id, listed.kind, listed.krid, listed.name) == (
        key_id, KeyKind.OFFICE, KRID, "Iktató DMS",
    )  # fmt: skip
    assert secret not in repr(listed)


def test_an_office_key_needs_an_existing_office_and_the_ministry_key_none(central, engine):
    with pytest.raises(RegistryError, match="Nincs ilyen hivatali kapu"):
        create_key(engine, PEPPER, kind=KeyKind.OFFICE, krid="999999")
    with pytest.raises(RegistryError, match="KRID"):
        create_key(engine, PEPPER, kind=KeyKind.MINISTRY, krid=KRID)
    with pytest.raises(RegistryError, match="KRID"):
        create_key(engine, PEPPER, kind=KeyKind.OFFICE)


def test_every_bad_key_takes_the_same_steps_as_a_good_one(central, engine, monkeypatch):
    """Malformed, unknown, revoked, wrong secret and valid: one look-up, one HMAC each."""
    good = create_key(engine, PEPPER, kind=KeyKind.OFFICE, krid=KRID).token
    revoked = create_key(engine, PEPPER, kind=KeyKind.OFFICE, krid=KRID)
    revoke_key(engine, revoked.info.key_id)
    tokens = {
        "valid": good,
        "missing": None,
        "malformed": "Bearer-ish nonsense",
        "too-long": "kkod_" + "a" * 5000,
        "unknown": "kkod_0123456789abcdef_" + "A" * 43,
        "revoked": revoked.token,
        "wrong-secret": good[:22] + ("B" if good[22] != "B" else "C") + good[23:],
    }
    steps: dict[str, list[str]] = {}
    hashed: list[int] = []
    real_hash = apikeys.hash_secret
    monkeypatch.setattr(apikeys, "hash_secret", lambda p, s: hashed.append(1) or real_hash(p, s))
    for name, token in tokens.items():
        statements: list[str] = []
        hashed.clear()

        def count(_conn, _cursor, statement, *_args, into=statements):
            into.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            with engine.connect() as conn:
                principal = authenticate(conn, PEPPER, token)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert (principal is not None) == (name == "valid"), name
        steps[name] = [*statements, f"hmac x{len(hashed)}"]
    assert len({tuple(s) for s in steps.values()}) == 1, steps


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic a2tvZDp4",
        "Bearer kkod_rossz",
        "Bearer kkod_0123456789abcdef_" + "A" * 43,
    ],
    ids=["none", "empty", "basic", "malformed", "unknown"],
)
def test_a_bad_key_is_401_with_a_hungarian_problem(api, header):
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{api.url}/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/unauthorized"
    assert problem["title"] == "Hiányzó vagy érvénytelen API-kulcs"
    assert "Bearer" in problem["detail"]


def test_a_revoked_key_stops_working_at_once(api):
    key_id = api.office.get("/api/v1/me").json()["key_id"]
    assert api.office.get("/api/v1/me").status_code == 200
    revoke_key(api.engine, key_id)
    assert api.office.get("/api/v1/me").status_code == 401
    assert [k.active for k in list_keys(api.engine) if k.key_id == key_id] == [False]


def test_me_names_the_key_and_its_office(api):
    me = api.office.get("/api/v1/me").json()
    assert me["kind"] == "office" and me["office"]["krid"] == KRID
    assert me["office"]["short_name"] == "PMHIV"
    ministry = api.ministry.get("/api/v1/me").json()
    assert ministry["kind"] == "ministry" and ministry["office"] is None


def test_failed_authentication_is_limited_per_client_address(api, api_settings):
    """The test server allows plenty; a server with a limit of 3 answers the 4th with 429."""
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    settings = api_settings.model_copy(update={"api_auth_failures_per_minute": 3})
    with serving(create_app(settings)) as url:
        bad = {"Authorization": "Bearer kkod_nincs_ilyen"}
        statuses = [httpx.get(f"{url}/api/v1/me", headers=bad).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        limited = httpx.get(f"{url}/api/v1/me", headers=bad)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["type"] == "/problems/too-many-requests"
        good = api.office.headers["Authorization"]
        assert httpx.get(f"{url}/api/v1/me", headers={"Authorization": good}).status_code == 200
    with api.engine.connect() as conn:
        failures = conn.scalars(
            select(AuditEntry.detail).where(AuditEntry.actor == "address:127.0.0.1")
        ).all()
    assert failures.count("status=401") >= 3 and failures.count("status=429") >= 2
