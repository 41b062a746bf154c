"""A platform is a policy file: `relais platforms check` shows what the services will read, `relais up` refuses a
broken file in one French line, and `relais token issue` accepts exactly the platforms the files define."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from relais.cli.main import app
from shared.platforms.loader import load_policies

REPO = Path(__file__).resolve().parents[3]
SIXTH = REPO / "tests" / "fixtures" / "platforms" / "combrailles.yaml"
runner = CliRunner()


@pytest.fixture
def federation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platforms of deploy/platforms (five home-service platforms and a desk) and a sixth home-service one,
    joined by copying its file in."""
    folder = tmp_path / "platforms"
    shutil.copytree(REPO / "deploy" / "platforms", folder)
    shutil.copy(SIXTH, folder)
    monkeypatch.chdir(tmp_path)  # no .env file
    monkeypatch.setenv("RELAIS_PLATFORMS_DIR", str(folder))
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RELAIS_TOKENS_FILE", raising=False)
    return folder


def break_file(folder: Path) -> None:
    document = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    document["callback"]["mode"] = "heures_ouvrees"
    (folder / "combrailles.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_a_sixth_policy_file_is_a_sixth_platform(federation: Path) -> None:
    policies = load_policies(federation)

    assert sorted(policies) == ["brenne", "combrailles", "herault", "limoges", "mons-borinage", "pimms-lyon",
                                "val-de-marne"]
    assert policies["combrailles"].matching.mode == "assign" and policies["combrailles"].callback.mode == "business_hours"


def test_check_prints_every_platform_with_its_rules(federation: Path) -> None:
    result = runner.invoke(app, ["platforms", "check"], env={"COLUMNS": "300"})

    assert result.exit_code == 0, result.output
    for expected in ("combrailles", "attribution au tour de rôle", "16 h ouvrées", "orientation (3 structures)",
                     "mar 08:30-12:30 13:30-17:00", "fériés FR, 1 jour(s) de fermeture", "6 (2 secteurs)",
                     "depuis le 01/01/2015 : association 40,00 €/an", "depuis le 01/01/2026 : association aucune, "
                     "artisan 3 %", "7 fichier(s) valide(s), 0 invalide(s)"):
        assert expected in result.output, expected


def test_check_names_the_file_the_field_and_the_reason_of_a_broken_file(federation: Path) -> None:
    break_file(federation)

    result = runner.invoke(app, ["platforms", "check", str(federation)], env={"COLUMNS": "300"})

    assert result.exit_code == 1
    assert "invalide : combrailles.yaml, champ callback.mode : valeur non prévue ; valeurs possibles : " \
           "wall_clock ou business_hours" in result.output
    assert "limoges" in result.output and "6 fichier(s) valide(s), 1 invalide(s)" in result.output


def test_check_of_a_folder_without_policies_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["platforms", "check", str(tmp_path / "nowhere")])

    assert result.exit_code == 1 and "n'est pas un dossier de politiques de plateforme" in result.output


def test_up_stops_on_a_broken_file_with_one_french_line_before_starting_anything(federation: Path) -> None:
    break_file(federation)

    result = runner.invoke(app, ["up", "--broker-port", "1"], env={"COLUMNS": "300"})

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("erreur : politique de plateforme invalide : combrailles.yaml, champ callback.mode : ")


def test_tokens_are_issued_for_the_sixth_platform_and_refused_for_an_unknown_one(federation: Path) -> None:
    issued = runner.invoke(app, ["token", "issue", "--platform", "combrailles", "--role", "operator", "--subject", "op-1"])
    unknown = runner.invoke(app, ["token", "issue", "--platform", "cantal", "--role", "operator", "--subject", "op-1"])

    assert issued.exit_code == 0, issued.output
    assert issued.stdout.startswith("rls_")
    assert unknown.exit_code == 2 and "unknown platform 'cantal'" in " ".join(unknown.output.split())


def test_tokens_are_refused_when_the_policy_folder_is_missing(federation: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RELAIS_PLATFORMS_DIR", str(tmp_path / "nowhere"))

    refused = runner.invoke(app, ["token", "issue", "--platform", "limoges", "--role", "operator", "--subject", "op-1"])

    assert refused.exit_code == 2 and "cannot check platform 'limoges'" in " ".join(refused.output.split())
    assert not (tmp_path / "data" / "tokens.yaml").exists()


def test_check_shows_a_platforms_single_sign_on_and_whether_its_secret_is_here(
        federation: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    document["single_sign_on"] = {"label": "Se connecter avec ProConnect", "issuer": "https://auth.agentconnect.gouv.fr/api/v2",
                                  "client_id": "relais-combrailles", "client_secret_env": "RELAIS_OIDC_COMBRAILLES",
                                  "role_claim": "groups", "roles": [{"value": "ccas-accueil", "role": "operator"}]}
    (federation / "combrailles.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RELAIS_CONSOLE_URL", "https://relais.combrailles.example")
    monkeypatch.delenv("RELAIS_OIDC_COMBRAILLES", raising=False)

    result = runner.invoke(app, ["platforms", "check"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for expected in ("connexion « Se connecter avec ProConnect » par https://auth.agentconnect.gouv.fr/api/v2",
                     "groups : ccas-accueil → écoutant·e", "comptes existants seulement",
                     "attention : secret du client absent ici", "adresse de retour à déclarer chez le fournisseur : "
                     "https://relais.combrailles.example/connexion/oidc/combrailles/retour"):
        assert expected in result.output, expected

    monkeypatch.setenv("RELAIS_OIDC_COMBRAILLES", "secret-du-client")
    result = runner.invoke(app, ["platforms", "check"], env={"COLUMNS": "400"})
    assert "secret du client présent" in result.output and "secret-du-client" not in result.output
