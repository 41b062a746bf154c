"""The README's ``relais`` commands exist, and its export example works as written."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from relais.cli.main import app

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def test_every_relais_command_the_readme_names_exists() -> None:
    group = typer.main.get_command(app)
    named = set(re.findall(r"\brelais ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", README))
    assert ("token", "issue") in named
    for command, sub in named:
        assert command in group.commands, f"README names `relais {command}`"  # type: ignore[attr-defined]
        subcommands = getattr(group.commands[command], "commands", None)  # type: ignore[attr-defined]
        if subcommands is not None and sub:
            assert sub in subcommands, f"README names `relais {command} {sub}`"


def test_the_readme_says_the_export_salt_is_required_and_shows_it() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `RELAIS_EXPORT_SALT`"))
    assert "required" in row and "pseudonym" in row
    assert "RELAIS_EXPORT_SALT=<secret> relais export --out DIR" in README


def test_export_without_a_salt_names_the_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RELAIS_EXPORT_SALT", raising=False)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(app, ["export", "--out", str(tmp_path / "out")])

    assert result.exit_code == 2
    assert "RELAIS_EXPORT_SALT" in result.output
