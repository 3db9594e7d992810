"""The CLI: ``kkod pki demo-ca``, ``kkod employer declaration`` and ``kkod pki verify``, run for real."""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.exchange.declaration import read_declaration
from kkod.pki.verify import SignatureProblem, verify_declaration_signature

from .test_declaration import EMPLOYEES, make_filled_table

ORG = "Szegedi Tudományegyetem Gazdasági Igazgatóság"
ORG_ID = "VATHU-15329667"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def demo(runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-ca")
    result = runner.invoke(
        app,
        [
            "pki",
            "demo-ca",
            str(folder),
            "--org",
            ORG,
            "--org-id",
            ORG_ID,
            "--signer",
            "Bodnár Ödön",
        ],
    )
    assert result.exit_code == 0, result.output
    return folder, result.output


def _declaration_args(table, output, *extra):
    return [
        "employer",
        "declaration",
        "--org",
        ORG,
        "--short-name",
        "SZTEGI",
        "--krid",
        "456789123",
        "--contact-name",
        "Fűzi Gyöngyvér",
        "--contact-email",
        "fuzi.gyongyver@szte.hu",
        "--table",
        str(table),
        "-o",
        str(output),
        *extra,
    ]


SIGNED = ("--signer-position", "gazdasági igazgató", "--place", "Szeged",
          "--seat", "6720 Szeged, Dugonics tér 13.")  # fmt: skip


def _unboxed(output: str) -> str:
    """The CLI's output without whitespace and table borders (long values wrap in cells)."""
    return "".join(ch for ch in output if not ch.isspace() and ch not in "│┃┌┐└┘├┤─┬┴┼")


def test_demo_ca_writes_three_files_and_says_the_passphrase_is_a_demo_one(demo):
    folder, output = demo
    assert {p.name for p in folder.iterdir()} == {"ca.pem", "ca.key", "signer.p12"}
    assert "kkod-demo" in output
    assert "bemutató jelszó" in output


def test_demo_ca_with_passphrase_from_environment(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("KKOD_TESZT_JELSZO", "Árvíztűrő-tükörfúrógép")
    result = runner.invoke(
        app,
        [
            "pki",
            "demo-ca",
            str(tmp_path),
            "--org",
            ORG,
            "--org-id",
            ORG_ID,
            "--pass-env",
            "KKOD_TESZT_JELSZO",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "kkod-demo" not in result.output
    assert "KKOD_TESZT_JELSZO" in result.output


def test_demo_ca_with_a_missing_environment_variable_fails_in_hungarian(
    runner, tmp_path, monkeypatch
):
    monkeypatch.delenv("KKOD_NINCS_ILYEN", raising=False)
    result = runner.invoke(
        app,
        [
            "pki",
            "demo-ca",
            str(tmp_path / "ca"),
            "--org",
            ORG,
            "--org-id",
            ORG_ID,
            "--pass-env",
            "KKOD_NINCS_ILYEN",
        ],
    )
    assert result.exit_code == 1
    assert "KKOD_NINCS_ILYEN környezeti változó nincs beállítva" in result.output
    assert not (tmp_path / "ca").exists()


def test_signed_declaration_for_a_table(runner, demo, tmp_path):
    folder, _ = demo
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(
        app, _declaration_args(table, output, "--sign", str(folder / "signer.p12"), *SIGNED)
    )
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(table.read_bytes()).hexdigest()
    assert digest in _unboxed(result.output)
    assert "Bodnár Ödön" in result.output

    pdf = output.read_bytes()
    data = read_declaration(pdf)
    assert (data.rows, data.table_sha256, data.krid) == (len(EMPLOYEES), digest, "456789123")
    # The signer and the organisation's identifier come from the certificate.
    assert (data.signer_name, data.organisation_id) == ("Bodnár Ödön", ORG_ID)
    assert (data.signer_position, data.place) == ("gazdasági igazgató", "Szeged")
    verdict = verify_declaration_signature(pdf, [folder / "ca.pem"])
    assert verdict.ok
    assert verdict.signer_organisation_id == ORG_ID


def test_unsigned_declaration(runner, tmp_path, demo):
    folder, _ = demo
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(app, _declaration_args(table, output))
    assert result.exit_code == 0, result.output
    assert "aláíratlan" in result.output
    verdict = verify_declaration_signature(output.read_bytes(), [folder / "ca.pem"])
    assert verdict.problem is SignatureProblem.UNSIGNED


def test_wrong_passphrase_fails_in_hungarian_and_writes_nothing(
    runner, demo, tmp_path, monkeypatch
):
    folder, _ = demo
    monkeypatch.setenv("KKOD_ROSSZ_JELSZO", "nem ez a jelszó")
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(
        app,
        _declaration_args(
            table, output, "--sign", str(folder / "signer.p12"), "--pass-env", "KKOD_ROSSZ_JELSZO"
        ),
    )
    assert result.exit_code == 1
    assert "hibás jelszó" in result.output
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tabla.xlsx"]  # no temporary file left


def test_a_table_that_is_not_the_template_fails(runner, tmp_path):
    table = tmp_path / "tabla.xlsx"
    table.write_bytes(b"nem xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(app, _declaration_args(table, output))
    assert result.exit_code == 2
    assert "Hiba" in result.output
    assert not output.exists()


def test_pki_verify_accepts_a_valid_signer_and_rejects_another_organisation(runner, demo, tmp_path):
    folder, _ = demo
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    signed = runner.invoke(
        app, _declaration_args(table, output, "--sign", str(folder / "signer.p12"), *SIGNED)
    )
    assert signed.exit_code == 0, signed.output

    ok = runner.invoke(
        app, ["pki", "verify", str(output), "--trust", str(folder / "ca.pem"), "--org-id", ORG_ID]
    )
    assert ok.exit_code == 0, ok.output
    assert "érvényes" in ok.output

    other = runner.invoke(
        app,
        [
            "pki",
            "verify",
            str(output),
            "--trust",
            str(folder / "ca.pem"),
            "--org-id",
            "VATHU-99999999",
        ],
    )
    assert other.exit_code == 1
    assert "A szervezethez tartozik" in other.output


def test_pki_verify_rejects_an_unsigned_declaration(runner, demo, tmp_path):
    folder, _ = demo
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    assert runner.invoke(app, _declaration_args(table, output)).exit_code == 0
    result = runner.invoke(app, ["pki", "verify", str(output), "--trust", str(folder / "ca.pem")])
    assert result.exit_code == 1
    assert "nincs elektronikusan aláírva" in " ".join(result.output.split())


def test_a_signed_declaration_needs_what_cannot_be_written_on_it_later(runner, demo, tmp_path):
    folder, _ = demo
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(
        app, _declaration_args(table, output, "--sign", str(folder / "signer.p12"))
    )
    assert result.exit_code == 2
    assert "--signer-position" in result.output and "--place" in result.output
    assert not output.exists()


def test_an_unsigned_declaration_leaves_lines_for_the_pen(runner, tmp_path):
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(app, _declaration_args(table, output, "--place", "Szeged"))
    assert result.exit_code == 0, result.output
    assert "kitöltendő vonal" in " ".join(result.output.split())
    data = read_declaration(output.read_bytes())
    assert data.place == "Szeged" and data.signer_name == ""


def test_an_empty_table_gets_no_declaration(runner, tmp_path):
    from kkod.table.template import build_template

    empty = build_template(tmp_path / "ures.xlsx", rows=20)
    output = tmp_path / "nyilatkozat.pdf"
    result = runner.invoke(app, _declaration_args(empty, output, "--force"))
    assert result.exit_code == 2
    assert "nincs egyetlen kitöltött adatsor sem" in " ".join(result.output.split())
    assert not output.exists()


def test_a_table_with_errors_is_declared_only_with_force(runner, tmp_path):
    bad = [*EMPLOYEES[:2], ("Papp Béla", "Papp Béla", "Kiss Józsefné", "Budapest", "1985.02.30")]
    table = make_filled_table(tmp_path / "hibas.xlsx", bad)
    output = tmp_path / "nyilatkozat.pdf"
    refused = runner.invoke(app, _declaration_args(table, output))
    assert refused.exit_code == 1 and "hiba van" in refused.output and not output.exists()
    assert (tmp_path / "hibas-ellenorzes.xlsx").is_file()
    forced = runner.invoke(app, _declaration_args(table, output, "--force"))
    assert forced.exit_code == 0, forced.output
    assert "hiba van (--force)" in " ".join(forced.output.split())


def test_an_existing_declaration_is_not_replaced_without_force(runner, tmp_path):
    table = make_filled_table(tmp_path / "tabla.xlsx")
    output = tmp_path / "nyilatkozat.pdf"
    output.write_bytes(b"%PDF a tegnap alairt nyilatkozat")
    refused = runner.invoke(app, _declaration_args(table, output))
    assert refused.exit_code == 2 and output.read_bytes() == b"%PDF a tegnap alairt nyilatkozat"
    forced = runner.invoke(app, _declaration_args(table, output, "--force"))
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "nyilatkozat.bak.pdf").read_bytes() == b"%PDF a tegnap alairt nyilatkozat"
