"""A fresh vault per test, on SQLite and PostgreSQL (the shared ``database_url`` fixture)."""

from __future__ import annotations

import pytest

from shared.privacy.vault import Vault
from shared.storage.engine import create_engine


@pytest.fixture
async def vault(database_url):
    engine = create_engine(database_url)
    vault = Vault(engine)
    await vault.create_tables()
    try:
        yield vault
    finally:
        await engine.dispose()
