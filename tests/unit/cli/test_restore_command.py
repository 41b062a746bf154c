"""``relais restore --service`` takes a service of the federation or all, and names the choices."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from relais.cli.main import app


def test_an_unknown_service_exits_2_naming_the_choices() -> None:
    result = CliRunner().invoke(app, ["restore", "--service", "payroll"])

    assert result.exit_code == 2
    assert "'intake', 'matching', 'feedback', 'billing', 'employment', 'all'" in result.output


def test_help_lists_the_services() -> None:
    result = CliRunner().invoke(app, ["restore", "--help"], env={"COLUMNS": "200"})

    assert "intake|matching|feedback|billing|employment|all" in result.output


def test_one_service_without_its_store_says_where_it_looked(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))

    result = CliRunner().invoke(app, ["restore", "--service", "billing", "--bootstrap", "127.0.0.1:1"])

    assert result.exit_code == 1
    assert str(tmp_path / "billing.db") in result.output.replace("\n", "")
