"""``relais token issue|list|revoke`` work on the tokens file the services read, with TokenRegistry's own methods."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from relais.cli.main import app
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry, Unauthorized

runner = CliRunner()


@pytest.fixture(autouse=True)
def _settings(deployed_platforms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_TOKENS_FILE", raising=False)


def issue(*args: str) -> str:
    result = runner.invoke(app, ["token", "issue", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_issue_prints_the_token_once_and_the_services_registry_accepts_it(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "tokens.yaml"
    monkeypatch.setenv("RELAIS_TOKENS_FILE", str(path))

    token = issue("--platform", "limoges", "--role", "operator", "--subject", "lim-op-1")

    principal = TokenRegistry.load(path).authenticate(token)
    assert (principal.platform_id, principal.role, principal.subject) == ("limoges", Role.OPERATOR, "lim-op-1")
    assert token not in path.read_text()  # only its hash is kept


def test_without_a_tokens_file_setting_it_uses_the_one_relais_up_gives_the_services(tmp_path: Path) -> None:
    token = issue("--role", "federation_admin", "--subject", "admin")

    assert TokenRegistry.load(tmp_path / "data" / "tokens.yaml").authenticate(token).platform_id == "*"


def test_list_shows_every_token_whole_without_secrets_and_revoke_takes_a_subject_or_an_id(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    first = issue("--file", str(path), "--platform", "limoges", "--role", "analyst", "--subject", "lim-analyst-with-a-long-id")
    second = issue("--file", str(path), "--platform", "brenne", "--role", "coordinator", "--subject", "brn-coord")
    ids = [entry.token_id for entry in TokenRegistry.load(path).entries()]

    listed = runner.invoke(app, ["token", "list", "--file", str(path)])
    assert listed.exit_code == 0
    assert all(token_id in listed.stdout for token_id in ids) and "lim-analyst-with-a-long-id" in listed.stdout
    assert first not in listed.stdout and second not in listed.stdout

    assert runner.invoke(app, ["token", "revoke", "lim-analyst-with-a-long-id", "--file", str(path)]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", ids[1], "--file", str(path)]).exit_code == 0
    for token in (first, second):
        with pytest.raises(Unauthorized, match="revoked"):
            TokenRegistry.load(path).authenticate(token)
    again = runner.invoke(app, ["token", "revoke", "lim-analyst-with-a-long-id", "--file", str(path)])
    assert again.exit_code == 1 and "no token id or unrevoked subject" in again.output


@pytest.mark.parametrize(("args", "message"), [
    (["--platform", "limoge", "--role", "operator", "--subject", "x"], "unknown platform 'limoge'"),
    (["--role", "operator", "--subject", "x"], "operator tokens are bound to one platform"),
    (["--platform", "limoges", "--role", "federation_admin", "--subject", "x"], "not bound to one platform"),
    (["--platform", "limoges", "--role", "boss", "--subject", "x"], "boss"),
])
def test_issue_refuses_what_no_service_would_accept(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["token", "issue", "--file", str(tmp_path / "t.yaml"), *args])

    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "t.yaml").exists()
