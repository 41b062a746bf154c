"""Commands that read the bus say in one line that the broker cannot be reached, and where they looked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from relais.cli.main import app

PLATFORMS = Path(__file__).resolve().parents[3] / "deploy" / "platforms"
NOWHERE = "127.0.0.1:1"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _unreachable_broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAIS_PLATFORMS_DIR", str(PLATFORMS))
    monkeypatch.setenv("RELAIS_KAFKA_BOOTSTRAP_SERVERS", NOWHERE)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)


@pytest.mark.parametrize("command", [
    ["replay", "--until", "2025-01-01", "--data-dir", "nowhere"],
    ["dead-letters", "list", "--timeout", "5"],
    ["dead-letters", "replay", "--timeout", "5"],
], ids=["replay", "dead-letters-list", "dead-letters-replay"])
def test_an_unreachable_broker_is_a_one_line_error(command: list[str]) -> None:
    result = runner.invoke(app, command)
    output = " ".join(result.output.split())

    assert result.exit_code == 1, output
    assert f"cannot reach the Kafka broker at {NOWHERE}" in output
    assert "RELAIS_KAFKA_BOOTSTRAP_SERVERS" in output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception's traceback
