"""``relais users create|list|disable|enable`` on the identity store of the data folder (SQLite, no service running)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from relais.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _settings(deployed_platforms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_CONSOLE_URL", "https://relais.example.fr")
    monkeypatch.delenv("RELAIS_IDENTITY_URL", raising=False)


def test_the_first_coordinator_gets_an_invitation_link_then_can_be_disabled() -> None:
    created = runner.invoke(app, ["users", "create", "--platform", "limoges", "--role", "coordinator",
                                  "--email", "camille@proximain.example", "--name", "Camille Martin"])
    assert created.exit_code == 0, created.output
    link = created.stdout.strip().splitlines()[0]
    assert link.startswith("https://relais.example.fr/invitation/") and len(link.rsplit("/", 1)[1]) >= 40

    listed = runner.invoke(app, ["users", "list", "--platform", "limoges"])
    assert listed.exit_code == 0 and "camille@proximain.example" in listed.stdout and "invited" in listed.stdout
    account_id = next(word for word in listed.stdout.split() if word.startswith("acc-"))

    assert runner.invoke(app, ["users", "disable", account_id]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["users", "list", "--platform", "limoges"]).stdout
    assert runner.invoke(app, ["users", "enable", account_id]).exit_code == 0


def test_an_unknown_platform_a_taken_email_or_a_provider_is_refused() -> None:
    args = ["users", "create", "--role", "operator", "--email", "a@b.fr", "--name", "A"]
    unknown = runner.invoke(app, [*args, "--platform", "cantal"])
    assert unknown.exit_code != 0 and "unknown platform" in unknown.output
    assert runner.invoke(app, [*args, "--platform", "limoges"]).exit_code == 0
    taken = runner.invoke(app, [*args, "--platform", "limoges"])
    assert taken.exit_code == 1 and "existe déjà" in taken.output
    provider = runner.invoke(app, ["users", "create", "--role", "provider", "--email", "p@b.fr", "--name", "P",
                                   "--platform", "limoges"])
    assert provider.exit_code == 1 and "prestataires" in provider.output
