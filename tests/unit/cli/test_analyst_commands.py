"""Analysts' and privacy commands: a missing store or policy folder is a short error naming the setting,
unknown choices are refused by the command line, and tables never cut an id when piped."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from relais import history
from relais.cli.analyst import DirectoryFormat
from relais.cli.console import print_table
from relais.cli.main import app
from relais.export.directory import DIRECTORY_FORMATS

PLATFORMS = Path(__file__).resolve().parents[3] / "deploy" / "platforms"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder that is not the repository, with no RELAIS_* setting."""
    monkeypatch.chdir(tmp_path)
    for name in ("RELAIS_DATA_DIR", "RELAIS_PLATFORMS_DIR", "RELAIS_DATABASE_URL", "RELAIS_VAULT_URL"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize("command", [["history", "req-1"], ["export", "--out", "x", "--salt", "s"],
                                     ["erase-resident", "res-1"], ["replay", "--until", "2025-01-01"]])
def test_a_missing_store_names_the_path_and_the_setting(tmp_path: Path, command: list[str], monkeypatch) -> None:
    monkeypatch.setenv("RELAIS_PLATFORMS_DIR", str(PLATFORMS))
    code, output = run(*command[:1], "--data-dir", str(tmp_path / "nowhere"), *command[1:])
    if command[0] == "replay":  # --until rebuilds from the bus alone: no store needed, so check without it
        code, output = run("replay", "--data-dir", str(tmp_path / "nowhere"))

    assert code == 2, output
    assert f"no event store at {tmp_path / 'nowhere'}" in output
    assert "RELAIS_DATA_DIR" in output and "--data-dir" in output
    assert not (tmp_path / "nowhere").exists()  # looking did not create empty stores


def test_history_searches_the_stores_there_are_and_says_where_it_looked(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "intake.db").touch()

    async def nothing(settings, request_id, services):
        assert services == ["intake"]
        return []

    monkeypatch.setattr(history, "request_history", nothing)
    code, output = run("history", "req-1")

    assert code == 1
    assert "matching: no store at" in output
    assert f"no event found for req-1 in the stores of intake ({tmp_path / 'data'})" in output


def test_replay_outside_the_repository_names_the_policy_setting() -> None:
    code, output = run("replay")

    assert code == 2
    assert "not a folder of platform policy files" in output and "RELAIS_PLATFORMS_DIR" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(("command", "refused"), [
    (["export-directory", "--out", "x", "--format", "xml"], "'xml' is not one of 'json', 'csv'"),
    (["replay", "--service", "nope"], "'nope' is not one of 'intake', 'matching', 'feedback', 'billing'"),
    (["history", "req-1", "--service", "nope"], "'nope' is not one of"),
    (["export", "--out", "x", "--salt", "s", "--format", "parquet,xml"], "comma-separated among parquet, csv"),
    (["erase-resident", "res-1", "--requested-by", "bogus"], "expected 'resident', 'operator:<id>' or 'system:retention'"),
    (["erase-resident", "res-1", "--requested-by", "operator:"], "expected 'resident'"),
])
def test_unknown_choices_are_refused_by_the_command_line(command: list[str], refused: str) -> None:
    code, output = run(*command)

    assert code == 2
    assert refused in output and "Traceback" not in output


def test_the_directory_format_choice_is_the_exporters() -> None:
    assert tuple(member.value for member in DirectoryFormat) == DIRECTORY_FORMATS


@pytest.mark.parametrize("requester", ["resident", "operator:lim-op-1", "system:retention"])
def test_the_documented_requesters_pass_the_check(tmp_path: Path, requester: str) -> None:
    code, output = run("erase-resident", "res-1", "--requested-by", requester, "--data-dir", str(tmp_path / "nowhere"))

    assert code == 2 and "no event store" in output  # past the option check, stopped at the missing store


def test_history_piped_prints_ids_whole(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data").mkdir()
    for name in ("intake", "matching", "feedback", "billing"):
        (tmp_path / "data" / f"{name}.db").touch()
    actor, provider = "operator:lim-ecoutante-1-with-a-long-name", "prv-01m8xhng0z9y8x7w6v5t4s3r2q"
    line = history.HistoryLine(datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "matching", "ProviderAssigned", "limoges",
                               actor, f"provider_id={provider}, rank=1, mode=rotation, deadline=2025-03-05T09:30", "e1")

    async def found(settings, request_id, services):
        return [line]

    monkeypatch.setattr(history, "request_history", found)
    result = runner.invoke(app, ["history", "req-01m8xhng0z9y8x7w6v5t4s3r2q"])

    assert result.exit_code == 0
    assert actor in result.output and provider in result.output and "…" not in result.output


def test_tables_fold_instead_of_cutting_on_a_narrow_terminal() -> None:
    table = Table("id", "details")
    table.add_row("prv-01m8xhng0z9y8x7w6v5t4s3r2q", "x " * 30)
    out = io.StringIO()

    print_table(table, Console(file=out, width=30, force_terminal=True, color_system=None))

    assert "…" not in out.getvalue()
    first_column = [line.split("│")[1].strip() for line in out.getvalue().splitlines() if line.count("│") == 3]
    assert "".join(first_column) == "prv-01m8xhng0z9y8x7w6v5t4s3r2q"
