"""HttpCentral's own ways: retries that are safe, refusals told in Hungarian, TLS, configuration."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from kkod.central.http_client import CentralRefused, CentralUnavailable, HttpCentral
from kkod.central.interface import MatchResult
from kkod.central.models import Connection
from kkod.central.service import open_central
from kkod.config import Settings
from kkod.errors import ConfigurationError
from tests.apiserver import free_port, serve_process, serving

from .conftest import API_KEY_SECRET, KOVACS, KRID, NAGYNE, OTHER_KRID, SECRET, key, new_key


class FailingFirst:
    """The API behind a server that answers its first ``failures`` requests with 503."""

    def __init__(self, app, failures: int) -> None:
        self.app, self.failures, self.seen = app, failures, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen += 1
            if self.seen <= self.failures:
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def test_server_errors_are_retried_and_issuing_stays_idempotent(central, engine, api_settings):
    from kkod.web.central.app import create_app

    app = FailingFirst(create_app(api_settings), failures=3)
    with serving(app) as url, HttpCentral(url, new_key(engine), retry_pauses=(0, 0, 0, 0)) as http:
        outcomes = http.match_and_issue(KRID, [key(KOVACS), key(NAGYNE)])
        again = http.match_and_issue(KRID, [key(KOVACS), key(NAGYNE)])
    assert [o.result for o in outcomes] == [MatchResult.KOD, MatchResult.KOD]
    assert again == outcomes and app.seen == 5
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Connection)) == 2


def test_a_server_that_keeps_failing_or_is_not_there_is_a_hungarian_error(
    central, engine, api_settings
):
    from kkod.web.central.app import create_app

    app = FailingFirst(create_app(api_settings), failures=100)
    with (
        serving(app) as url,
        HttpCentral(url, new_key(engine), retry_pauses=(0, 0)) as http,
        pytest.raises(CentralUnavailable, match="hibát jelzett \\(503\\)"),
    ):
        http.connect_one(KRID, key(KOVACS))
    assert app.seen == 3  # the first try and two retries
    nobody = f"http://127.0.0.1:{free_port()}"
    with (
        HttpCentral(nobody, "kkod_x", retry_pauses=(0,)) as http,
        pytest.raises(CentralUnavailable, match="nem érhető el"),
    ):
        http.office(KRID)


def test_an_office_key_connects_its_own_office_only_and_never_in_bulk(api_url, engine):
    with HttpCentral(api_url, new_key(engine, KRID), retry_pauses=()) as http:
        outcome = http.connect_one(KRID, key(KOVACS))
        assert outcome.result is MatchResult.KOD
        assert http.lookup_code(KRID, outcome.code).connected
        with pytest.raises(CentralRefused, match="minisztérium kulcsával") as bulk:
            http.match_and_issue(KRID, [key(KOVACS)])
        assert bulk.value.exit_code == 2
        with pytest.raises(CentralRefused, match=f"{KRID} KRID-ű hivatali kapué"):
            http.connect_one(OTHER_KRID, key(KOVACS))


def test_a_wrong_key_is_a_configuration_error(api_url):
    with (
        HttpCentral(api_url, "kkod_rossz", retry_pauses=()) as http,
        pytest.raises(ConfigurationError, match="KKOD_CENTRAL_API_KEY"),
    ):
        http.office(KRID)


def test_open_central_goes_over_http_when_a_url_is_set(tmp_path, api_url, engine):
    settings = Settings(
        data_dir=tmp_path, central_url=api_url, central_api_key=new_key(engine, KRID)
    )
    central = open_central(settings)
    assert isinstance(central, HttpCentral)
    assert central.office(KRID).short_name == "PMHIV"
    central.close()
    with pytest.raises(ConfigurationError, match="KKOD_CENTRAL_API_KEY"):
        open_central(Settings(data_dir=tmp_path, central_url=api_url))


def _tls_files(folder):
    """A private CA and a certificate for 127.0.0.1 it signed."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kkod teszt CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.mark.slow
def test_serve_over_tls_and_a_client_that_trusts_its_ca(central, engine, db_url, tmp_path):
    tls = _tls_files(tmp_path)
    env = {
        "KKOD_DATA_DIR": str(tmp_path / "serve-data"),
        "KKOD_LOG_DIR": str(tmp_path / "logs"),
        "KKOD_CENTRAL_DATABASE_URL": db_url,
        "KKOD_CODE_SECRET": SECRET.hex(),
        "KKOD_API_KEY_SECRET": API_KEY_SECRET,
    }
    args = ("--tls-cert", str(tls["cert"]), "--tls-key", str(tls["key"]))
    with serve_process(env, *args, scheme="https") as url:
        token = new_key(engine)
        settings = Settings(
            data_dir=tmp_path, central_url=url, central_api_key=token, central_ca_file=tls["ca"]
        )
        central_over_tls = open_central(settings)
        assert central_over_tls.office(KRID).name == "Példa Megyei Hivatal"
        [outcome] = central_over_tls.match_and_issue(KRID, [key(KOVACS)])
        assert outcome.result is MatchResult.KOD
        central_over_tls.close()
        with (
            HttpCentral(url, token, retry_pauses=()) as untrusting,
            pytest.raises(CentralUnavailable, match="nem érhető el"),
        ):
            untrusting.office(KRID)
