"""The feedback store on a real database (SQLite and PostgreSQL), with a real vault and a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path

import pytest

from services.feedback.adapters.tables import metadata as feedback_metadata
from services.feedback.adapters.unit_of_work import FeedbackUnitOfWork
from services.feedback.bootstrap import MIGRATIONS
from services.feedback.service_layer.handlers import FeedbackHandlers
from shared.clock import FixedClock
from shared.platforms.loader import load_policies
from shared.privacy.vault import Vault
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.integration.feedback.harness import POLICY_DIR, PREFIX, START, FeedbackStore


@pytest.fixture
async def feedback_store(database_url: str, tmp_path: Path) -> AsyncIterator[FeedbackStore]:
    await upgrade_async(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    vault = Vault(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}"))
    await vault.create_tables()
    metadata = feedback_metadata()
    clock = FixedClock(START)
    handlers = FeedbackHandlers(
        uow=lambda: FeedbackUnitOfWork(engine, metadata, topic_prefix=PREFIX), sealer=vault,
        policies=load_policies(POLICY_DIR), clock=clock, public_url="https://avis.example.fr",
    )
    try:
        yield FeedbackStore(engine, metadata, handlers, clock, vault, count())
    finally:
        await engine.dispose()
        await vault.engine.dispose()
