"""``relais history``: a request's story across the services' stores, in order, without personal data."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from relais.cli.main import app
from relais.history import request_history
from tests.integration.analytics.federation import Federation, environment

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]


def test_history_tells_the_story_event_by_event_without_personal_data(federation: Federation) -> None:
    result = CliRunner().invoke(app, ["history", federation.served], env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    story = ["RequestLogged", "ProviderAssigned", "ContactConfirmed", "InterventionDone", "FeeCharged"]
    positions = [result.output.index(event_type) for event_type in story]
    assert positions == sorted(positions), result.output
    assert "[sealed]" in result.output and "billing" in result.output
    for resident in federation.residents:
        assert resident["name"] not in result.output and resident["phone"] not in result.output


async def test_history_keeps_to_the_request_and_orders_by_occurrence(federation: Federation) -> None:
    other = next(request for request in federation.requests if request != federation.served)

    lines = await request_history(federation.settings, federation.served)

    assert [line.event_type for line in lines][:2] == ["RequestLogged", "ProviderAssigned"]
    assert [line.occurred_at for line in lines] == sorted(line.occurred_at for line in lines)
    assert all(other not in line.details for line in lines)
    assert {line.service for line in lines} == {"intake", "matching", "billing"}


def test_history_of_an_unknown_request_says_so(federation: Federation) -> None:
    result = CliRunner().invoke(app, ["history", "req-nope"], env=environment(federation.settings))

    assert result.exit_code == 1 and "no event found" in result.output
