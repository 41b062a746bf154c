"""The intake service run in-process for the fault tests, and the ``relais`` command run on its topics."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from typer.testing import CliRunner, Result

from relais.cli.main import app as relais
from shared.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def platforms_without(folder: Path, *missing: str) -> Path:
    """A copy of the demo federation's platform policies without the ``missing`` platforms."""
    folder.mkdir(parents=True, exist_ok=True)
    for policy in (REPO / "deploy" / "platforms").glob("*.yaml"):
        if policy.stem not in missing:
            shutil.copy(policy, folder / policy.name)
    return folder


async def run_relais(settings: Settings, *args: str) -> Result:
    """``relais ARGS`` against the settings' broker, prefix and stores (in a thread: it runs its own loop)."""
    env = {
        "RELAIS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "RELAIS_TOPIC_PREFIX": settings.topic_prefix,
        "RELAIS_DATA_DIR": str(settings.data_dir),
        "RELAIS_DATABASE_URL": settings.database_url or "",
    }
    if not settings.database_url:
        del env["RELAIS_DATABASE_URL"]
    result = await asyncio.to_thread(CliRunner().invoke, relais, list(args), env=env, catch_exceptions=False,
                                     terminal_width=200)
    assert result.exit_code == 0, result.output
    return result
