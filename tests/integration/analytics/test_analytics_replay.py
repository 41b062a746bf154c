"""``relais replay``: a rebuild from offset 0 equals the live projection; a tampered table shows; --until."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from shared.analytics.catalogue import described_services, select_projections
from shared.analytics.replay import replay
from shared.cli.main import app
from shared.settings import Settings
from tests.integration.analytics.federation import Federation

pytestmark = pytest.mark.integration


def environment(settings: Settings) -> dict[str, str]:
    return {"RELAIS_DATA_DIR": str(settings.data_dir), "RELAIS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "RELAIS_TOPIC_PREFIX": settings.topic_prefix, "RELAIS_PLATFORMS_DIR": str(settings.platforms_dir),
            "COLUMNS": "200"}


def test_replay_of_every_projection_is_identical_to_the_live_one(federation: Federation) -> None:
    result = CliRunner().invoke(app, ["replay", "all", "--service", "intake"],
                                env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    assert "intake.console" in result.output and "intake.observatory" in result.output
    assert result.output.count("identical") == 2, result.output
    assert "events/s" in result.output


def test_a_tampered_live_table_is_reported_as_different(federation: Federation) -> None:
    live = sqlite3.connect(federation.settings.data_dir / "intake.db")
    with live:
        live.execute("UPDATE request_view SET status = 'cancelled' WHERE request_id = ?", (federation.served,))
    live.close()

    result = CliRunner().invoke(app, ["replay", "intake.console"], env=environment(federation.settings))

    assert result.exit_code == 1, result.output
    assert "different" in result.output and "request_view" in result.output
    assert "timeline" not in result.output.split("different")[1]


async def test_until_rebuilds_as_of_a_date_from_the_events_own_times(federation: Federation) -> None:
    selection = select_projections(described_services(), "intake.console")
    march_9 = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)

    reports = await replay(selection, federation.settings, until=march_9)
    everything = await replay(selection, federation.settings)

    (as_of,), (full,) = reports, everything
    assert not as_of.compared and full.identical
    assert as_of.rebuilt["request_view"].rows == 1
    assert full.rebuilt["request_view"].rows == len(federation.requests)
    assert as_of.processed < full.processed
