"""Command-line tests: ``relais`` run from an empty folder on the deployed platforms' policy files."""

from __future__ import annotations

from pathlib import Path

import pytest

DEPLOYED_PLATFORMS = Path(__file__).resolve().parents[3] / "deploy" / "platforms"


@pytest.fixture
def deployed_platforms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The commands run in ``tmp_path`` (no .env file) on ``deploy/platforms``, their stores in ``tmp_path/data``
    (returned)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAIS_PLATFORMS_DIR", str(DEPLOYED_PLATFORMS))
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"
