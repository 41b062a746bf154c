"""The employment service in-process on the real broker and database (issue 22's scenario,
:mod:`tests.fixtures.employment_scenario`), then its figures rebuilt from the topic, identical."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.employment.bootstrap import MIGRATIONS, bootstrap
from services.employment.entrypoints.app import create_app
from services.employment.entrypoints.projections import figures_projection
from shared.analytics.rebuilder import rebuild
from shared.clock import FixedClock
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.employment_scenario import P, Tokens, session_to_placement
from tests.fixtures.services import issue_token, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_from_the_information_session_to_a_placement_in_post_at_six_months(
        service_settings: Callable[..., Settings], database_url: str, kafka_bootstrap: str, topic_prefix: str,
        tmp_path: Path) -> None:
    settings = service_settings(database_url=database_url)
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    employment = bootstrap(settings, clock=clock)
    tokens = Tokens(advisor=issue_token(settings, P, Role.ADVISOR, "adv-1"),
                    provider=issue_token(settings, P, Role.PROVIDER, "prv-aide-94"),
                    other_provider=issue_token(settings, P, Role.PROVIDER, "prv-autre"),
                    analyst=issue_token(settings, P, Role.ANALYST, "obs-1"))

    async def move_clock(delta: timedelta) -> datetime:
        clock.advance(delta)
        return clock.now()

    async with serving(create_app(employment=employment)) as client:
        hired = await session_to_placement(client, tokens, clock.now(), move_clock)
        reads = await employment.vault.read_log(hired)
        assert reads and {record.resident_id for record in reads} == {hired}
        assert {record.reader_platform for record in reads} == {P}
        live = await _facts(employment.runtime.engine)

    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        await upgrade_async(str(fresh.url), MIGRATIONS)
        projection = figures_projection(employment.runtime.metadata, employment.policies)
        await rebuild(projection, fresh, employment.runtime.metadata, kafka_bootstrap, topic_prefix,
                      platforms=frozenset(employment.policies))
        assert await _facts(fresh) == live
    finally:
        await fresh.dispose()


async def _facts(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    """Every row of the figures projection, in a stable order."""
    async with engine.connect() as conn:
        rows = []
        for table in ("employment_facts", "employment_seeker_profiles"):
            rows += [(table, *row) for row in await conn.execute(text(f"SELECT * FROM {table}"))]
    return sorted(rows, key=repr)
