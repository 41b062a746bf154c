"""The employment service in-process on the real broker and database (issue 22's scenario,
:mod:`tests.fixtures.employment_scenario`), then its figures rebuilt from the topic, identical."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.export.dataset import export
from relais.replay.rebuilder import rebuild
from services.employment.bootstrap import MIGRATIONS, bootstrap
from services.employment.entrypoints.app import create_app
from services.employment.service_layer.projections import figures_projection
from shared.clock import FixedClock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.sms import SmsChannel
from shared.privacy.sealing import pseudonymise
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.employment_scenario import P, Tokens, session_to_placement
from tests.fixtures.services import issue_token, serving
from tests.polling import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_from_the_information_session_to_a_placement_in_post_at_six_months(
        service_settings: Callable[..., Settings], database_url: str, kafka_bootstrap: str, topic_prefix: str,
        tmp_path: Path) -> None:
    settings = service_settings(database_url=database_url)
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    texts = SentTexts()
    employment = bootstrap(settings, clock=clock, channels={SendChannel.SMS: SmsChannel(texts, {P: "FR"})})
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
        outbox = await eventually(lambda: _outbox(employment.runtime.engine, hired),
                                  lambda rows: rows["others"] == {"sent": 22},
                                  what="11 invitations and 11 reminders sent (the clock passed the day before)",
                                  timeout=60)
        assert set(outbox["erased"]) <= {"sent", "cancelled"}  # what was not sent by the erasure never will be
        assert {tag for _, _, tag in texts.sent} == {"session_invitation", "session_reminder"}
        assert {number for number, _, _ in texts.sent} == {"33612345678"}
        assert all("réunion d'information" in text and "Personne" not in text for _, text, _ in texts.sent)
        assert "system:employment" in {record.reader for record in await employment.vault.read_log()}
        live = await _facts(employment.runtime.engine)
        await _export_shows_no_seeker(settings, employment.runtime.engine, employment.policies, tmp_path / "export")

    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        await upgrade_async(str(fresh.url), MIGRATIONS)
        projection = figures_projection(employment.runtime.metadata, employment.policies)
        await rebuild(projection, fresh, employment.runtime.metadata, kafka_bootstrap, topic_prefix,
                      platforms=frozenset(employment.policies))
        assert await _facts(fresh) == live
    finally:
        await fresh.dispose()


async def _export_shows_no_seeker(settings: Settings, engine: AsyncEngine, policies: Any, out: Path) -> None:
    """``relais export`` of the employment store: no seeker id nor name anywhere, their pseudonyms instead."""
    async with engine.connect() as conn:
        seekers = [row[0] for row in await conn.execute(text("SELECT seeker_id FROM employment_seekers"))]
    await export(settings, out, salt="sel-de-test", services=["employment"], policies=policies)
    shown = ""
    for path in (path for path in out.rglob("*") if path.is_file()):
        shown += (orjson.dumps(pq.read_table(path).to_pylist(), default=str).decode() if path.suffix == ".parquet"
                  else path.read_text(encoding="utf-8"))
    assert len(seekers) == 14 and not [seeker for seeker in seekers if seeker in shown]
    assert "Personne " not in shown and "skr-" not in shown
    assert all(pseudonymise(seeker, "sel-de-test") in shown for seeker in seekers)


async def _outbox(engine: AsyncEngine, erased: str) -> dict[str, dict[str, int]]:
    """How many messages are in each status, for the erased seeker and for the others."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT resident_id, status, count(*) FROM notifications GROUP BY 1, 2"))
        counts: dict[str, dict[str, int]] = {"erased": {}, "others": {}}
        for resident_id, status, number in rows:
            group = counts["erased" if resident_id == erased else "others"]
            group[status] = group.get(status, 0) + number
    return counts


class SentTexts:
    """An SMS gateway keeping what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, number: str, text: str, tag: str) -> None:
        self.sent.append((number, text, tag))


async def _facts(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    """Every row of the figures projection, in a stable order."""
    async with engine.connect() as conn:
        rows = []
        for table in ("employment_facts", "employment_seeker_profiles"):
            rows += [(table, *row) for row in await conn.execute(text(f"SELECT * FROM {table}"))]
    return sorted(rows, key=repr)
